package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FeatureScalerTest {
    private final double[][] rows = {{1, 10, 5}, {2, 20, 5}, {3, 30, 5}};

    @Test
    void shouldStandardiseToZeroMeanAndUnitVariance() {
        // Population standard deviation (divide by n), as the scaler is fitted on all training rows.
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
        FeatureScaler minMax = FeatureScaler.fit(FeatureScaler.Kind.MINMAX, rows);
        assertThat(minMax.scale()[2]).isEqualTo(1.0);
        assertThat(minMax.scale(2, 7)).as("min-max: distance from the constant").isEqualTo(2.0);
    }
}
