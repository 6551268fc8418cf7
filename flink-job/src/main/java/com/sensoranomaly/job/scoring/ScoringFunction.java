package com.sensoranomaly.job.scoring;

import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.deadletter.DeadLetterReason;
import com.sensoranomaly.job.idle.IdleTimer;
import com.sensoranomaly.job.ingest.Reading;
import com.sensoranomaly.model.DeviceModel;
import com.sensoranomaly.model.ReadingScorer;
import com.sensoranomaly.model.Scored;
import com.sensoranomaly.model.Smoothing;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Where readings are scored. Keyed by device: keeps the device's model window, imputes missing
 * values, runs the model in force (a {@link Detector}: the bundle's model, plain Java, or the device's own model of
 * normal once it has one) and emits the reconstruction error with the threshold in force for the device.
 *
 * <p>Ordering rule: the model window must hold a device's readings in event-time order, so a reading
 * not newer than the device's newest one is not scored; it goes to the dead-letter topic as
 * OUT_OF_ORDER (re-encoded, with its source coordinates) and can be replayed. Producers keep a device's
 * readings in order by keying them by device id. Readings behind the watermark but in order for their
 * device are scored normally and counted as late ({@code scoring.lateReadings}).
 *
 * <p>Model updates arrive on the broadcast input as a ready {@link Detector} (loaded and verified once, by the
 * update's validator); switching is replacing the detector in force. The broadcast state keeps it, so a restarted
 * job comes back on it. Devices move onto it at their next reading ({@link DeviceCalibrator#migrate}).
 *
 * <p>Clock corrections: a device whose newest reading lies more than {@code clockSkew} ahead of the wall clock, and
 * which then sends a reading within it, had a clock that ran ahead and was corrected. Its model window restarts at that
 * reading ({@code scoring.clockCorrections}); otherwise one reading from the future would make every real reading
 * after it OUT_OF_ORDER until the wall clock caught up.
 *
 * <p>A device silent for {@code idleTimeout} <em>in event time</em> (the fleet's watermark passes its newest reading
 * plus the timeout) has its state dropped: after the job itself was down, the backlog is read in event time, so the
 * outage does not count as the devices' silence. When the whole fleet is silent the watermark stops and nothing is
 * dropped: that is an ingestion outage, which the pipeline's own monitoring reports. A processing-time TTL of
 * {@link #ttlBackstop} stays as a backstop against state that no watermark ever reaches.
 */
public final class ScoringFunction extends KeyedBroadcastProcessFunction<String, Reading, ModelSwitch, ScoredReading> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ScoringFunction.class);

    public static final OutputTag<DeadLetterEvent> DEAD_LETTERS = new OutputTag<>("out-of-order") {};

    /** Broadcast state: the detector switched to (serialized), under {@link #IN_FORCE}, once a model update arrived. */
    public static final MapStateDescriptor<String, byte[]> MODEL = new MapStateDescriptor<>("model-in-force", Types.STRING,
            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    static final String IN_FORCE = "detector";

    private final Detector submitted;
    private final Duration idleTimeout;
    private final IdleTimer idleTimer;
    private final long clockSkewMs;
    private final boolean embed;
    private final int modelCacheSize;

    /** Devices whose fitted models a subtask keeps deserialized, by default (see {@link DeviceModelCache}). */
    public static final int DEFAULT_MODEL_CACHE = 2048;

    // The detector in force, and what each subtask derives from it; a switch replaces all three together.
    private transient Detector detector;
    private transient ReadingScorer scorer;
    private transient Smoothing smoothing;
    private transient boolean restoredChecked;

    private transient ValueState<DeviceState> state;
    /**
     * The device's own fitted model, apart from {@link #state}: it never changes once fitted (8.6 KB at the default
     * window), while the device's state changes at every reading. Kept together, every reading rewrote the model too:
     * a serialization per reading on RocksDB and nearly the whole state in every incremental checkpoint.
     */
    private transient ValueState<DeviceModel> model;
    /** A warming device's readings, in blocks appended once each (see {@link WarmupBlocks}). */
    private transient ListState<float[]> warmup;
    private transient DeviceModelCache models;
    private transient WarmupBlocks warmupBlocks;
    private transient long ttlMs;
    private transient MetricGroup metrics;
    private transient java.util.Set<String> versionGauges;
    private transient Counter switches;
    private transient Counter switchFailures;
    private transient Counter scored;
    private transient Counter notScored;
    private transient Counter imputedValues;
    private transient Counter late;
    private transient Counter outOfOrder;
    private transient Counter migrated;
    private transient Counter clockCorrections;
    private transient Counter idleDropped;
    private transient Counter modelReads;
    private transient Histogram scores;
    private transient Histogram scoringNanos;
    private transient volatile long lastEventTime = Long.MIN_VALUE;
    private transient long seen;

    public ScoringFunction(Detector detector, Duration idleTimeout, Duration clockSkew) {
        this(detector, idleTimeout, clockSkew, false);
    }

    /** As above; with {@code embed}, scored readings carry the bundle's latent code ({@link ScoredReading#latent}). */
    public ScoringFunction(Detector detector, Duration idleTimeout, Duration clockSkew, boolean embed) {
        this(detector, idleTimeout, clockSkew, embed, DEFAULT_MODEL_CACHE);
    }

    /** As above, keeping up to {@code modelCacheSize} devices' fitted models deserialized per subtask (0: none). */
    public ScoringFunction(Detector detector, Duration idleTimeout, Duration clockSkew, boolean embed, int modelCacheSize) {
        this.modelCacheSize = modelCacheSize;
        this.embed = embed;
        this.submitted = detector;
        this.idleTimeout = idleTimeout;
        this.idleTimer = new IdleTimer(idleTimeout);
        this.clockSkewMs = clockSkew.toMillis();
    }

    /**
     * The processing-time TTL kept under the event-time idle cleanup: long enough (a week, or twice the idle timeout)
     * that a restore after any ordinary outage finds the state, short enough that devices gone for good leave.
     */
    static Duration ttlBackstop(Duration idleTimeout) {
        Duration week = Duration.ofDays(7);
        Duration twice = idleTimeout.multipliedBy(2);
        return twice.compareTo(week) > 0 ? twice : week;
    }

    @Override
    public void open(OpenContext ctx) {
        ttlMs = ttlBackstop(idleTimeout).toMillis();
        state = getRuntimeContext().getState(deviceStateDescriptor(idleTimeout));
        ValueStateDescriptor<DeviceModel> modelDesc = new ValueStateDescriptor<>("device-model", DeviceModel.class);
        modelDesc.enableTimeToLive(ttl(idleTimeout));
        model = getRuntimeContext().getState(modelDesc);
        ListStateDescriptor<float[]> warmupDesc = new ListStateDescriptor<>("device-warmup", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        warmupDesc.enableTimeToLive(ttl(idleTimeout));
        warmup = getRuntimeContext().getListState(warmupDesc);
        models = new DeviceModelCache(modelCacheSize);
        warmupBlocks = new WarmupBlocks() {
            @Override
            public void append(float[] block) throws Exception {
                warmup.add(block);
            }

            @Override
            public Iterable<float[]> blocks() throws Exception {
                Iterable<float[]> b = warmup.get();
                return b == null ? java.util.List.of() : b;
            }

            @Override
            public void clear() {
                warmup.clear();
            }
        };

        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("scoring");
        metrics = g;
        versionGauges = new java.util.HashSet<>();
        switches = g.counter("modelSwitches");
        switchFailures = g.counter("modelSwitchFailures");
        scored = g.counter("readingsScored");
        notScored = g.counter("readingsNotScored");
        imputedValues = g.counter("imputedValues");
        late = g.counter("lateReadings");
        migrated = g.counter("devicesMigrated");
        clockCorrections = g.counter("clockCorrections");
        idleDropped = g.counter("idleDevicesDropped");
        modelReads = g.counter("deviceModelReads");
        outOfOrder = getRuntimeContext().getMetricGroup().addGroup("ingest").addGroup("deadLetters")
                .counter(DeadLetterReason.OUT_OF_ORDER.metricName());
        scores = g.histogram("score", new DescriptiveStatisticsHistogram(1000));
        scoringNanos = g.histogram("scoringTimeNanos", new DescriptiveStatisticsHistogram(1000));
        g.gauge("eventTimeLagMs", () -> lastEventTime == Long.MIN_VALUE ? 0L : System.currentTimeMillis() - lastEventTime);
        install(submitted);
    }

    /** The device's state as this function keeps it (its name, type and time to live make it restorable). */
    static ValueStateDescriptor<DeviceState> deviceStateDescriptor(Duration idleTimeout) {
        ValueStateDescriptor<DeviceState> desc = new ValueStateDescriptor<>("device", DeviceState.class);
        desc.enableTimeToLive(ttl(idleTimeout));
        return desc;
    }

    private static StateTtlConfig ttl(Duration idleTimeout) {
        return StateTtlConfig.newBuilder(ttlBackstop(idleTimeout))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                // One entry checked per access (default 5): silent devices still get dropped over time, and the
                // profile showed the default sweep as 15 % of the scoring thread.
                .cleanupIncrementally(1, false)
                .build();
    }

    /** Makes {@code d} the detector in force. Devices move onto it lazily, at their next reading. */
    private void install(Detector d) {
        detector = d;
        scorer = d.newScorer();
        smoothing = d.newSmoothing();
        String v = d.version();
        if (versionGauges.add(v)) {
            metrics.addGroup("model", v).gauge("loaded", () -> detector.version().equals(v) ? 1 : 0);
        }
    }

    /** Installs the detector a switch carries; false (detector unchanged) if it cannot be read. */
    private boolean switchTo(byte[] serialized, String version) {
        try {
            Detector d = ModelSwitch.decode(serialized, getRuntimeContext().getUserCodeClassLoader());
            if (d.version().equals(detector.version())) {
                return true;
            }
            String from = detector.version();
            install(d);
            switches.inc();
            LOG.info("scoring switched from model {} to {}", from, d.version());
            return true;
        } catch (Exception | LinkageError e) {
            switchFailures.inc();
            LOG.warn("cannot switch to model {}; scoring stays on {}: {}", version, detector.version(), e.toString());
            return false;
        }
    }

    @Override
    public void processBroadcastElement(ModelSwitch sw, Context ctx, Collector<ScoredReading> out) throws Exception {
        // Every subtask records the same detector (broadcast state must not diverge), even if its own install fails.
        ctx.getBroadcastState(MODEL).put(IN_FORCE, sw.detector);
        restoredChecked = true;
        switchTo(sw.detector, sw.version);
    }

    @Override
    public void processElement(Reading r, ReadOnlyContext ctx, Collector<ScoredReading> out) throws Exception {
        if (!restoredChecked) {
            // After a restore, the broadcast state holds the detector the job had switched to (if any).
            restoredChecked = true;
            byte[] inForce = ctx.getBroadcastState(MODEL).get(IN_FORCE);
            if (inForce != null) {
                switchTo(inForce, "(restored)");
            }
        }
        DeviceCalibrator calibrator = detector.calibrator();
        double globalThreshold = detector.globalThreshold();
        long now = ctx.timerService().currentProcessingTime();
        DeviceState s = state.value();
        DeviceModel own = null;
        if (s == null) {
            s = calibrator.newState();
        } else {
            DeviceModel legacy = calibrator.takeLegacyModel(s);
            if (legacy != null) {
                // State from before the fitted model had its own state: the model moves there, once.
                keepModel(r.deviceId, s, legacy, now);
                own = legacy;
            }
            if (calibrator.builtForAnotherModel(s)) {
                // Restored from a savepoint taken with another model (an upgrade): carry over what describes the device.
                if (own == null && calibrator.hasDeviceModel(s)) {
                    own = readModel(r.deviceId, s);
                }
                s = calibrator.migrate(s, own);
                if (!calibrator.hasDeviceModel(s) && own != null) {
                    dropModel(r.deviceId);
                    own = null;
                }
                migrated.inc();
            }
        }
        if (r.eventTime <= s.window.lastEventTime && clockCorrected(s.window.lastEventTime, r.eventTime)) {
            clockCorrections.inc();
            LOG.debug("device {}: newest reading was {} ms ahead of the wall clock; window restarts at {}", r.deviceId,
                    s.window.lastEventTime - System.currentTimeMillis(), r.eventTime);
            s.window = s.window.restarted();
        }
        if (r.eventTime <= s.window.lastEventTime) {
            outOfOrder.inc();
            DeadLetterEvent d = DeadLetterEvent.of(DeadLetterReason.OUT_OF_ORDER.name(),
                    "event time " + r.eventTime + " is not after the device's newest reading (" + s.window.lastEventTime
                            + "); the model window must stay in time order", null, r.sourceTopic, r.sourcePartition,
                    r.sourceOffset, Long.MIN_VALUE, r.deviceId.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    r.encode(detector.features()));
            d.deviceId = r.deviceId;
            ctx.output(DEAD_LETTERS, d);
            return;
        }
        if (r.eventTime < ctx.timerService().currentWatermark()) {
            late.inc();
        }
        lastEventTime = r.eventTime;
        s.idleTimer = idleTimer.move(ctx.timerService(), s.idleTimer, r.eventTime);
        // Timing every reading would cost more than the work it measures: sample one in 64.
        boolean timed = (++seen & 63) == 0;
        long start = timed ? System.nanoTime() : 0;

        double[] raw = r.values.clone();
        // First, as in training: calibration and scoring both see the device's smoothed readings.
        smoothing.apply(s.window, raw, r.eventTime);
        ScoredReading result = new ScoredReading();
        result.deviceId = r.deviceId;
        result.eventTime = r.eventTime;
        result.values = r.values;
        result.labels = r.labels;
        result.modelVersion = detector.version();

        if (calibrator.hasDeviceModel(s) && own == null) {
            own = readModel(r.deviceId, s);
            if (own == null) {
                // Its model's state expired apart from the device's (a processing-time backstop): learn it again.
                calibrator.restartWarmup(s);
            }
        }
        if (own != null) {
            // The device's own model of normal, fitted from its warm-up, scores it from then on. Per-sensor errors
            // only for a reading over the device's threshold: they explain an alert, and cost a second product.
            Scored sc = own.score(raw, s.modelWindow, s.modelSlot, s.threshold);
            s.modelSlot = (s.modelSlot + 1) % own.window;
            if (now - s.modelWrittenAt > ttlMs / 2) {
                keepModel(r.deviceId, s, own, now);
            }
            if (embed) {
                // The code comes from the bundle's encoder, which needs its window kept up to date for this.
                scorer.score(s.window, raw, r.eventTime);
                result.latent = scorer.latentOfLastScored();
            }
            s.window.lastEventTime = r.eventTime;
            state.update(s);
            result.deviceModel = true;
            // The device model's control limit × threshold.scale.
            emit(result, sc, sc.expected(), s.threshold, false, own.featureErrorMean, timed, start, out);
            return;
        }
        // A device fitting its own model keeps its warm-up readings; the bundle's model scores them meanwhile.
        DeviceModel fitted = calibrator.observeWarmup(s, raw, warmupBlocks);
        if (fitted != null) {
            keepModel(r.deviceId, s, fitted, now);
        }
        if (calibrator.estimatingBaseline(s)) {
            calibrator.observeBaseline(s, raw);
            s.window.lastEventTime = r.eventTime;
            state.update(s);
            result.score = Double.NaN;
            result.threshold = globalThreshold;
            result.calibrating = true;
            notScored.inc();
            out.collect(result);
            return;
        }
        calibrator.correct(s, raw);
        Scored sc = scorer.score(s.window, raw, r.eventTime);
        if (embed) {
            result.latent = scorer.latentOfLastScored();
        }
        calibrator.observeScore(s, sc.score(), globalThreshold);
        state.update(s);

        double[] expected = sc.expected();
        calibrator.uncorrect(s, expected);
        // A device that has just fitted its own model still had this reading scored by the bundle's model.
        boolean justFitted = fitted != null;
        emit(result, sc, expected, justFitted ? globalThreshold : calibrator.thresholdFor(s, globalThreshold),
                calibrator.calibrating(s) || justFitted, detector.model().featureErrorMean(), timed, start, out);
    }

    /**
     * Writes the device's fitted model to its state: once when fitted, then only as often as its time to live needs
     * (half of it), so a device that keeps sending keeps its model.
     */
    private void keepModel(String device, DeviceState s, DeviceModel m, long now) throws java.io.IOException {
        model.update(m);
        s.modelWrittenAt = now;
        models.put(device, now, m);
    }

    /**
     * The device's fitted model: the subtask's deserialized copy if it holds the one the state was stamped with, else
     * read from the state (on RocksDB: read and deserialized). Null if the model's state expired apart from the device's.
     */
    private DeviceModel readModel(String device, DeviceState s) throws java.io.IOException {
        DeviceModel m = models.get(device, s.modelWrittenAt);
        if (m == null) {
            modelReads.inc();
            m = model.value();
            if (m != null) {
                models.put(device, s.modelWrittenAt, m);
            }
        }
        return m;
    }

    /** Fitted models read from the state rather than the subtask's copy (the {@code scoring.deviceModelReads} metric). */
    long deviceModelReads() {
        return modelReads.getCount();
    }

    private void dropModel(String device) {
        model.clear();
        models.remove(device);
    }

    /** True if the device's newest time is implausibly far ahead of the wall clock and the new one is not. */
    private boolean clockCorrected(long newest, long eventTime) {
        long limit = System.currentTimeMillis() + clockSkewMs;
        return newest > limit && eventTime <= limit;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ScoredReading> out) throws Exception {
        DeviceState s = state.value();
        if (s != null && IdleTimer.fired(timestamp, ctx.timeDomain(), s.idleTimer)) {
            idleDropped.inc();
            state.clear();
            dropModel((String) ctx.getCurrentKey());
            warmup.clear();
        }
    }

    /** Fills in a scored reading's verdict and evidence (from whichever model scored it), counts it and emits it. */
    private void emit(ScoredReading result, Scored sc, double[] expected, double threshold, boolean calibrating,
                      double[] featureErrorNorm, boolean timed, long start, Collector<ScoredReading> out) {
        result.score = sc.score();
        result.threshold = threshold;
        result.calibrating = calibrating;
        result.expected = expected;
        result.featureErrors = sc.featureErrors();
        result.featureErrorNorm = featureErrorNorm;
        result.imputedMask = mask(sc.imputed());
        imputedValues.inc(sc.imputedCount());
        if (sc.isWarmingUp()) {
            notScored.inc();
        } else {
            scored.inc();
            scores.update((long) (sc.score() * 1e6)); // histograms take longs: micro-units of score
        }
        if (timed) {
            scoringNanos.update(System.nanoTime() - start);
        }
        out.collect(result);
    }

    private static long mask(boolean[] imputed) {
        long mask = 0;
        for (int j = 0; j < imputed.length && j < 64; j++) {
            if (imputed[j]) {
                mask |= 1L << j;
            }
        }
        return mask;
    }
}
