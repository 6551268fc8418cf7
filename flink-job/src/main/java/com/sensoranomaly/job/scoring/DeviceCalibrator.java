package com.sensoranomaly.job.scoring;

import com.sensoranomaly.job.config.JobConfig.Calibration;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.DeviceModel;
import com.sensoranomaly.model.DeviceWindow;
import com.sensoranomaly.model.Quantiles;

import java.io.Serializable;

/**
 * Per-device calibration from a device's first readings, for fleets whose devices differ from the
 * training data (another operating point, another sensor calibration). Until it is done the device
 * uses the bundle's global threshold: the cold-start fallback.
 *
 * <ul>
 *   <li>THRESHOLD: the first {@code events} scored readings set the device's threshold at the bundle's
 *       quantile of its own scores (times threshold.scale).</li>
 *   <li>BASELINE: the first half estimates each sensor's mean and spread on this device (its operating
 *       point and noise level); from then on every reading is mapped onto the training distribution,
 *       {@code x' = mean_train + (x - mean_device) · std_train / std_device}, so the model judges how the
 *       sensors move together rather than where this device happens to sit. The second half, scored after
 *       the mapping, sets the threshold as above. The model window restarts when the mapping is set, so no
 *       window mixes corrected and uncorrected readings.</li>
 *   <li>DEVICE_MODEL: the first {@code events} readings are kept (scored meanwhile by the bundle's model against
 *       the global threshold); then the device fits its own {@link DeviceModel} over windows of
 *       {@code deviceWindow} readings, with its own control limit, and is scored by it from the next reading on.
 *       The warm-up buffer is dropped once the model is fitted.</li>
 * </ul>
 */
