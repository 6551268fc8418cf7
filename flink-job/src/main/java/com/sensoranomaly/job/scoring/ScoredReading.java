package com.sensoranomaly.job.scoring;

import java.util.Map;

/** One reading after scoring: its score, the threshold in force for its device, and the evidence. */
public class ScoredReading {
    public String deviceId;
    public long eventTime;
    /** NaN while the device's model window is still filling (not scored). */
    public double score;
    public double threshold;
    /** Raw observed values in model feature order (NaN = missing). */
    public double[] values;
    /** Reconstructed values of this reading in raw units. */
    public double[] expected;
    /** Per-feature mean squared error over the model window (scaled units). */
    public double[] featureErrors;
    /** Bit j set: feature j was imputed in this reading. */
    public long imputedMask;
    /** Per feature: the normal level of {@link #featureErrors} (null: the bundle model's per-feature error means). */
    public double[] featureErrorNorm;
    /** True when the device's own model scored the reading (calibration mode device-model, after its warm-up). */
    public boolean deviceModel;
    /** True while the device is still calibrating (it uses the global threshold meanwhile). */
    public boolean calibrating;
    public Map<String, String> labels;
    /**
     * The bundle's latent code of this reading ({@code Autoencoder#encode} of the model input the bundle's network saw);
     * null unless embeddings are on ({@code topic.embeddings}) and the bundle's network encoded the reading.
     */
    public double[] latent;
    /** Content version of the model that scored this reading. */
    public String modelVersion;

    public ScoredReading() {}

    public boolean isScored() {
        return !Double.isNaN(score);
    }

    public boolean exceeds() {
        return score > threshold;
    }

    public String getDeviceId() {
        return deviceId;
    }
}
