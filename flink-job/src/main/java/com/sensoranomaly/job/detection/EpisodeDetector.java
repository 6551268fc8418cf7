package com.sensoranomaly.job.detection;

import com.sensoranomaly.job.idle.IdleTimer;
import com.sensoranomaly.job.scoring.ScoredReading;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Applies the windowed threshold rule per device and turns episode changes into alerts: one FIRING
 * when an episode opens, one RESOLVED when it closes. Both carry the same alert id, derived from the
 * device, the episode's start (event time) and the model version, so it is the same after a restart
 * and a replay: downstream tools can deduplicate on it.
 *
 * <p>A device silent for {@code idleTimeout} in event time (the watermark, which the rest of the fleet advances, passes
 * its newest reading plus the timeout) has an open episode resolved ("stopped reporting") and its state dropped; one
 * timer per device, moved at most once per {@code idleTimeout/60}. Event time, not processing time: after a restore
 * from an outage longer than the timeout, devices that kept reporting meanwhile are read up in event time and keep
 * their episodes; a processing-time timer would resolve all of them at once and re-fire them under new ids. The
 * RESOLVED alert carries the labels of the FIRING one, so alert managers that key on labels close the same alert.
 *
 * <p>A restore with another {@code rule.n} resizes each device's ring on its next reading (newest scores kept).
 */
