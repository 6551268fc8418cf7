package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DeviceModelTest {
    private static final int F = 3;

    /**
     * Three coupled sensors at a device's own operating point: a slowly wandering temperature, a flow with noise,
     * and a current that follows the flow. The first {@code n} readings.
     */
    private static double[] readings(int n, long seed) {
        Random rnd = new Random(seed);
        double[] x = new double[n * F];
        double temp = 70;
        for (int i = 0; i < n; i++) {
            temp += rnd.nextGaussian() * 0.05;
            double flow = 32 + rnd.nextGaussian() * 0.5;
            x[i * F] = temp;
            x[i * F + 1] = flow;
            x[i * F + 2] = 0.1 * flow + rnd.nextGaussian() * 0.01;
        }
        return x;
    }

    /** Scores the 200 normal readings that follow the warm-up of series {@code seed}; returns how many exceed the limit. */
    private static int aboveLimitAfterWarmup(DeviceModel m, long seed) {
        double[] later = readings(600, seed);
        int above = 0;
        for (int i = 400; i < 600; i++) {
            if (m.score(new double[] {later[i * F], later[i * F + 1], later[i * F + 2]}).score() > m.limit) {
                above++;
            }
        }
        return above;
    }

    private static double[] reading(double temp, double flow, double current) {
        return new double[] {temp, flow, current};
    }

    @Test
    void shouldScoreNormalReadingsBelowItsLimitAndABrokenRelationAboveIt() {
        double[] warmup = readings(400, 1);
        DeviceModel m = DeviceModel.fit(warmup, 400, F, 5, null);
        assertThat(m.latent).isEqualTo(5); // a third of 5 × 3 dimensions
        assertThat(m.limit).isPositive();

        assertThat(aboveLimitAfterWarmup(m, 1)).as("normal readings above the device's limit").isLessThan(10);

        // The current stops following the flow: the relation the model learnt is broken.
        for (int i = 0; i < 5; i++) {
            Scored s = m.score(reading(70, 32 + (i % 2 == 0 ? 0.6 : -0.6), 2.5));
            if (i == 4) {
                assertThat(s.score()).isGreaterThan(3 * m.limit);
                double[] fe = s.featureErrors();
                assertThat(fe[2]).as("the current drives the error").isGreaterThan(fe[0]);
            }
        }
    }

    @Test
    void shouldTolerateASlowLevelChangeOfASensorThatWandersDuringWarmup() {
        double[] warmup = readings(400, 3);
        DeviceModel m = DeviceModel.fit(warmup, 400, F, 5, null);
        double temp = warmup[399 * F];
        Random rnd = new Random(4);
        int above = 0;
        // The temperature drifts on by several warm-up spreads, slowly; flow and current stay normal.
        for (int i = 0; i < 300; i++) {
            temp += 0.02;
            double flow = 32 + rnd.nextGaussian() * 0.5;
            if (m.score(reading(temp, flow, 0.1 * flow + rnd.nextGaussian() * 0.01)).score() > m.limit) {
                above++;
            }
        }
        assertThat(above).isLessThan(30);
    }

    @Test
    void shouldScoreOnlyObservedEntriesAndFillMissingOnesFromTheModel() {
        DeviceModel m = DeviceModel.fit(readings(400, 5), 400, F, 3, null);
        Scored s = m.score(new double[] {Double.NaN, 32.0, 3.2});
        assertThat(s.imputed()).containsExactly(true, false, false);
        assertThat(s.imputedCount()).isEqualTo(1);
        assertThat(s.expected()[0]).as("imputed temperature near the device's level").isCloseTo(m.mean[0], within(3 * m.std[0] + 0.5));
        assertThat(s.score()).isFinite();
        Scored none = DeviceModel.fit(readings(400, 5), 400, F, 1, null).score(new double[] {Double.NaN, Double.NaN, Double.NaN});
        assertThat(none.score()).as("nothing observed: nothing to score").isNaN();
    }

    @Test
    void shouldLearnTheSameNormalFromAWarmupWithGaps() {
        double[] complete = readings(400, 9);
        double[] gappy = complete.clone();
        Random rnd = new Random(10);
        for (int k = 0; k < gappy.length; k++) {
            if (rnd.nextDouble() < 0.2) {
                gappy[k] = Double.NaN; // a fifth of all values missing
            }
        }
        DeviceModel full = DeviceModel.fit(complete, 400, F, 5, null);
        DeviceModel holes = DeviceModel.fit(gappy, 400, F, 5, null);
        // Gaps filled from the model itself: they neither shrink the learnt relations nor inflate the limit.
        assertThat(holes.limit).isBetween(full.limit / 1.5, full.limit * 1.5);
        assertThat(aboveLimitAfterWarmup(holes, 9)).isLessThan(10);
    }

    @Test
    void shouldFloorTheSpreadOfASensorThatWasFlatDuringWarmup() {
        double[] warmup = readings(200, 6);
        for (int i = 0; i < 200; i++) {
            warmup[i * F + 2] = 3.0; // a stuck-looking current during warm-up
        }
        DeviceModel m = DeviceModel.fit(warmup, 200, F, 2, new double[] {0.1, 0.1, 0.05});
        assertThat(m.std[2]).isEqualTo(0.05);
    }

    @Test
    void shouldBeDeterministicAndStartScoringRightAfterTheWarmup() {
        DeviceModel a = DeviceModel.fit(readings(300, 8), 300, F, 4, null);
        DeviceModel b = DeviceModel.fit(readings(300, 8), 300, F, 4, null);
        assertThat(a.limit).isEqualTo(b.limit);
        assertThat(a.basis).containsExactly(b.basis);
        assertThat(a.score(reading(70, 32, 3.2)).isWarmingUp()).isFalse();
    }

    @Test
    void shouldScoreACompleteWindowAsItsDecodedResidualDoes() {
        DeviceModel m = DeviceModel.fit(readings(400, 11), 400, F, 5, null);
        double[] later = readings(700, 12);
        double[] residual = new double[m.dimensions()];
        for (int i = 400; i < 700; i++) {
            Scored s = m.score(new double[] {later[i * F], later[i * F + 1], later[i * F + 2]});
            // The reference: decode the window's code and average the squared residual (what scoring did before).
            double[] x = standardisedWindow(m);
            boolean[] all = new boolean[x.length];
            java.util.Arrays.fill(all, true);
            double decoded = m.scoreStandardised(x, all, residual);
            assertThat(s.score()).isCloseTo(decoded, within(1e-6));
            for (int j = 0; j < F; j++) {
                int k = (m.window - 1) * F + j;
                assertThat(s.expected()[j]).isCloseTo(m.mean[j] + (x[k] - residual[k]) * m.std[j], within(1e-9));
            }
        }
    }

    @Test
    void shouldTakeEachSensorsNormalErrorFromTheWarmupsUnexplainedVarianceAsDecodingEveryWindowWould() {
        int n = 400, w = 5;
        double[] warmup = readings(n, 15);
        DeviceModel m = DeviceModel.fit(warmup, n, F, w, null);
        // The reference: decode every warm-up window and average each sensor's squared residual.
        double[] sums = new double[F];
        double[] x = new double[m.dimensions()];
        double[] residual = new double[m.dimensions()];
        int windows = n - w + 1;
        for (int start = 0; start < windows; start++) {
            for (int i = 0; i < w; i++) {
                for (int j = 0; j < F; j++) {
                    x[i * F + j] = (warmup[(start + i) * F + j] - m.mean[j]) / m.std[j];
                }
            }
            m.residual(x, residual);
            for (int k = 0; k < x.length; k++) {
                sums[k % F] += residual[k] * residual[k];
            }
        }
        for (int j = 0; j < F; j++) {
            double decoded = sums[j] / (windows * w);
            assertThat(m.featureErrorMean[j]).isCloseTo(decoded, within(1e-5 * decoded + 1e-9));
        }
    }

    /** The model's current window, oldest first, standardised. */
    private static double[] standardisedWindow(DeviceModel m) {
        double[] x = new double[m.dimensions()];
        for (int i = 0; i < m.window; i++) {
            int slot = (m.next + i) % m.window;
            for (int j = 0; j < F; j++) {
                x[i * F + j] = (m.recent[slot * F + j] - m.mean[j]) / m.std[j];
            }
        }
        return x;
    }

    @Test
    void shouldExplainOnlyReadingsAboveTheGivenLevelWhenTheRingIsKeptOutside() {
        DeviceModel own = DeviceModel.fit(readings(400, 13), 400, F, 4, null);
        DeviceModel fitted = DeviceModel.fit(readings(400, 13), 400, F, 4, null);
        double[] ring = fitted.recent.clone();
        int slot = fitted.next;
        double[] later = readings(460, 14);
        int explained = 0;
        for (int i = 400; i < 460; i++) {
            double[] raw = i == 450 ? reading(70, 32, 9.0) : new double[] {later[i * F], later[i * F + 1], later[i * F + 2]};
            Scored a = own.score(raw);
            Scored b = fitted.score(raw, ring, slot, fitted.limit);
            slot = (slot + 1) % fitted.window;
            assertThat(b.score()).as("the same window, kept outside").isEqualTo(a.score());
            assertThat(b.expected()).containsExactly(a.expected());
            if (b.score() > fitted.limit) {
                explained++;
                assertThat(b.featureErrors()).containsExactly(a.featureErrors());
            } else {
                assertThat(b.featureErrors()).as("a normal reading is left unexplained").isNull();
            }
        }
        assertThat(explained).as("the broken reading and the windows holding it").isGreaterThanOrEqualTo(1);
        assertThat(fitted.recent).as("the model's own ring is untouched").containsExactly(DeviceModel.fit(readings(400, 13), 400, F, 4, null).recent);
    }

    @Test
    void shouldRefuseAWarmupTooShortForItsWindow() {
        assertThatThrownBy(() -> DeviceModel.fit(readings(10, 1), 10, F, 5, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window 5");
    }
}
