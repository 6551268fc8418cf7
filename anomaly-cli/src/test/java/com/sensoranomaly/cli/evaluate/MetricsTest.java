package com.sensoranomaly.cli.evaluate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {

    @Test
    void shouldComputeSkabPointwiseMetricsOnlyAfterTheWarmup() {
        boolean[] truth = {true, true, false, false, true, true, false, false};
        boolean[] pred = {false, false, true, false, true, false, false, true};
        DetectionMetrics m = DetectionMetrics.of(truth, pred, 2);
        assertThat(m).isEqualTo(new DetectionMetrics(1, 2, 2, 1));
        assertThat(m.f1()).isCloseTo(1 / (1 + 1.5), within(1e-12));
        assertThat(m.far()).isCloseTo(0.5, within(1e-12));
        assertThat(m.mar()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void shouldGiveTheNullDetectorZeroAndAnEarlyDetectorAHundred() {
        long[] cps = {100_000, 500_000};
        for (NabScore.Profile p : NabScore.Profile.values()) {
            assertThat(NabScore.score(cps, new long[0], 60_000, p).normalised()).isCloseTo(0, within(1e-9));
            assertThat(NabScore.score(cps, new long[] {100_000, 500_000}, 60_000, p).normalised()).isCloseTo(100, within(1e-9));
        }
    }

    @Test
    void shouldRewardEarlyDetectionMoreThanLateAndPenaliseFalseAlarms() {
        long[] cps = {100_000};
        var p = NabScore.Profile.STANDARD;
        double early = NabScore.score(cps, new long[] {110_000}, 60_000, p).normalised();
        double late = NabScore.score(cps, new long[] {150_000}, 60_000, p).normalised();
        double withFalseAlarm = NabScore.score(cps, new long[] {10_000, 110_000}, 60_000, p).normalised();
        assertThat(early).isGreaterThan(late).isGreaterThan(0);
        assertThat(withFalseAlarm).isLessThan(early);
        double lowFp = NabScore.score(cps, new long[] {10_000, 110_000}, 60_000, NabScore.Profile.LOW_FP).normalised();
        assertThat(lowFp).as("the low-FP profile punishes the false alarm harder").isLessThan(withFalseAlarm);
    }

    @Test
    void shouldFindFlipsOfTheDecisionSeries() {
        long[] t = {1, 2, 3, 4, 5, 6};
        boolean[] v = {false, true, true, false, false, true};
        assertThat(NabScore.flips(t, v, 0)).containsExactly(2, 4, 6);
        assertThat(NabScore.flips(t, v, 3)).containsExactly(4, 6);
    }
}