public final class DeviceCalibrator implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * A device's spread is floored at this fraction of the training spread: a sensor that happened to be flat
     * during calibration must not turn every later wiggle into a huge error.
     */
    static final double MIN_SPREAD = 0.05;

    /** Warm-up readings a device's state holds before they move, as one block, to its {@link WarmupBlocks}. */
    static final int WARMUP_BLOCK = 16;

    private final Calibration mode;
    private final int events;
    private final double quantile;
    private final double scale;
    private final double[] trainingMean;
    private final double[] trainingStd;
    private final int features;
    private final int window;
    private final String modelVersion;
    private final int featureLayout;
    private final int deviceWindow;

    /** @param deviceWindow readings per window of a device model, 0 for {@link DeviceModel#autoWindow} */
    public DeviceCalibrator(Calibration mode, int events, int deviceWindow, double thresholdScale, AnomalyModel model) {
        this.mode = mode;
        this.deviceWindow = deviceWindow > 0 ? deviceWindow : DeviceModel.autoWindow(events, model.features().size());
        this.events = events;
        this.quantile = model.thresholdQuantile();
        this.scale = thresholdScale;
        this.trainingMean = model.featureStats().mean();
        this.trainingStd = model.featureStats().std();
        this.features = model.features().size();
        this.window = model.window();
        this.modelVersion = model.version();
        this.featureLayout = model.features().hashCode();
    }

    public boolean enabled() {
        return mode != Calibration.NONE;
    }

    public DeviceState newState() {
        DeviceState s = new DeviceState();
        s.modelVersion = modelVersion;
        s.featureLayout = featureLayout;
        s.window = DeviceWindow.empty(window, features);
        if (mode == Calibration.BASELINE) {
            s.baselineSum = new double[features];
            s.baselineSeen = new int[features];
            s.baselineSq = new double[features];
        } else if (mode == Calibration.THRESHOLD) {
            s.calibrationScores = new double[events];
        } else if (mode == Calibration.DEVICE_MODEL) {
            s.warmup = new float[Math.min(events, WARMUP_BLOCK) * features];
        }
        return s;
    }

    /** Whether this device is scored by its own model (fitted from its warm-up; kept in a state of its own). */
    public boolean hasDeviceModel(DeviceState s) {
        return s.modelWindow != null;
    }

    /**
     * State written before the fitted model had a state of its own holds it in {@link DeviceState#deviceModel}: takes
     * it out (its window ring moves into the device's state) and returns it, for the caller to keep in the model's
     * state; null if there is none.
     */
    public DeviceModel takeLegacyModel(DeviceState s) {
        DeviceModel m = s.deviceModel;
        if (m == null) {
            return null;
        }
        s.deviceModel = null;
        s.modelWindow = m.recent;
        s.modelSlot = m.next;
        m.recent = null;
        m.next = 0;
        return m;
    }

    /**
     * A device whose own model is gone (its model's state expired apart from the device's) learns it again: a new
     * warm-up, scored meanwhile by the bundle's model; what else describes the device stays.
     */
    public void restartWarmup(DeviceState s) {
        s.modelWindow = null;
        s.modelSlot = 0;
        s.threshold = Double.NaN;
        s.warmupCount = 0;
        s.warmupMoved = 0;
        s.warmup = mode == Calibration.DEVICE_MODEL ? new float[Math.min(events, WARMUP_BLOCK) * features] : null;
    }

    /**
     * Keeps a warm-up reading of a device that will fit its own model (raw, smoothed if the model smooths); fits
     * the model when the warm-up is complete and returns it (null before that, and in other modes). The returned
     * model is the part that never changes, for the caller to keep in a state of its own; the window ring it scores
     * moves into the device's state ({@link DeviceState#modelWindow}).
     *
     * <p>The readings gather in the device's state ({@link DeviceState#warmup}) and move to {@code blocks} every
     * {@link #WARMUP_BLOCK} readings, so a reading rewrites at most one block's worth of state. State written by
     * earlier versions, whose buffer held the whole warm-up so far, moves it as one block at its next reading.
     */
    public DeviceModel observeWarmup(DeviceState s, double[] raw, WarmupBlocks blocks) throws Exception {
        if (s.warmup == null) {
            return null;
        }
        if (s.warmupCount == 0) {
            blocks.clear(); // a new warm-up: nothing from an earlier one counts
        }
        int held = s.warmupCount - s.warmupMoved;
        int at = held * features;
        if (at + features > s.warmup.length) {
            s.warmup = java.util.Arrays.copyOf(s.warmup, at + features);
        }
        for (int j = 0; j < features; j++) {
            s.warmup[at + j] = (float) raw[j]; // NaN stays NaN
        }
        s.warmupCount++;
        held++;
        if (s.warmupCount == events) {
            int moved = 0;
            for (float[] block : blocks.blocks()) {
                moved += block.length;
            }
            if (moved != s.warmupMoved * features) {
                // Blocks gone apart from the device's state (their time to live passed first: a device sending less
                // often than that): the warm-up starts over rather than fit on what is left.
                restartWarmup(s);
                blocks.clear();
                return null;
            }
            double[] readings = new double[events * features];
            int k = 0;
            for (float[] block : blocks.blocks()) {
                for (float v : block) {
                    readings[k++] = v;
                }
            }
            for (int i = 0; i < held * features; i++) {
                readings[k++] = s.warmup[i];
            }
            blocks.clear();
            DeviceModel m = DeviceModel.fit(readings, events, features, deviceWindow, DeviceModel.spreadFloor(trainingStd));
            s.threshold = m.limit * scale;
            s.warmup = null;
            s.warmupMoved = 0;
            s.modelWindow = m.recent;
            s.modelSlot = m.next;
            m.recent = null;
            m.next = 0;
            return m;
        }
        if (held >= WARMUP_BLOCK) {
            blocks.append(java.util.Arrays.copyOf(s.warmup, held * features));
            s.warmupMoved = s.warmupCount;
            if (s.warmup.length != WARMUP_BLOCK * features) {
                s.warmup = new float[WARMUP_BLOCK * features];
            }
        }
        return null;
    }

    /** Whether this device still estimates its baseline (its readings are then not scored). */
    public boolean estimatingBaseline(DeviceState s) {
        return s.baselineSum != null;
    }

    /** Takes a reading into the baseline estimate; sets the mapping when enough were seen. */
    public void observeBaseline(DeviceState s, double[] raw) {
        for (int j = 0; j < features; j++) {
            if (!Double.isNaN(raw[j])) {
                s.baselineSum[j] += raw[j];
                s.baselineSq[j] += raw[j] * raw[j];
                s.baselineSeen[j]++;
            }
        }
        s.baselineCount++;
        if (s.baselineCount >= events / 2) {
            // A feature never or once observed keeps the training distribution (offset 0, gain 1).
            double[] mean = trainingMean.clone();
            double[] spread = trainingStd.clone();
            for (int j = 0; j < features; j++) {
                if (s.baselineSeen[j] > 0) {
                    mean[j] = s.baselineSum[j] / s.baselineSeen[j];
                }
                if (s.baselineSeen[j] >= 2) {
                    double sd = Math.sqrt(Math.max(0, s.baselineSq[j] / s.baselineSeen[j] - mean[j] * mean[j]));
                    spread[j] = Math.max(sd, MIN_SPREAD * trainingStd[j]);
                }
            }
            setMapping(s, mean, spread);
            s.baselineSum = null;
            s.baselineSeen = null;
            s.baselineSq = null;
            s.window = s.window.restarted();
            s.calibrationScores = new double[events - events / 2];
        }
    }

    /** The mapping of a device whose sensors have these raw means and spreads onto this model's training data. */
    private void setMapping(DeviceState s, double[] mean, double[] spread) {
        s.deviceMean = mean;
        s.deviceStd = spread;
        s.offset = new double[features];
        s.gain = new double[features];
        for (int j = 0; j < features; j++) {
            s.offset[j] = mean[j] - trainingMean[j];
            s.gain[j] = trainingStd[j] / spread[j];
        }
    }

    /** Whether the state was built for another model (restored from a savepoint taken before a model upgrade). */
    public boolean builtForAnotherModel(DeviceState s) {
        return !modelVersion.equals(s.modelVersion);
    }

    /**
     * A device's state carried over to this model. What describes the device itself carries over when the
     * features are the same: its newest event time (the ordering rule), its smoothed sensor levels and its
     * baseline (mean and spread, re-mapped onto this model's training data). What depends on the model starts
     * afresh: the window (this model's size) and the threshold calibration, bridged meanwhile by the old
     * threshold's ratio to the global one. With other features, only the event time carries over. The device's own
     * model ({@code own}, null if none) carries over if it has this calibration's window; if it does not,
     * {@link #hasDeviceModel} is false for the state returned and the caller drops the model.
     */
    public DeviceState migrate(DeviceState old, DeviceModel own) {
        DeviceState s = newState();
        s.window.lastEventTime = old.window == null ? Long.MIN_VALUE : old.window.lastEventTime;
        if (old.featureLayout != featureLayout || old.window == null || old.window.lastRaw == null
                || old.window.lastRaw.length != features) {
            return s;
        }
        if (old.window.smoothed != null) {
            s.window.smoothed = old.window.smoothed.clone();
            s.window.smoothedAt = old.window.smoothedAt.clone();
        }
        s.thresholdRatio = old.thresholdRatio;
        if (mode == Calibration.DEVICE_MODEL && own != null && own.window == deviceWindow && old.modelWindow != null) {
            // The device's own model describes the device, not the bundle: it carries over as it is, with its window.
            s.modelWindow = old.modelWindow;
            s.modelSlot = old.modelSlot;
            s.modelWrittenAt = old.modelWrittenAt;
            s.threshold = own.limit * scale;
            s.warmup = null;
        }
        if (mode == Calibration.BASELINE && old.deviceMean != null) {
            setMapping(s, old.deviceMean, old.deviceStd);
            s.baselineSum = null;
            s.baselineSeen = null;
            s.baselineSq = null;
            s.calibrationScores = new double[events - events / 2];
        }
        return s;
    }

    /** The threshold in force for a device: its own, else the bridged one after a model change, else the global one. */
    public double thresholdFor(DeviceState s, double globalThreshold) {
        if (!Double.isNaN(s.threshold)) {
            return s.threshold;
        }
        return Double.isNaN(s.thresholdRatio) ? globalThreshold : globalThreshold * s.thresholdRatio;
    }

    /** Maps a raw reading onto the training distribution with the device's calibration, if any, in place. */
    public void correct(DeviceState s, double[] raw) {
        if (s.offset != null) {
            for (int j = 0; j < features; j++) {
                raw[j] = trainingMean[j] + (raw[j] - trainingMean[j] - s.offset[j]) * s.gain[j];
            }
        }
    }

    /** Maps values from the training frame back to the device's own units, in place. */
    public void uncorrect(DeviceState s, double[] values) {
        if (s.offset != null) {
            for (int j = 0; j < features; j++) {
                values[j] = trainingMean[j] + s.offset[j] + (values[j] - trainingMean[j]) / s.gain[j];
            }
        }
    }

    /**
     * Takes a score into the threshold estimate; sets the device threshold when enough were seen, and its ratio to
     * the global threshold in force ({@link #thresholdFor} bridges a model change with it).
     */
    public void observeScore(DeviceState s, double score, double globalThreshold) {
        if (s.calibrationScores == null || Double.isNaN(score)) {
            return;
        }
        s.calibrationScores[s.calibrationCount++] = score;
        if (s.calibrationCount == s.calibrationScores.length) {
            s.threshold = Quantiles.of(s.calibrationScores, quantile) * scale;
            s.thresholdRatio = s.threshold / globalThreshold;
            s.calibrationScores = null;
        }
    }

    public boolean calibrating(DeviceState s) {
        return enabled() && Double.isNaN(s.threshold);
    }
}