public final class EpisodeDetector extends KeyedProcessFunction<String, ScoredReading, AlertEvent> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<ScoreEvent> SCORES = new OutputTag<>("scores") {};

    private final EpisodeRule rule;
    /** The features readings are decoded into: the same for every model a running job switches to. */
    private final List<String> features;
    private final int topFeatures;
    private final IdleTimer idleTimer;
    private final boolean emitScores;

    private transient ValueState<EpisodeState> state;
    private transient Counter firing;
    private transient Counter resolved;

    public EpisodeDetector(EpisodeRule rule, List<String> features, int topFeatures, Duration idleTimeout, boolean emitScores) {
        this.rule = rule;
        this.features = List.copyOf(features);
        this.topFeatures = topFeatures;
        this.idleTimer = new IdleTimer(idleTimeout);
        this.emitScores = emitScores;
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("episode", EpisodeState.class));
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("alerts");
        firing = g.counter("firing");
        resolved = g.counter("resolved");
    }

    @Override
    public void processElement(ScoredReading r, Context ctx, Collector<AlertEvent> out) throws Exception {
        EpisodeState s = state.value();
        if (s == null) {
            s = EpisodeState.create(rule.n());
        } else if (s.scores.length != rule.n()) {
            rule.resize(s);
        }
        s.idleTimer = idleTimer.move(ctx.timerService(), s.idleTimer, r.eventTime);
        if (r.isScored() && r.deviceModel != s.deviceModel) {
            // The device moved onto its own model: the scores in the ring are on another scale. An episode the bundle's
            // model opened is judged by the model now in force: it closes at the first reading that model finds normal.
            s.filled = 0;
            s.next = 0;
            s.deviceModel = r.deviceModel;
            if (s.open) {
                s.normalRun = rule.clear() - 1;
            }
        }
        if (r.isScored()) {
            EpisodeRule.Transition t = rule.apply(s, r.eventTime, r.score, r.threshold);
            if (t == EpisodeRule.Transition.OPENED) {
                s.modelVersion = r.modelVersion;
                s.alertId = alertId(r.deviceId, s.episodeStart, r.modelVersion);
                s.severity = severity(rule.mean(s) / r.threshold);
                s.labels = r.labels;
                firing.inc();
                out.collect(alert(AlertEvent.FIRING, s, r, ctx.timerService().currentProcessingTime()));
            } else if (t == EpisodeRule.Transition.CLOSED) {
                resolved.inc();
                AlertEvent a = alert(AlertEvent.RESOLVED, s, r, ctx.timerService().currentProcessingTime());
                if (s.labels != null) {
                    a.labels = s.labels; // the FIRING alert's labels: the same alert in every label-keyed tool
                }
                out.collect(a);
                s.alertId = null;
                s.labels = null;
            }
        }
        state.update(s);
        if (emitScores) {
            ScoreEvent e = new ScoreEvent();
            e.deviceId = r.deviceId;
            e.eventTime = r.eventTime;
            e.score = r.score;
            e.threshold = r.threshold;
            e.exceeds = r.isScored() && r.exceeds();
            e.inEpisode = s.open;
            e.imputed = Long.bitCount(r.imputedMask);
            e.modelVersion = r.modelVersion;
            ctx.output(SCORES, e);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out) throws Exception {
        EpisodeState s = state.value();
        if (s == null || !IdleTimer.fired(timestamp, ctx.timeDomain(), s.idleTimer)) {
            return;
        }
        if (s.open) {
            resolved.inc();
            AlertEvent a = new AlertEvent();
            fillEpisode(a, AlertEvent.RESOLVED, s, ctx.getCurrentKey(), timestamp);
            long last = Long.MIN_VALUE;
            for (int i = 0; i < s.filled; i++) {
                last = Math.max(last, s.times[i]);
            }
            a.eventTime = last;
            a.episodeEnd = last;
            a.score = Double.NaN;
            a.threshold = Double.NaN;
            a.topFeatures = new String[0];
            a.topErrors = a.topShares = a.topObserved = a.topExpected = new double[0];
            a.imputedFeatures = new String[0];
            a.labels = s.labels == null ? java.util.Map.of() : s.labels;
            a.summary = ctx.getCurrentKey() + ": anomaly RESOLVED, the device stopped reporting (no reading for "
                    + idleTimer.timeout() + ") after " + s.episodeEvents + " readings in the episode";
            out.collect(a);
        }
        state.clear();
    }

    private AlertEvent alert(String status, EpisodeState s, ScoredReading r, long now) {
        AlertEvent a = new AlertEvent();
        fillEpisode(a, status, s, r.deviceId, now);
        a.modelVersion = r.modelVersion;
        a.eventTime = r.eventTime;
        a.episodeEnd = AlertEvent.RESOLVED.equals(status) ? r.eventTime : Long.MIN_VALUE;
        a.score = r.score;
        a.threshold = r.threshold;
        a.windowExceeding = rule.exceeding(s, r.threshold);
        a.labels = r.labels == null ? java.util.Map.of() : r.labels;
        topFeatures(a, r);
        List<String> imputed = new ArrayList<>();
        for (int j = 0; j < features.size() && j < 64; j++) {
            if ((r.imputedMask & (1L << j)) != 0) {
                imputed.add(features.get(j));
            }
        }
        a.imputedFeatures = imputed.toArray(new String[0]);
        a.summary = summary(a, r.deviceId);
        return a;
    }

    private void fillEpisode(AlertEvent a, String status, EpisodeState s, String device, long now) {
        a.alertId = s.alertId;
        a.deviceId = device;
        a.status = status;
        a.severity = SEVERITIES[s.severity];
        a.episodeStart = s.episodeStart;
        a.detectionTime = now;
        a.windowSize = s.filled;
        a.windowMean = rule.mean(s);
        a.windowMax = rule.max(s);
        a.episodeEvents = s.episodeEvents;
        a.episodePeak = s.peakScore;
        // The model that opened the episode (the model in force may have switched since).
        a.modelVersion = s.modelVersion;
    }

    /** Ranks features by their error relative to their normal error ({@link TopFeatures}). */
    private void topFeatures(AlertEvent a, ScoredReading r) {
        // Normalised by the normal errors of the model that scored the reading (the bundle's or the device's own).
        List<TopFeatures.Contribution> top = TopFeatures.rank(r.featureErrors, r.featureErrorNorm, r.values, r.expected, topFeatures);
        int n = top.size();
        a.topFeatures = new String[n];
        a.topErrors = new double[n];
        a.topShares = new double[n];
        a.topObserved = new double[n];
        a.topExpected = new double[n];
        for (int i = 0; i < n; i++) {
            TopFeatures.Contribution c = top.get(i);
            a.topFeatures[i] = features.get(c.index());
            a.topErrors[i] = c.error();
            a.topShares[i] = c.share();
            a.topObserved[i] = c.observed();
            a.topExpected[i] = c.expected();
        }
    }

    private String summary(AlertEvent a, String device) {
        StringBuilder sb = new StringBuilder(device).append(": anomaly ").append(a.status);
        if (a.isFiring()) {
            sb.append(" (").append(a.severity).append("), score ").append(fmt(a.score)).append(" vs threshold ")
                    .append(fmt(a.threshold)).append(", window mean ").append(fmt(a.windowMean));
        } else {
            sb.append(" after ").append(a.episodeEvents).append(" readings (")
                    .append(Duration.ofMillis(Math.max(0, a.eventTime - a.episodeStart)).toString().substring(2).toLowerCase(Locale.ROOT))
                    .append("), peak score ").append(fmt(a.episodePeak));
        }
        if (a.topFeatures.length > 0) {
            sb.append("; top: ");
            for (int i = 0; i < a.topFeatures.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(a.topFeatures[i]).append(' ').append(Math.round(a.topShares[i] * 100)).append('%');
            }
        }
        if (a.imputedFeatures.length > 0) {
            sb.append("; imputed: ").append(String.join(", ", a.imputedFeatures));
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static final String[] SEVERITIES = {"WARNING", "ERROR", "CRITICAL"};

    /** WARNING below 2x the threshold, ERROR below 4x, CRITICAL above. */
    static int severity(double ratio) {
        return ratio < 2 ? 0 : ratio < 4 ? 1 : 2;
    }

    /** Stable episode id: the same inputs give the same id on every run. */
    public static String alertId(String deviceId, long episodeStart, String modelVersion) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] h = md.digest((deviceId + "|" + episodeStart + "|" + modelVersion).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
