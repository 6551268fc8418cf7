package com.sensoranomaly.model;

/**
 * The scorer's verdict on one reading.
 *
 * @param score          mean squared reconstruction error over the observed entries of the model's window
 *                       (scaled units); NaN while the window is still filling
 * @param featureErrors  per feature: mean squared error over the window's observed entries of that feature
 *                       (NaN where none was observed); null where the scorer leaves a normal reading unexplained
 *                       (a device's own model computes them only for readings over its threshold)
 * @param expected       per feature: the reconstructed value of the newest reading, in raw units
 * @param imputed        per feature: whether the newest reading's value was imputed
 * @param imputedCount   number of imputed features in the newest reading
 */
public record Scored(double score, double[] featureErrors, double[] expected, boolean[] imputed, int imputedCount) {

    public boolean isWarmingUp() {
        return Double.isNaN(score);
    }
}
