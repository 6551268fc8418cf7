package com.sensoranomaly.cli.simulate;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PumpSimulatorTest {
    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");

    private static PumpSimulator sim(long seed) {
        return new PumpSimulator(PumpSimulator.Settings.normal(2, seed, T0));
    }

    private static double mean(List<PumpSimulator.Sample> samples, String sensor) {
        return samples.stream().mapToDouble(s -> s.values().get(sensor)).average().orElseThrow();
    }

    @Test
    void shouldBeDeterministicForASeed() {
        PumpSimulator a = sim(3);
        PumpSimulator b = sim(3);
        for (int i = 0; i < 50; i++) {
            assertThat(a.next(i % 2)).isEqualTo(b.next(i % 2));
        }
        assertThat(sim(4).next(0)).isNotEqualTo(sim(3).next(0));
    }

    @Test
    void shouldKeepPressureAndCurrentCorrelatedWithFlow() {
        PumpSimulator s = new PumpSimulator(new PumpSimulator.Settings(30, 1, 0, EnumSet.noneOf(FaultKind.class), 0,
                Duration.ofSeconds(1), T0));
        double[] flow = new double[30];
        double[] pressure = new double[30];
        for (int d = 0; d < 30; d++) {
            PumpSimulator.Sample x = s.next(d);
            flow[d] = x.values().get("flow");
            pressure[d] = x.values().get("pressure");
        }
        assertThat(correlation(flow, pressure)).as("across pumps, faster pumps push more and harder").isGreaterThan(0.8);
    }

    @Test
    void shouldChangeTheSignalDuringEachFaultKindAndRecordIt() {
        for (FaultKind kind : FaultKind.values()) {
            PumpSimulator s = sim(11);
            s.scheduleFault(0, kind, "temperature", 100, 60);
            List<PumpSimulator.Sample> before = new ArrayList<>();
            List<PumpSimulator.Sample> during = new ArrayList<>();
            for (int i = 0; i < 160; i++) {
                PumpSimulator.Sample x = s.next(0);
                if (i >= 40 && i < 100) {
                    before.add(x);
                } else if (i >= 100) {
                    during.add(x);
                    assertThat(x.activeFault()).isNotNull();
                }
            }
            assertThat(s.faults()).hasSize(1).allMatch(f -> f.kind() == kind && f.deviceId().equals("pump-001"));
            switch (kind) {
                case CORRELATION_BREAK -> {
                    assertThat(mean(during, "flow")).isLessThan(0.8 * mean(before, "flow"));
                    assertThat(Math.abs(mean(during, "current") - mean(before, "current"))).isLessThan(0.1);
                }
                case STUCK -> assertThat(during.stream().map(x -> x.values().get("temperature")).distinct()).hasSize(1);
                case SPIKE, DRIFT -> assertThat(during.stream().mapToDouble(x -> x.values().get("temperature")).max().orElseThrow())
                        .isGreaterThan(before.stream().mapToDouble(x -> x.values().get("temperature")).max().orElseThrow() + 1);
            }
        }
    }

    @Test
    void shouldLeaveGapsAtTheMissingRate() {
        PumpSimulator s = new PumpSimulator(new PumpSimulator.Settings(1, 5, 0, EnumSet.noneOf(FaultKind.class), 0.1,
                Duration.ofSeconds(1), T0));
        long missing = 0;
        for (int i = 0; i < 2000; i++) {
            missing += s.next(0).values().values().stream().filter(v -> v == null).count();
        }
        assertThat(missing / (2000.0 * PumpSimulator.SENSORS.size())).isBetween(0.08, 0.12);
    }

    private static double correlation(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
