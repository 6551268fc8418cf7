package com.sensoranomaly.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SmoothingTest {
    @TempDir
    Path dir;

    private final Smoothing smoothing = new Smoothing(0.1, Duration.ofSeconds(10));

    @Test
    void shouldFollowAStepWithTheTimeConstantOfItsWeight() {
        DeviceWindow w = DeviceWindow.empty(1, 1);
        double[] r = {0};
        smoothing.apply(w, r, 0);
        assertThat(r[0]).isZero(); // the first value starts the level
        for (int i = 1; i <= 10; i++) {
            r = new double[] {1};
            smoothing.apply(w, r, i * 1000L);
        }
        // After n readings of a unit step the level is 1 − 0.9^n: 65 % of the way after ten.
        assertThat(r[0]).isCloseTo(1 - Math.pow(0.9, 10), within(1e-12));
    }

    @Test
    void shouldLeaveMissingValuesMissingAndTheirLevelUntouched() {
        DeviceWindow w = DeviceWindow.empty(1, 2);
        smoothing.apply(w, new double[] {4, 8}, 0);
        double[] r = {Double.NaN, 18};
        smoothing.apply(w, r, 1000);
        assertThat(r[0]).isNaN();
        assertThat(r[1]).isCloseTo(9, within(1e-12));
        assertThat(w.smoothed[0]).isEqualTo(4);
        assertThat(w.smoothedAt[0]).isZero();
    }

    @Test
    void shouldRestartASensorsLevelAfterAGapLongerThanTheMaximum() {
        DeviceWindow w = DeviceWindow.empty(1, 1);
        smoothing.apply(w, new double[] {0}, 0);
        double[] r = {5};
        smoothing.apply(w, r, 10_001);
        assertThat(r[0]).isEqualTo(5);
    }

    @Test
    void shouldPassReadingsUnchangedWithWeightOne() {
        Smoothing none = new Smoothing(1.0, Duration.ofSeconds(10));
        DeviceWindow w = DeviceWindow.empty(1, 1);
        none.apply(w, new double[] {3}, 0);
        double[] r = {7};
        none.apply(w, r, 1000);
        assertThat(r[0]).isEqualTo(7);
        assertThat(w.smoothed).as("no smoothing state kept for a model that does not smooth").isNull();
        assertThat(none.applied(new double[][] {{1}, {2}}, new long[] {0, 1})).isDeepEqualTo(new double[][] {{1}, {2}});
    }

    @Test
    void shouldSmoothARecordingExactlyAsReadingByReading() {
        double[][] rows = {{1, Double.NaN}, {3, 2}, {Double.NaN, 4}, {7, 6}};
        long[] times = {0, 1000, 2000, 3000};
        double[][] smoothed = smoothing.applied(rows, times);
        DeviceWindow w = DeviceWindow.empty(1, 2);
        for (int i = 0; i < rows.length; i++) {
            double[] r = rows[i].clone();
            smoothing.apply(w, r, times[i]);
            assertThat(smoothed[i]).containsExactly(r);
        }
        assertThat(rows[1]).containsExactly(3, 2); // the input is not modified
    }

    @Test
    void shouldKeepTheSmoothedLevelsWhenTheModelWindowRestarts() {
        DeviceWindow w = DeviceWindow.empty(3, 1);
        smoothing.apply(w, new double[] {2}, 0);
        w.filled = 3;
        DeviceWindow restarted = w.restarted();
        assertThat(restarted.filled).isZero();
        assertThat(restarted.values).hasSize(3);
        assertThat(restarted.smoothed).containsExactly(2);
        assertThat(restarted.smoothedAt).containsExactly(0);
    }

    @Test
    void shouldRefuseAWeightOutsideZeroToOne() {
        assertThatThrownBy(() -> new Smoothing(0, Duration.ZERO)).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> new Smoothing(1.5, Duration.ZERO)).hasMessageContaining("(0, 1]");
    }

    @Test
    void shouldRecordTheWeightInTheBundleAndLeaveUnsmoothedBundlesAsBefore() throws Exception {
        AnomalyModel plain = TestNetworks.pairModel(1);
        AnomalyModel smoothed = new AnomalyModel("t", plain.features(), 1, plain.scaler(), plain.featureStats(),
                plain.network(), plain.threshold(), plain.thresholdQuantile(), plain.errorStats(),
                plain.featureErrorMean(), 0.25);
        AnomalyModel a = ModelBundle.write(dir.resolve("plain"), plain, Map.of(), Instant.EPOCH);
        AnomalyModel b = ModelBundle.write(dir.resolve("smoothed"), smoothed, Map.of(), Instant.EPOCH);

        assertThat(ModelBundle.load(dir.resolve("smoothed")).smoothing()).isEqualTo(0.25);
        assertThat(ModelBundle.load(dir.resolve("plain")).smoothing()).isEqualTo(1.0);
        assertThat(b.version()).isNotEqualTo(a.version());
        JsonNode manifest = new ObjectMapper().readTree(Files.readAllBytes(dir.resolve("plain").resolve(ModelBundle.MANIFEST)));
        assertThat(manifest.has("smoothing")).as("no smoothing section when readings are scored raw").isFalse();
    }
}
