package com.sensoranomaly.job.scoring;

import com.sensoranomaly.job.TestModels;
import com.sensoranomaly.job.config.JobConfig.Calibration;
import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.ingest.Reading;
import com.sensoranomaly.job.scoring.ModelSwitch;
import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.DenseLayer;
import com.sensoranomaly.model.Imputation;
import com.sensoranomaly.model.Reconstructor;
import com.sensoranomaly.model.ModelBundle;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScoringFunctionHarnessTest {
    private final AnomalyModel model = TestModels.correlatedPair();

    private KeyedBroadcastOperatorTestHarness<String, Reading, ModelSwitch, ScoredReading> harness(Calibration mode, int events)
            throws Exception {
        return harness(model, mode, events, null);
    }

    private static KeyedBroadcastOperatorTestHarness<String, Reading, ModelSwitch, ScoredReading> harness(
            AnomalyModel m, Calibration mode, int events, OperatorSubtaskState restoreFrom) throws Exception {
        ScoringFunction f = new ScoringFunction(Detector.create(m, settings(mode, events)), Duration.ofHours(1), Duration.ofMinutes(1));
        var h = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(f, List.of(ScoringFunction.MODEL)),
                Reading::getDeviceId, Types.STRING, 128, 1, 0);
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static Detector.Settings settings(Calibration mode, int events) {
        return new Detector.Settings(Imputation.DEFAULT, mode, events, 0, 1.0, Double.NaN, Reconstructor.PLAIN_JAVA);
    }

    @Test
    void shouldScoreEachDevicesSmoothedReadingsAndKeepTheSmoothingThroughARestore() throws Exception {
        // Weight 0.5: each smoothed value is the mean of the new reading and the previous level.
        AnomalyModel m = TestModels.correlatedPair();
        AnomalyModel smoothed = new AnomalyModel(m.version(), m.features(), 1, m.scaler(), m.featureStats(), m.network(),
                m.threshold(), m.thresholdQuantile(), m.errorStats(), m.featureErrorMean(), 0.5);
        OperatorSubtaskState snapshot;
        try (var h = harness(smoothed, Calibration.NONE, 10, null)) {
            h.processElement(reading("d", 1000, 1, 1), 1000);
            h.processElement(reading("d", 2000, 1, 3), 2000); // b smoothed to 2
            h.processElement(reading("e", 2000, 1, 3), 2000); // another device starts from its own first reading
            assertThat(h.extractOutputValues()).extracting(r -> r.score).containsExactly(0.0, 0.25, 1.0);
            snapshot = h.snapshot(1, 3000);
        }
        try (var h = harness(smoothed, Calibration.NONE, 10, snapshot)) {
            h.processElement(reading("d", 3000, 1, 3), 3000); // b: (2 + 3) / 2 = 2.5, so (1 - 2.5)² / 4
            ScoredReading r = h.extractOutputValues().get(0);
            assertThat(r.score).isCloseTo(0.5625, within(1e-12));
            assertThat(r.values).as("alerts carry the readings as sent").containsExactly(1, 3);
        }
    }

    @Test
    void shouldScoreAWarmingDeviceWithTheBundlesModelThenWithItsOwnModelKeptThroughARestore() throws Exception {
        // A device at its own operating point (a ≈ 5, b ≈ -2 = -0.4·a), far from the bundle model's a = b.
        java.util.Random rnd = new java.util.Random(3);
        OperatorSubtaskState snapshot;
        int events = 40; // auto window: 40 / (5 × 2 features) = 4 readings
        try (var h = harness(model, Calibration.DEVICE_MODEL, events, null)) {
            for (int i = 0; i < events; i++) {
                double a = 5 + rnd.nextGaussian() * 0.1;
                h.processElement(reading("d", 1000L * (i + 1), a, -0.4 * a + rnd.nextGaussian() * 0.01), 1000L * (i + 1));
            }
            List<ScoredReading> warm = h.extractOutputValues();
            assertThat(warm).hasSize(events).allSatisfy(r -> {
                assertThat(r.calibrating).isTrue();
                assertThat(r.deviceModel).isFalse();
                assertThat(r.threshold).as("the global threshold meanwhile").isEqualTo(model.threshold());
            });
            assertThat(warm.get(0).exceeds()).as("the bundle's model finds this operating point anomalous").isTrue();
            snapshot = h.snapshot(1, 50_000);
        }
        try (var h = harness(model, Calibration.DEVICE_MODEL, events, snapshot)) {
            h.processElement(reading("d", 100_000, 5.0, -2.0), 100_000);
            h.processElement(reading("d", 101_000, 5.0, 2.0), 101_000); // b stops following a
            List<ScoredReading> out = h.extractOutputValues();
            ScoredReading normal = out.get(0), broken = out.get(1);
            assertThat(normal.deviceModel).isTrue();
            assertThat(normal.calibrating).isFalse();
            assertThat(normal.exceeds()).as("normal for this device").isFalse();
            assertThat(broken.exceeds()).isTrue();
            assertThat(broken.threshold).isEqualTo(normal.threshold).isNotEqualTo(model.threshold());
            assertThat(normal.expected[1]).as("expected b in raw units, from the device's relation").isCloseTo(-2.0, within(0.1));
            assertThat(broken.expected[1]).as("the model expects b well below what was sent").isLessThan(1.0);
        }
    }

    @Test
    void shouldFitTheSameModelWhenTheWarmupIsInterruptedByARestore() throws Exception {
        int events = 40; // two blocks of 16 readings moved out, 8 in the device's state at the fit
        double[][] readings = new double[events + 3][];
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < readings.length; i++) {
            double a = 5 + rnd.nextGaussian() * 0.1;
            readings[i] = new double[] {a, -0.4 * a + rnd.nextGaussian() * 0.01};
        }
        List<ScoredReading> straight;
        try (var h = harness(model, Calibration.DEVICE_MODEL, events, null)) {
            for (int i = 0; i < readings.length; i++) {
                h.processElement(reading("d", 1000L * (i + 1), readings[i][0], readings[i][1]), 1000L * (i + 1));
            }
            straight = h.extractOutputValues();
        }
        OperatorSubtaskState mid;
        try (var h = harness(model, Calibration.DEVICE_MODEL, events, null)) {
            for (int i = 0; i < 25; i++) {
                h.processElement(reading("d", 1000L * (i + 1), readings[i][0], readings[i][1]), 1000L * (i + 1));
            }
            mid = h.snapshot(1, 30_000);
        }
        try (var h = harness(model, Calibration.DEVICE_MODEL, events, mid)) {
            for (int i = 25; i < readings.length; i++) {
                h.processElement(reading("d", 1000L * (i + 1), readings[i][0], readings[i][1]), 1000L * (i + 1));
            }
            List<ScoredReading> resumed = h.extractOutputValues();
            assertThat(resumed.subList(resumed.size() - 3, resumed.size())).extracting(r -> r.deviceModel).containsOnly(true);
            assertThat(resumed.subList(resumed.size() - 3, resumed.size())).extracting(r -> r.score)
                    .as("the readings moved out before the snapshot are in the fit").containsExactlyElementsOf(
                            straight.subList(straight.size() - 3, straight.size()).stream().map(r -> r.score).toList());
        }
    }

    @Test
    void shouldMoveAFittedModelKeptInTheDevicesStateByAnEarlierVersionIntoItsOwnStateAndScoreOn() throws Exception {
        // State as versions before the split wrote it: the fitted model, with its window ring, inside the device's state.
        java.util.Random rnd = new java.util.Random(3);
        int events = 40;
        Detector detector = Detector.create(model, settings(Calibration.DEVICE_MODEL, events));
        DeviceCalibrator calibrator = detector.calibrator();
        DeviceState legacy = calibrator.newState();
        com.sensoranomaly.model.DeviceModel fitted = null;
        WarmupBlocks.InMemory blocks = new WarmupBlocks.InMemory();
        for (int i = 0; i < events; i++) {
            double a = 5 + rnd.nextGaussian() * 0.1;
            fitted = calibrator.observeWarmup(legacy, new double[] {a, -0.4 * a + rnd.nextGaussian() * 0.01}, blocks);
        }
        fitted.recent = legacy.modelWindow;
        fitted.next = legacy.modelSlot;
        legacy.modelWindow = null;
        legacy.deviceModel = fitted;
        legacy.window.lastEventTime = 40_000;
        com.sensoranomaly.model.DeviceModel reference = copyOf(fitted);
        OperatorSubtaskState snapshot;
        var writer = new org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness<String, String, String>(
                new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(new LegacyStateWriter(legacy)), k -> k, Types.STRING, 128, 1, 0);
        try (writer) {
            writer.open();
            writer.processElement("d", 40_000);
            snapshot = writer.snapshot(1, 50_000);
        }

        try (var h = harness(model, Calibration.DEVICE_MODEL, events, snapshot)) {
            h.processElement(reading("d", 100_000, 5.0, -2.0), 100_000);
            h.processElement(reading("d", 101_000, 5.0, 2.0), 101_000); // b stops following a
            List<ScoredReading> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.deviceModel).containsExactly(true, true);
            assertThat(out.get(0).score).as("scored on by the same model and window").isEqualTo(reference.score(new double[] {5.0, -2.0}).score());
            assertThat(out.get(1).score).isEqualTo(reference.score(new double[] {5.0, 2.0}).score());
            assertThat(out.get(1).exceeds()).isTrue();
            assertThat(out.get(1).featureErrors).as("a reading over the threshold is explained").isNotNull();
            assertThat(out.get(0).featureErrors).as("a normal one is not").isNull();
            OperatorSubtaskState moved = h.snapshot(2, 102_000);
            try (var again = harness(model, Calibration.DEVICE_MODEL, events, moved)) {
                again.processElement(reading("d", 102_000, 5.0, -2.0), 102_000);
                assertThat(again.extractOutputValues().get(0).score).as("the moved model survives the next restore")
                        .isEqualTo(reference.score(new double[] {5.0, -2.0}).score());
            }
        }
    }

    private static com.sensoranomaly.model.DeviceModel copyOf(com.sensoranomaly.model.DeviceModel m) throws Exception {
        var serializer = org.apache.flink.api.common.typeinfo.TypeInformation.of(com.sensoranomaly.model.DeviceModel.class)
                .createSerializer(new org.apache.flink.api.common.ExecutionConfig().getSerializerConfig());
        return serializer.copy(m);
    }

    /** Writes one prepared device state under the scoring function's state name, as an earlier version would have. */
    private static final class LegacyStateWriter extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, String, String> {
        private final DeviceState prepared;

        LegacyStateWriter(DeviceState prepared) {
            this.prepared = prepared;
        }

        @Override
        public void processElement(String key, Context ctx, org.apache.flink.util.Collector<String> out) throws Exception {
            getRuntimeContext().getState(ScoringFunction.deviceStateDescriptor(Duration.ofHours(1))).update(prepared);
        }
    }

    /** Two devices fit their own models on RocksDB, are scored by them, and again after a restore; what came out of each part. */
    private List<List<String>> scoredOnRocksDb(int modelCache, long[] reads) throws Exception {
        int events = 40;
        java.util.Random rnd = new java.util.Random(5);
        List<List<String>> parts = new java.util.ArrayList<>();
        OperatorSubtaskState snapshot = null;
        long t = 0;
        for (int part = 0; part < 2; part++) {
            ScoringFunction f = new ScoringFunction(Detector.create(model, settings(Calibration.DEVICE_MODEL, events)),
                    Duration.ofHours(1), Duration.ofMinutes(1), false, modelCache);
            try (var h = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(f, List.of(ScoringFunction.MODEL)),
                    Reading::getDeviceId, Types.STRING, 128, 1, 0)) {
                h.setStateBackend(new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend());
                if (snapshot != null) {
                    h.initializeState(snapshot);
                }
                h.open();
                for (int i = 0; i < (part == 0 ? events + 20 : 20); i++) {
                    t += 1000;
                    for (String d : List.of("d1", "d2")) {
                        double a = 5 + rnd.nextGaussian() * 0.1;
                        // Now and then b stops following a: some readings over the device's limit, with their evidence.
                        double b = i % 7 == 6 ? 2.0 : -0.4 * a + rnd.nextGaussian() * 0.01;
                        h.processElement(reading(d, t, a, b), t);
                    }
                }
                parts.add(h.extractOutputValues().stream().map(r -> r.deviceId + " " + r.deviceModel + " " + r.score + " "
                        + r.threshold + " " + java.util.Arrays.toString(r.expected)).toList());
                reads[part] = f.deviceModelReads();
                snapshot = h.snapshot(1, t);
            }
        }
        return parts;
    }

    @Test
    void shouldScoreAlikeFromTheSubtasksCopyOfEachDevicesModelAndReadItFromRocksDbOnlyAfterARestore() throws Exception {
        long[] uncached = new long[2], cached = new long[2];
        List<List<String>> without = scoredOnRocksDb(0, uncached);
        List<List<String>> with = scoredOnRocksDb(ScoringFunction.DEFAULT_MODEL_CACHE, cached);
        assertThat(without.get(0)).filteredOn(r -> r.contains(" true ")).as("20 readings of each device by its own model").hasSize(40);
        assertThat(with).isEqualTo(without);
        assertThat(uncached).as("without the copy, each such reading reads its model from the state").containsExactly(40, 40);
        assertThat(cached).as("with it: never before the restore (the fit put it there), once per device after").containsExactly(0, 2);
    }

    private static Reading reading(String device, long t, double a, double b) {
        Reading r = new Reading(device, t, new double[] {a, b}, Map.of());
        r.sourceTopic = "readings";
        return r;
    }

    @Test
    void shouldScoreTheReconstructionErrorOfObservedFeatures() throws Exception {
        try (var h = harness(Calibration.NONE, 10)) {
            h.processElement(reading("d", 1000, 1.0, 1.0), 1000);
            h.processElement(reading("d", 2000, 1.0, 2.0), 2000);
            List<ScoredReading> out = h.extractOutputValues();
            assertThat(out.get(0).score).isCloseTo(0.0, within(1e-12));
            assertThat(out.get(1).score).isCloseTo(0.25, within(1e-12));
            assertThat(out.get(1).exceeds()).isTrue();
        }
    }

    @Test
    void shouldNotCountImputedValuesTowardTheScore() throws Exception {
        try (var h = harness(Calibration.NONE, 10)) {
            h.processElement(reading("d", 1000, 1.5, Double.NaN), 1000);
            ScoredReading r = h.extractOutputValues().get(0);
            assertThat(r.imputedMask).isEqualTo(0b10);
            assertThat(r.score).as("model imputation pulls b toward a; only a is judged").isLessThan(TestModels.THRESHOLD);
        }
    }

    @Test
    void shouldDeadLetterAReadingOlderThanTheDevicesNewest() throws Exception {
        try (var h = harness(Calibration.NONE, 10)) {
            h.processElement(reading("d", 5000, 1.0, 1.0), 5000);
            h.processElement(reading("d", 4000, 1.0, 1.0), 4000);
            h.processElement(reading("other", 4000, 1.0, 1.0), 4000);
            assertThat(h.extractOutputValues()).hasSize(2);
            var dead = h.getSideOutput(ScoringFunction.DEAD_LETTERS);
            assertThat(dead).hasSize(1);
            DeadLetterEvent d = dead.iterator().next().getValue();
            assertThat(d.reason).isEqualTo("OUT_OF_ORDER");
            assertThat(d.deviceId).isEqualTo("d");
            assertThat(d.value).isNotEmpty();
        }
    }

    @Test
    void shouldRestartTheWindowOfADeviceWhoseClockRanAheadInsteadOfBlindingIt() throws Exception {
        long now = System.currentTimeMillis();
        try (var h = harness(Calibration.NONE, 10)) {
            h.processElement(reading("d", now - 2000, 1.0, 1.0), now - 2000);
            // One reading a day ahead (within validation.max-future): a clock that jumped, then was corrected.
            h.processElement(reading("d", now + 86_400_000L, 1.0, 1.0), now);
            h.processElement(reading("d", now - 1000, 1.0, 1.0), now);
            h.processElement(reading("d", now, 1.0, 1.0), now);
            assertThat(h.extractOutputValues()).as("the readings after the jump are scored").hasSize(4);
            assertThat(h.getSideOutput(ScoringFunction.DEAD_LETTERS)).isNull();
            // Within the skew tolerance, order still rules: an older reading after a newer one is out of order.
            h.processElement(reading("d", now - 500, 1.0, 1.0), now);
            assertThat(h.getSideOutput(ScoringFunction.DEAD_LETTERS)).hasSize(1);
        }
    }

    @Test
    void shouldDropTheStateOfADeviceSilentInEventTimeButNotAfterAnOutageOfTheJob() throws Exception {
        try (var h = harness(Calibration.NONE, 10)) {
            h.processElement(reading("quiet", 1000, 1.0, 1.0), 1000);
            h.processElement(reading("busy", 1000, 1.0, 1.0), 1000);
            h.setProcessingTime(Duration.ofDays(1).toMillis()); // the job was down a day: no device was silent meanwhile
            // Its state is there: an older reading is out of order (state kept, not expired by the outage).
            h.processElement(reading("quiet", 900, 1.0, 1.0), 900);
            assertThat(h.getSideOutput(ScoringFunction.DEAD_LETTERS)).hasSize(1);
            long t = 1000;
            while (t < Duration.ofHours(2).toMillis()) {
                h.processElement(reading("busy", t += 60_000, 1.0, 1.0), t);
                h.watermark(t - 5_000); // both inputs: the model-updates input never holds event time back
            }
            // Silent for an hour of the fleet's event time: its state is gone, so the same older reading starts it afresh.
            h.processElement(reading("quiet", 900, 1.0, 1.0), 900);
            assertThat(h.getSideOutput(ScoringFunction.DEAD_LETTERS)).hasSize(1);
            assertThat(h.extractOutputValues()).filteredOn(r -> r.deviceId.equals("quiet")).hasSize(2);
            assertThat(h.numEventTimeTimers()).as("busy's timer and quiet's new one").isEqualTo(2);
        }
    }

    @Test
    void shouldUseTheGlobalThresholdUntilTheDeviceHasCalibratedItsOwn() throws Exception {
        try (var h = harness(Calibration.THRESHOLD, 10)) {
            for (int i = 0; i < 15; i++) {
                // This device's normal state has a constant disagreement of 0.4: score 0.04, above the global threshold.
                h.processElement(reading("d", 1000L * (i + 1), 1.0, 1.4), 1000L * (i + 1));
            }
            List<ScoredReading> out = h.extractOutputValues();
            assertThat(out.get(0).threshold).isEqualTo(TestModels.THRESHOLD);
            assertThat(out.get(0).calibrating).isTrue();
            assertThat(out.get(14).calibrating).isFalse();
            assertThat(out.get(14).threshold).isCloseTo(0.04, within(1e-9));
        }
    }

    @Test
    void shouldMapTheDevicesOperatingPointAndSpreadOntoTheTrainingDataInBaselineMode() throws Exception {
        try (var h = harness(Calibration.BASELINE, 20)) {
            for (int i = 0; i < 40; i++) {
                // This device runs 0.4 higher on b, with the training spread (0.1): a and b still move together.
                double wiggle = i % 2 == 0 ? 0.1 : -0.1;
                h.processElement(reading("d", 1000L * (i + 1), 1.0 + wiggle, 1.4 + wiggle), 1000L * (i + 1));
            }
            h.processElement(reading("d", 50_000, 1.0, 2.4), 50_000);
            List<ScoredReading> out = h.extractOutputValues();
            assertThat(out.subList(0, 10)).allMatch(r -> Double.isNaN(r.score) && r.calibrating);
            assertThat(out.get(15).score).as("the device's usual offset scores 0").isCloseTo(0.0, within(1e-12));
            assertThat(out.get(40).score).as("a change beyond the device's normal still shows").isCloseTo(0.25, within(1e-9));
            assertThat(out.get(40).expected[1]).as("expected values are in the device's own units").isCloseTo(1.9, within(1e-9));
        }
    }

    @Test
    void shouldFloorTheSpreadOfASensorThatWasFlatDuringCalibration() throws Exception {
        try (var h = harness(Calibration.BASELINE, 20)) {
            for (int i = 0; i < 20; i++) {
                h.processElement(reading("d", 1000L * (i + 1), 1.0, 1.4), 1000L * (i + 1));
            }
            h.processElement(reading("d", 30_000, 1.0, 1.41), 30_000);
            List<ScoredReading> out = h.extractOutputValues();
            // Spread floored at 5 % of training (0.005): a 0.01 change maps to 0.2 training units, score 0.2² / 4.
            assertThat(out.get(20).score).isCloseTo(0.01, within(1e-9));
        }
    }

    /** The correlated pair over a window of two readings, as another model version with another threshold. */
    private static AnomalyModel pairOverTwoReadings(String version, List<String> features, double threshold) {
        AnomalyModel m = TestModels.correlatedPair();
        // input [a0, b0, a1, b1] -> [mean0, mean1] -> [mean0, mean0, mean1, mean1]; W is nIn rows of nOut
        double[] w1 = {0.5, 0, 0.5, 0, 0, 0.5, 0, 0.5};
        double[] w2 = {1, 1, 0, 0, 0, 0, 1, 1};
        Autoencoder net = new Autoencoder(List.of(
                new DenseLayer(4, 2, w1, new double[2], Activation.IDENTITY),
                new DenseLayer(2, 4, w2, new double[4], Activation.IDENTITY)));
        return new AnomalyModel(version, features, 2, m.scaler(), m.featureStats(), net, threshold, m.thresholdQuantile(),
                m.errorStats(), m.featureErrorMean());
    }

    /** Calibrates device d on model m (baseline from 2 readings, threshold from 2) and returns the snapshot. */
    private static OperatorSubtaskState calibratedOn(AnomalyModel m) throws Exception {
        try (var h = harness(m, Calibration.BASELINE, 4, null)) {
            h.processElement(reading("d", 1000, 1.0, 1.0), 1000);
            h.processElement(reading("d", 2000, 1.2, 1.2), 2000); // baseline: mean 1.1, spread 0.1 = training spread
            h.processElement(reading("d", 3000, 1.1, 1.2), 3000); // mapped to (1.0, 1.1): score 0.0025
            h.processElement(reading("d", 4000, 1.2, 1.1), 4000);
            ScoredReading last = h.extractOutputValues().get(3);
            assertThat(last.calibrating).isFalse();
            assertThat(last.threshold).as("device threshold, a quarter of the global 0.01").isCloseTo(0.0025, within(1e-12));
            return h.snapshot(1, 5000);
        }
    }

    @Test
    void shouldCarryTheDevicesBaselineOverToAnUpgradedModelAndBridgeItsThresholdUntilRecalibrated() throws Exception {
        OperatorSubtaskState savepoint = calibratedOn(model);
        AnomalyModel upgraded = pairOverTwoReadings("pair-w2", List.of("a", "b"), 0.04);
        try (var h = harness(upgraded, Calibration.BASELINE, 4, savepoint)) {
            h.processElement(reading("d", 4000, 1.1, 1.1), 4000); // not newer than the device's newest: still refused
            h.processElement(reading("d", 5000, 1.1, 1.1), 5000); // the new model's window of two fills
            h.processElement(reading("d", 6000, 1.1, 1.3), 6000);
            assertThat(h.getSideOutput(ScoringFunction.DEAD_LETTERS)).hasSize(1);
            List<ScoredReading> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(out.get(0).score).as("window filling").isNaN();
            ScoredReading r = out.get(1);
            // The baseline carried over (no new estimation): mapped (1.0, 1.0) then (1.0, 1.2); the newest pair
            // scores (0.2 / 2)², the older 0: mean over the window's four entries 0.005.
            assertThat(r.score).isCloseTo(0.005, within(1e-12));
            assertThat(r.calibrating).as("the threshold recalibrates on the new model").isTrue();
            assertThat(r.threshold).as("meanwhile the old ratio (1/4) of the new global threshold").isCloseTo(0.01, within(1e-12));
        }
    }

    @Test
    void shouldStartADeviceAfreshWhenTheUpgradedModelHasOtherFeatures() throws Exception {
        OperatorSubtaskState savepoint = calibratedOn(model);
        AnomalyModel other = pairOverTwoReadings("xy-w2", List.of("x", "y"), 0.04);
        try (var h = harness(other, Calibration.BASELINE, 4, savepoint)) {
            h.processElement(reading("d", 5000, 1.1, 1.1), 5000);
            ScoredReading r = h.extractOutputValues().get(0);
            assertThat(r.calibrating).isTrue();
            assertThat(r.score).as("estimating the baseline again: not scored").isNaN();
            assertThat(r.threshold).as("the new model's global threshold").isEqualTo(0.04);
        }
    }

    @TempDir
    java.nio.file.Path dir;

    /** Writes a bundle of the window-2 pair model (threshold 0.04) and returns it, versioned by its content. */
    private AnomalyModel bundleOfPairOverTwoReadings() throws Exception {
        return ModelBundle.write(dir, pairOverTwoReadings("unversioned", List.of("a", "b"), 0.04), Map.of(), Instant.EPOCH);
    }

    @Test
    void shouldSwitchToABroadcastModelWithoutARestartAndMoveEachDeviceOverAtItsNextReading() throws Exception {
        AnomalyModel b = bundleOfPairOverTwoReadings();
        try (var h = harness(model, Calibration.BASELINE, 4, null)) {
            h.processElement(reading("d", 1000, 1.0, 1.0), 1000);
            h.processElement(reading("d", 2000, 1.2, 1.2), 2000);
            h.processElement(reading("d", 3000, 1.1, 1.2), 3000);
            h.processElement(reading("d", 4000, 1.2, 1.1), 4000); // calibrated on the submitted model: threshold 0.0025
            h.processBroadcastElement(ModelSwitch.of(dir.toString(), Detector.create(b, settings(Calibration.BASELINE, 4))), 4500);
            h.processElement(reading("d", 5000, 1.1, 1.1), 5000);
            h.processElement(reading("d", 6000, 1.1, 1.3), 6000);
            List<ScoredReading> out = h.extractOutputValues();
            assertThat(out.get(3).modelVersion).isEqualTo(model.version());
            ScoredReading after = out.get(5);
            assertThat(after.modelVersion).isEqualTo(b.version());
            assertThat(after.score).as("the new model's window of two, the baseline carried over").isCloseTo(0.005, within(1e-12));
            assertThat(after.threshold).as("old ratio 1/4 of the new global 0.04").isCloseTo(0.01, within(1e-12));
            byte[] kept = h.getBroadcastState(ScoringFunction.MODEL).get(ScoringFunction.IN_FORCE);
            assertThat(org.apache.flink.util.InstantiationUtil.<Detector>deserializeObject(kept, getClass().getClassLoader()).version())
                    .as("the detector in force is kept in broadcast state").isEqualTo(b.version());
        }
    }

    @Test
    void shouldKeepScoringWithItsModelWhenASwitchCannotBeRead() throws Exception {
        try (var h = harness(Calibration.NONE, 10)) {
            ModelSwitch broken = new ModelSwitch();
            broken.bundle = dir.toString();
            broken.version = "0000000000000000";
            broken.detector = new byte[] {1, 2, 3}; // not a serialized detector
            h.processBroadcastElement(broken, 500);
            h.processElement(reading("d", 1000, 1.0, 2.0), 1000);
            ScoredReading r = h.extractOutputValues().get(0);
            assertThat(r.modelVersion).isEqualTo(model.version());
            assertThat(r.score).isCloseTo(0.25, within(1e-12));
        }
    }

    @Test
    void shouldComeBackOnTheSwitchedToModelAfterARestore() throws Exception {
        AnomalyModel b = bundleOfPairOverTwoReadings();
        OperatorSubtaskState checkpoint;
        try (var h = harness(model, Calibration.NONE, 10, null)) {
            h.processBroadcastElement(ModelSwitch.of(dir.toString(), Detector.create(b, settings(Calibration.NONE, 10))), 500);
            h.processElement(reading("d", 1000, 1.0, 1.0), 1000);
            checkpoint = h.snapshot(1, 1500);
        }
        // The job restarts with the model it was submitted with; the broadcast state says which one it had switched to.
        try (var h = harness(model, Calibration.NONE, 10, checkpoint)) {
            h.processElement(reading("d", 2000, 1.0, 2.0), 2000);
            ScoredReading r = h.extractOutputValues().get(0);
            assertThat(r.modelVersion).isEqualTo(b.version());
            // The device's window survived the restore: (1, 1), (1, 2); the newest pair is off its mean by 1/2 in
            // both entries, (1/2)² twice over four entries: 0.125.
            assertThat(r.score).isCloseTo(0.125, within(1e-12));
        }
    }
}
