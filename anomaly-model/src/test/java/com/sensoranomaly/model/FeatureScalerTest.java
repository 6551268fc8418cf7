package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FeatureScalerTest {
    private final double[][] rows = {{1, 10, 5}, {2, 20, 5}, {3, 30, 5}};

    @Test
    void shouldStandardiseToZeroMeanAndUnitVariance() {
        FeatureScaler s = FeatureScaler.fit(FeatureScaler.Kind.STANDARD, rows);
        assertThat(s.center()).containsExactly(2, 20, 5);
        assertThat(s.scale(0, 3)).isCloseTo(1 / Math.sqrt(2.0 / 3), within(1e-12));
        assertThat(s.unscale(1, s.scale(1, 27.5))).isCloseTo(27.5, within(1e-12));
    }

    @Test
    void shouldMapTheTrainingRangeOntoZeroToOneWithMinMax() {
        FeatureScaler s = FeatureScaler.fit(FeatureScaler.Kind.MINMAX, rows);
        assertThat(s.scale(0, 1)).isEqualTo(0.0);
        assertThat(s.scale(0, 3)).isEqualTo(1.0);
        assertThat(s.scale(1, 25)).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void shouldGiveAConstantFeatureUnitScaleSoChangesStillShow() {
        FeatureScaler s = FeatureScaler.fit(FeatureScaler.Kind.STANDARD, rows);
        assertThat(s.scale()[2]).isEqualTo(1.0);
        assertThat(s.scale(2, 7)).isEqualTo(2.0);
    }

    @Test
    void shouldComputeQuantilesAsNumpyDoes() {
        double[] v = {4, 1, 3, 2};
        assertThat(Quantiles.of(v, 0.5)).isEqualTo(2.5);
        assertThat(Quantiles.of(v, 0.9)).isCloseTo(3.7, within(1e-12));
        assertThat(Quantiles.of(v, 0)).isEqualTo(1);
        assertThat(Quantiles.of(v, 1)).isEqualTo(4);
        assertThatThrownBy(() -> Quantiles.of(v, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
