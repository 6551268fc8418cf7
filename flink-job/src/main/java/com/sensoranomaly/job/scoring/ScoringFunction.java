package com.sensoranomaly.job.scoring;

import com.sensoranomaly.job.ingest.DeadLetterReason;
import com.sensoranomaly.job.ingest.Reading;
import com.sensoranomaly.job.output.DeadLetterEvent;
import com.sensoranomaly.job.output.Encoders;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Imputation;
import com.sensoranomaly.model.ReadingScorer;
import com.sensoranomaly.model.Reconstructor;
import com.sensoranomaly.model.Scored;
import com.sensoranomaly.model.Smoothing;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;

/**
 * Where readings are scored. Keyed by device: keeps the device's model window, imputes missing
 * values, runs the autoencoder (plain Java forward pass over the bundle's weights) and emits the
 * reconstruction error with the threshold in force for the device.
 *
 * <p>Ordering rule: the model window must hold a device's readings in event-time order, so a reading
 * not newer than the device's newest one is not scored; it goes to the dead-letter topic as
 * OUT_OF_ORDER (re-encoded, with its source coordinates) and can be replayed. Producers keep a device's
 * readings in order by keying them by device id. Readings behind the watermark but in order for their
 * device are scored normally and counted as late ({@code scoring.lateReadings}).
 *
 * <p>State of a device that sends nothing for {@code idleTimeout} expires (processing-time TTL).
 */
public final class ScoringFunction extends KeyedProcessFunction<String, Reading, ScoredReading> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetterEvent> DEAD_LETTERS = new OutputTag<>("out-of-order") {};

    private final AnomalyModel model;
    private final Imputation imputation;
    private final DeviceCalibrator calibrator;
    private final double globalThreshold;
    private final Duration idleTimeout;
    private final Reconstructor.Factory engine;
    private final Smoothing smoothing;

    private transient ValueState<DeviceState> state;
    private transient ReadingScorer scorer;
    private transient Counter scored;
    private transient Counter notScored;
    private transient Counter imputedValues;
    private transient Counter late;
    private transient Counter outOfOrder;
    private transient Counter migrated;
    private transient Histogram scores;
    private transient Histogram scoringNanos;
    private transient volatile long lastEventTime = Long.MIN_VALUE;
    private transient long seen;

    public ScoringFunction(AnomalyModel model, Imputation imputation, DeviceCalibrator calibrator,
                           double globalThreshold, Duration idleTimeout) {
        this(model, imputation, calibrator, globalThreshold, idleTimeout, Reconstructor.PLAIN_JAVA);
    }

    /** With another forward-pass engine (benchmarks compare engines on the same job). */
    public ScoringFunction(AnomalyModel model, Imputation imputation, DeviceCalibrator calibrator,
                           double globalThreshold, Duration idleTimeout, Reconstructor.Factory engine) {
        this.engine = engine;
        this.model = model;
        this.imputation = imputation;
        this.calibrator = calibrator;
        this.globalThreshold = globalThreshold;
        this.idleTimeout = idleTimeout;
        this.smoothing = Smoothing.of(model, imputation.maxAge());
    }

    @Override
    public void open(OpenContext ctx) {
        ValueStateDescriptor<DeviceState> desc = new ValueStateDescriptor<>("device", DeviceState.class);
        desc.enableTimeToLive(StateTtlConfig.newBuilder(idleTimeout)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                // One entry checked per access (default 5): silent devices still get dropped over time, and the
                // profile showed the default sweep as 15 % of the scoring thread.
                .cleanupIncrementally(1, false)
                .build());
        state = getRuntimeContext().getState(desc);
        scorer = new ReadingScorer(model, imputation, engine.create(model));

        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("scoring");
        scored = g.counter("readingsScored");
        notScored = g.counter("readingsNotScored");
        imputedValues = g.counter("imputedValues");
        late = g.counter("lateReadings");
        migrated = g.counter("devicesMigrated");
        outOfOrder = getRuntimeContext().getMetricGroup().addGroup("ingest").addGroup("deadLetters")
                .counter(DeadLetterReason.OUT_OF_ORDER.metricName());
        scores = g.histogram("score", new DescriptiveStatisticsHistogram(1000));
        scoringNanos = g.histogram("scoringTimeNanos", new DescriptiveStatisticsHistogram(1000));
        g.gauge("eventTimeLagMs", () -> lastEventTime == Long.MIN_VALUE ? 0L : System.currentTimeMillis() - lastEventTime);
        g.addGroup("model", model.version()).gauge("loaded", () -> 1);
    }

    @Override
    public void processElement(Reading r, Context ctx, Collector<ScoredReading> out) throws Exception {
        DeviceState s = state.value();
        if (s == null) {
            s = calibrator.newState();
        } else if (calibrator.builtForAnotherModel(s)) {
            // Restored from a savepoint taken with another model (an upgrade): carry over what describes the device.
            s = calibrator.migrate(s);
            migrated.inc();
        }
        if (r.eventTime <= s.window.lastEventTime) {
            outOfOrder.inc();
            DeadLetterEvent d = DeadLetterEvent.of(DeadLetterReason.OUT_OF_ORDER.name(),
                    "event time " + r.eventTime + " is not after the device's newest reading (" + s.window.lastEventTime
                            + "); the model window must stay in time order", null, r.sourceTopic, r.sourcePartition,
                    r.sourceOffset, Long.MIN_VALUE, Encoders.utf8(r.deviceId), Encoders.encodeReading(r, model));
            d.deviceId = r.deviceId;
            ctx.output(DEAD_LETTERS, d);
            return;
        }
        if (r.eventTime < ctx.timerService().currentWatermark()) {
            late.inc();
        }
        lastEventTime = r.eventTime;
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
        boolean hadThreshold = !Double.isNaN(s.threshold);
        calibrator.observeScore(s, sc.score());
        if (!hadThreshold && !Double.isNaN(s.threshold)) {
            s.thresholdRatio = s.threshold / globalThreshold;
        }
        state.update(s);

        double[] expected = sc.expected();
        calibrator.uncorrect(s, expected);
        long mask = 0;
        boolean[] imputed = sc.imputed();
        for (int j = 0; j < imputed.length && j < 64; j++) {
            if (imputed[j]) {
                mask |= 1L << j;
            }
        }
        result.score = sc.score();
        result.threshold = calibrator.thresholdFor(s, globalThreshold);
        result.calibrating = calibrator.calibrating(s);
        result.expected = expected;
        result.featureErrors = sc.featureErrors();
        result.imputedMask = mask;
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
}
