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

    @Test
    void shouldKeepAnImputedEntryOutOfTheScoreWhileItSlidesThroughTheWindow() {
        AnomalyModel m = TestNetworks.pairModel(3);
        ReadingScorer scorer = new ReadingScorer(m, new Imputation(Imputation.Strategy.MEAN, Duration.ofMinutes(1), 0));
        DeviceWindow w = DeviceWindow.empty(3, 2);
        scorer.score(w, new double[] {2, 2}, 1);
        scorer.score(w, new double[] {2, Double.NaN}, 2); // b filled with its mean 1: slot reconstructs as 1.5, 1.5
        Scored third = scorer.score(w, new double[] {2, 2}, 3);
        assertThat(w.observed).containsExactly(true, true, true, false, true, true);
        // Counted: slot 0 (0, 0), slot 1 only a (error 0.25), slot 2 (0, 0): 0.25 over 5 observed entries.
        assertThat(third.score()).isCloseTo(0.25 / 5, within(1e-12));
        assertThat(third.featureErrors()[1]).as("b: two observed slots, both exact").isEqualTo(0.0);
        Scored fourth = scorer.score(w, new double[] {2, 2}, 4);
        scorer.score(w, new double[] {2, 2}, 5);
        assertThat(fourth.score()).as("the gap is in the oldest slot now").isCloseTo(0.25 / 5, within(1e-12));
        assertThat(w.observed).as("the gap has left the window").containsOnly(true);
    }

    @Test
    void shouldNotCountModelImputedEntriesEvenWhenTheModelCannotRecoverThem() {
        AnomalyModel m = TestNetworks.pairModel(2);
        // Zero rounds: the imputed b stays at its last value 0, one away from what the network reconstructs.
        ReadingScorer scorer = new ReadingScorer(m, new Imputation(Imputation.Strategy.MODEL, Duration.ofMinutes(1), 0));
        DeviceWindow w = DeviceWindow.empty(2, 2);
        scorer.score(w, new double[] {4, 0}, 1_000);
        Scored s = scorer.score(w, new double[] {2, Double.NaN}, 2_000);
        assertThat(w.values).containsExactly(4, 0, 2, 0);
        // Reconstruction (2, 2 | 1, 1). Counted: 4 + 4 (oldest slot) + 1 (a, newest) over 3 entries = 3;
        // counting the imputed b as well would give 10 / 4 = 2.5.
        assertThat(s.score()).isCloseTo(3.0, within(1e-12));
        assertThat(s.featureErrors()).containsExactly(2.5, 4.0);
        assertThat(s.imputed()).containsExactly(false, true);
        assertThat(s.imputedCount()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAReadingWithTheWrongNumberOfValues() {
        ReadingScorer scorer = new ReadingScorer(TestNetworks.pairModel(1), Imputation.DEFAULT);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> scorer.score(DeviceWindow.empty(1, 2), new double[] {1, 2, 3}, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 values").hasMessageContaining("expects 2");
    }
}
