package com.sensoranomaly.job.detection;

import com.sensoranomaly.job.TestModels;
import com.sensoranomaly.job.config.JobConfig.RuleMode;
import com.sensoranomaly.job.scoring.ScoredReading;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EpisodeDetectorHarnessTest {
    private static final Duration IDLE = Duration.ofMinutes(10);
    private KeyedOneInputStreamOperatorTestHarness<String, ScoredReading, AlertEvent> harness;

    @BeforeEach
    void setUp() throws Exception {
        EpisodeDetector detector = new EpisodeDetector(new EpisodeRule(RuleMode.K_OF_N, 3, 5, 4),
                TestModels.correlatedPair().features(), 2, IDLE, true);
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(detector),
                ScoredReading::getDeviceId, Types.STRING);
        harness.open();
        harness.setProcessingTime(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static ScoredReading scored(String device, long t, double score) {
        ScoredReading r = new ScoredReading();
        r.deviceId = device;
        r.eventTime = t;
        r.score = score;
        r.threshold = 1.0;
        r.values = new double[] {1.0, Double.NaN};
        r.expected = new double[] {1.0, 1.0};
        r.featureErrors = new double[] {score, Double.NaN};
        r.imputedMask = 0b10;
        r.labels = Map.of("site", "plant-7");
        r.modelVersion = TestModels.correlatedPair().version();
        return r;
    }

    private void feed(String device, long t, double score) throws Exception {
        harness.processElement(scored(device, t, score), t);
    }

    @Test
    void shouldCloseAnEpisodeOfTheBundlesModelAtTheFirstReadingTheDevicesOwnModelFindsNormal() throws Exception {
        long t = 1_000;
        for (int i = 0; i < 5; i++) {
            feed("pump-2", t += 1000, 3.0); // warming up: the bundle's model finds the device anomalous
        }
        ScoredReading own = scored("pump-2", t += 1000, 0.2);
        own.deviceModel = true;
        own.threshold = 0.5;
        own.featureErrorNorm = new double[] {0.1, 0.1};
        harness.processElement(own, t);
        List<AlertEvent> alerts = harness.extractOutputValues();
        assertThat(alerts).extracting(a -> a.status).containsExactly("FIRING", "RESOLVED");

        // Its own model's scores start a fresh decision window: two exceedances are not yet three of five.
        for (int i = 0; i < 2; i++) {
            ScoredReading r = scored("pump-2", t += 1000, 0.9);
            r.deviceModel = true;
            r.threshold = 0.5;
            harness.processElement(r, t);
        }
        assertThat(harness.extractOutputValues()).hasSize(2);
    }

    @Test
    void shouldFireOnceAndResolveOnceWithTheSameAlertId() throws Exception {
        long t = 1_000;
        for (int i = 0; i < 5; i++) {
            feed("pump-1", t += 1000, 0.1);
        }
        for (int i = 0; i < 10; i++) {
            feed("pump-1", t += 1000, 3.0);
        }
        for (int i = 0; i < 6; i++) {
            feed("pump-1", t += 1000, 0.1);
        }
        List<AlertEvent> alerts = harness.extractOutputValues();
        assertThat(alerts).extracting(a -> a.status).containsExactly("FIRING", "RESOLVED");
        AlertEvent firing = alerts.get(0);
        AlertEvent resolved = alerts.get(1);
        assertThat(firing.alertId).isEqualTo(resolved.alertId)
                .isEqualTo(EpisodeDetector.alertId("pump-1", 7_000, TestModels.correlatedPair().version()));
        assertThat(firing.episodeStart).isEqualTo(7_000);
        assertThat(firing.eventTime).as("third exceeding reading of the window").isEqualTo(9_000);
        assertThat(firing.windowExceeding).isEqualTo(3);
        assertThat(firing.severity).isEqualTo("WARNING");
        assertThat(firing.imputedFeatures).containsExactly("b");
        assertThat(firing.topFeatures).containsExactly("a");
        assertThat(firing.labels).containsEntry("site", "plant-7");
        assertThat(firing.summary).contains("pump-1", "FIRING", "imputed: b");
        assertThat(resolved.episodeEnd).isEqualTo(20_000);
        assertThat(resolved.episodeEvents).as("opening reading + 7 more exceeding + 4 normal").isEqualTo(12);
        assertThat(harness.getSideOutput(EpisodeDetector.SCORES)).hasSize(21);
    }

    @Test
    void shouldKeepDevicesApart() throws Exception {
        long t = 0;
        for (int i = 0; i < 5; i++) {
            t += 1000;
            feed("pump-1", t, 3.0);
            feed("pump-2", t, 0.1);
        }
        assertThat(harness.extractOutputValues()).extracting(a -> a.deviceId).containsExactly("pump-1");
    }

    @Test
    void shouldResolveOpenEpisodeAndDropStateWhenTheFleetsEventTimePassesTheDevicesSilence() throws Exception {
        for (int i = 1; i <= 4; i++) {
            feed("pump-1", i * 1000L, 3.0);
        }
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).as("one idle timer per device").isEqualTo(1);

        // Hours of processing time (the job was down, say) mean nothing: idleness is measured in event time.
        harness.setProcessingTime(IDLE.toMillis() * 10);
        assertThat(harness.extractOutputValues()).extracting(a -> a.status).containsExactly("FIRING");

        harness.processWatermark(4_000L + IDLE.toMillis() + 60_000);
        List<AlertEvent> alerts = harness.extractOutputValues();
        assertThat(alerts).extracting(a -> a.status).containsExactly("FIRING", "RESOLVED");
        assertThat(alerts.get(1).summary).contains("stopped reporting");
        assertThat(alerts.get(1).alertId).isEqualTo(alerts.get(0).alertId);
        assertThat(alerts.get(1).labels).as("the FIRING alert's labels, so label-keyed tools close the same alert")
                .isEqualTo(alerts.get(0).labels).containsEntry("site", "plant-7");
        assertThat(harness.numKeyedStateEntries()).as("state dropped").isZero();
        assertThat(harness.numEventTimeTimers()).as("no timer left").isZero();
    }

    @Test
    void shouldKeepAnEpisodeOpenWhileTheDeviceKeepsReportingInEventTime() throws Exception {
        long t = 0;
        for (int i = 1; i <= 100; i++) {
            feed("pump-1", t += 30_000L, 3.0);
            harness.processWatermark(t - 5_000);
        }
        assertThat(harness.extractOutputValues()).extracting(a -> a.status).containsExactly("FIRING");
        assertThat(harness.numEventTimeTimers()).as("the timer moves, none is added").isEqualTo(1);
    }

    @Test
    void shouldResizeTheDecisionWindowWhenRestoredUnderAnotherN() throws Exception {
        for (int i = 1; i <= 4; i++) {
            feed("pump-1", i * 1000L, i <= 2 ? 0.1 : 3.0);
        }
        var snapshot = harness.snapshot(1, 1);
        harness.close();
        // rule.n 5 -> 3 (k 3): the restored ring keeps its newest three scores, 0.1, 3, 3; one more exceedance fires.
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new EpisodeDetector(
                new EpisodeRule(RuleMode.K_OF_N, 3, 3, 1), TestModels.correlatedPair().features(), 2, IDLE, false)),
                ScoredReading::getDeviceId, Types.STRING);
        harness.initializeState(snapshot);
        harness.open();
        feed("pump-1", 5_000, 3.0);
        assertThat(harness.extractOutputValues()).extracting(a -> a.status).containsExactly("FIRING");
        assertThat(harness.extractOutputValues().get(0).episodeStart).isEqualTo(3_000);
    }
}
