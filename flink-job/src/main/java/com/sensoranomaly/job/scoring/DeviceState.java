package com.sensoranomaly.job.scoring;

import com.sensoranomaly.model.DeviceModel;
import com.sensoranomaly.model.DeviceWindow;

/**
 * Keyed state of one device in the scoring operator: the model window and the per-device calibration.
 * The calibration fields stay null unless calibration is on, and the score buffer is dropped once the
 * device's threshold is set, so a calibrated device costs a few dozen bytes more than an uncalibrated one.
 */
public class DeviceState {
    public DeviceWindow window;
    /**
     * Raw warm-up readings not yet moved to the device's warm-up blocks ({@link WarmupBlocks}), as floats: half the
     * state of doubles, and sensor readings rarely carry more than seven significant digits. Null once the device's
     * own model is fitted, or if it fits none.
     */
    public float[] warmup;
    /** Warm-up readings so far (in the blocks and in {@link #warmup}). */
    public int warmupCount;
    /** Of those, the readings moved to the warm-up blocks (0 in state written before the blocks existed). */
    public int warmupMoved;
    /**
     * The device's own model as state written before the fitted model moved to a keyed state of its own
     * ({@link ScoringFunction}'s "device-model"); moved there at the device's next reading, null afterwards.
     */
    public DeviceModel deviceModel;
    /**
     * The last W readings the device's own model scores (W·F raw values, NaN = missing), oldest at
     * {@link #modelSlot} + 1 (mod W): the part of that model that changes at every reading. Null until the device has
     * its own model (calibration mode DEVICE_MODEL, once its warm-up is complete).
     */
    public double[] modelWindow;
    /** Where the device's next reading goes in {@link #modelWindow}. */
    public int modelSlot;
    /**
     * Processing time the device's own model was last written to its state: rewritten when older than half the state's
     * time to live, so that the model of a device that keeps sending never expires under it.
     */
    public long modelWrittenAt;
    /** Readings seen while estimating the baseline offsets (calibration mode BASELINE). */
    public int baselineCount;
    /** Per feature: sum, sum of squares and count of observed raw values during baseline estimation. */
    public double[] baselineSum;
    public int[] baselineSeen;
    public double[] baselineSq;
    /** Per feature: device mean minus training mean (null: not calibrated). */
    public double[] offset;
    /** Per feature: training spread / device spread (null: not calibrated). */
    public double[] gain;
    /** Scores collected for the device's own threshold (null once set or if off). */
    public double[] calibrationScores;
    public int calibrationCount;
    /** The device's own threshold; NaN while it still uses the global one. */
    public double threshold = Double.NaN;
    /**
     * The device's threshold as a multiple of the global one when it was set (NaN: never set). After a model
     * change it bridges the recalibration: the new model's global threshold times this ratio.
     */
    public double thresholdRatio = Double.NaN;
    /** Per feature: the device's own mean and (floored) spread of raw values, from baseline calibration (null: none). */
    public double[] deviceMean;
    public double[] deviceStd;
    /** Content version of the model this state was built for (null: state written before versions were kept). */
    public String modelVersion;
    /** Hash of that model's feature list: calibration carries over to a new model only if the features are the same. */
    public int featureLayout;
    /** The pending idle timer (event time), 0 if none. */
    public long idleTimer;

    public DeviceState() {}
}
