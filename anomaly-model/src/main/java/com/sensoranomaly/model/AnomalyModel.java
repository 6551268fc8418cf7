package com.sensoranomaly.model;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Everything the streaming job needs from a model bundle: the features in model order, the window
 * size, the scaler, what training saw of each feature, the network's weights and the calibrated
 * threshold. Immutable and serializable, so the job can ship it to every task with the job graph.
 *
 * @param version           the bundle's content hash
 * @param features          feature names in the model's input order
 * @param window            readings per model input (W); the input has W × features values
 * @param threshold         calibrated anomaly threshold on the score
 * @param thresholdQuantile the validation-error quantile the threshold was set at
 * @param errorStats        distribution of validation scores (normal data)
 * @param featureErrorMean  per feature: mean validation error, to normalise contributions
 * @param smoothing         weight of the newest reading in the per-device exponential smoothing of each sensor
 *                          applied before scoring (1 = none); the trainer smoothed its history the same way
 */
public record AnomalyModel(String version, List<String> features, int window, FeatureScaler scaler,
                           FeatureStats featureStats, Autoencoder network, double threshold,
                           double thresholdQuantile, ErrorStats errorStats, double[] featureErrorMean,
                           double smoothing)
        implements Serializable {

    /** A model scoring raw readings (no smoothing). */
    public AnomalyModel(String version, List<String> features, int window, FeatureScaler scaler,
                        FeatureStats featureStats, Autoencoder network, double threshold,
                        double thresholdQuantile, ErrorStats errorStats, double[] featureErrorMean) {
        this(version, features, window, scaler, featureStats, network, threshold, thresholdQuantile, errorStats,
                featureErrorMean, 1.0);
    }

    public AnomalyModel {
        Objects.requireNonNull(version, "version");
        features = List.copyOf(features);
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1: " + window);
        }
        if (scaler.size() != features.size() || featureStats.size() != features.size()) {
            throw new IllegalArgumentException("scaler/statistics cover " + scaler.size() + " features, the model has "
                    + features.size());
        }
        if (network.inputSize() != window * features.size()) {
            throw new IllegalArgumentException("network takes " + network.inputSize() + " inputs, expected window "
                    + window + " x " + features.size() + " features");
        }
        for (NetworkLayer l : network.layers()) {
            if (l instanceof Conv1DLayer c && c.length() != window) {
                throw new IllegalArgumentException("a convolution runs over " + c.length() + " time steps, the model's window is " + window);
            }
        }
        if (!(threshold > 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be a positive number: " + threshold);
        }
        if (!(smoothing > 0 && smoothing <= 1)) {
            throw new IllegalArgumentException("smoothing must be in (0, 1]: " + smoothing);
        }
    }

    /** This model with another version (the bundle's content hash is known only once it is written). */
    public AnomalyModel withVersion(String newVersion) {
        return new AnomalyModel(newVersion, features, window, scaler, featureStats, network, threshold,
                thresholdQuantile, errorStats, featureErrorMean, smoothing);
    }

    public int featureIndex(String name) {
        return features.indexOf(name);
    }
}
