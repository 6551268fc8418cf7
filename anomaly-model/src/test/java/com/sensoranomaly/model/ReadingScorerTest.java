package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReadingScorerTest {

    @Test
    void shouldWarmUpUntilTheWindowIsFullThenSlideOldestFirst() {
        AnomalyModel m = TestNetworks.pairModel(3);
        ReadingScorer scorer = new ReadingScorer(m, Imputation.DEFAULT);
        DeviceWindow w = DeviceWindow.empty(3, 2);
        assertThat(scorer.score(w, new double[] {1, 1}, 1).isWarmingUp()).isTrue();
        assertThat(scorer.score(w, new double[] {2, 2}, 2).isWarmingUp()).isTrue();
        Scored third = scorer.score(w, new double[] {3, 5}, 3);
        assertThat(third.isWarmingUp()).isFalse();
        assertThat(w.values).containsExactly(1, 1, 2, 2, 3, 5);
        scorer.score(w, new double[] {4, 4}, 4);
        assertThat(w.values).containsExactly(2, 2, 3, 5, 4, 4);
        // Only the (3, 5) slot disagrees: squared errors 1 and 1 over 6 observed entries.
        assertThat(third.score()).isCloseTo(2.0 / 6, within(1e-12));
    }

    @Test
    void shouldFillAGapWithTheMeanAndNotCountItWithMeanImputation() {
        AnomalyModel m = TestNetworks.pairModel(1);
        ReadingScorer scorer = new ReadingScorer(m, new Imputation(Imputation.Strategy.MEAN, Duration.ofMinutes(1), 0));
        DeviceWindow w = DeviceWindow.empty(1, 2);
        Scored s = scorer.score(w, new double[] {3, Double.NaN}, 1);
        assertThat(w.values).containsExactly(3, 1);
        assertThat(s.imputed()).containsExactly(false, true);
        assertThat(s.imputedCount()).isEqualTo(1);
        // Reconstruction of a is (3 + 1) / 2 = 2: error 1 on the one observed entry.
        assertThat(s.score()).isCloseTo(1.0, within(1e-12));
        assertThat(s.featureErrors()[1]).isNaN();
    }

    @Test
    void shouldCarryTheLastObservedValueForwardOnlyWhileItIsFresh() {
        AnomalyModel m = TestNetworks.pairModel(1);
        ReadingScorer scorer = new ReadingScorer(m, new Imputation(Imputation.Strategy.LAST, Duration.ofSeconds(10), 0));
        DeviceWindow w = DeviceWindow.empty(1, 2);
        scorer.score(w, new double[] {3, 3}, 1_000);
        scorer.score(w, new double[] {3, Double.NaN}, 5_000);
        assertThat(w.values[1]).isEqualTo(3);
        scorer.score(w, new double[] {3, Double.NaN}, 20_000);
        assertThat(w.values[1]).as("older than max age: the training mean").isEqualTo(1);
    }

    @Test
    void shouldConvergeOnTheModelsOwnEstimateWithModelImputation() {
        AnomalyModel m = TestNetworks.pairModel(1);
        ReadingScorer scorer = new ReadingScorer(m, new Imputation(Imputation.Strategy.MODEL, Duration.ofSeconds(10), 20));
        DeviceWindow w = DeviceWindow.empty(1, 2);
        Scored s = scorer.score(w, new double[] {3, Double.NaN}, 1);
        assertThat(w.values[1]).as("the network pulls b toward a").isCloseTo(3, within(1e-4));
        assertThat(s.score()).isCloseTo(0, within(1e-8));
    }

    @Test
    void shouldReportExpectedValuesInRawUnits() {
        AnomalyModel m = TestNetworks.pairModel(1);
        Scored s = new ReadingScorer(m, Imputation.DEFAULT).score(DeviceWindow.empty(1, 2), new double[] {2, 4}, 1);
        assertThat(s.expected()).containsExactly(3.0, 3.0);
        assertThat(s.featureErrors()).containsExactly(1.0, 1.0);
    }
}
