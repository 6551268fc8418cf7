package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class QuantilesTest {

    @Test
    void shouldInterpolateBetweenClosestRanksAsNumpyDoes() {
        double[] v = {4, 1, 3, 2};
        assertThat(Quantiles.of(v, 0.5)).isEqualTo(2.5);
        assertThat(Quantiles.of(v, 0.9)).isCloseTo(3.7, within(1e-12)); // numpy.quantile([1,2,3,4], 0.9) = 3.7
        assertThat(Quantiles.of(v, 0)).isEqualTo(1);
        assertThat(Quantiles.of(v, 1)).isEqualTo(4);
        assertThat(v).as("input left unsorted").containsExactly(4, 1, 3, 2);
    }

    @Test
    void shouldReturnTheOnlyValueOfASingleton() {
        assertThat(Quantiles.of(new double[] {7}, 0.99)).isEqualTo(7);
    }

    @Test
    void shouldRefuseQuantilesOutsideZeroToOneAndEmptyInput() {
        assertThatThrownBy(() -> Quantiles.of(new double[] {1, 2}, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantiles.of(new double[] {1, 2}, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantiles.of(new double[0], 0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSummariseErrorsWithTheReportedQuantiles() {
        double[] errors = new double[101];
        for (int i = 0; i <= 100; i++) {
            errors[i] = i / 100.0;
        }
        ErrorStats s = ErrorStats.of(errors);
        assertThat(s.count()).isEqualTo(101);
        assertThat(s.mean()).isCloseTo(0.5, within(1e-12));
        assertThat(s.min()).isEqualTo(0);
        assertThat(s.max()).isEqualTo(1);
        assertThat(s.quantiles()).containsOnlyKeys("p50", "p90", "p95", "p99", "p99.5", "p99.9");
        assertThat(s.quantiles().get("p99")).isCloseTo(0.99, within(1e-12));
        assertThat(s.quantiles().get("p99.5")).isCloseTo(0.995, within(1e-12));
    }
}
