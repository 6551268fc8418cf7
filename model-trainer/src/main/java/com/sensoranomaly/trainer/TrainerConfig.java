package com.sensoranomaly.trainer;

import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.FeatureScaler;

import java.util.List;

/**
 * Every training setting, immutable, with the defaults in one place. Sizes left empty are derived from
 * the model's input size d = window × features: hidden = clamp(⌈1.5·d⌉, 8, 128), latent = clamp(⌈d/3⌉, 2, 32),
 * so the bottleneck always forces the network to learn how the sensors move together.
 *
 * @param window            readings per model input (temporal context); 1 = point-wise
 * @param hidden            encoder hidden layer sizes (the decoder mirrors them); empty = derived
 * @param latent            bottleneck size; 0 = derived
 * @param denoise           masking-noise probability during training (0 = off): inputs are set to the training
 *                          mean, labels stay clean, so the network learns to fill gaps as the job imputes them
 * @param thresholdQuantile quantile of validation scores that becomes the anomaly threshold
 */
public record TrainerConfig(int window, List<Integer> hidden, int latent, Activation activation, int epochs,
                            int batchSize, double learningRate, double l2, long seed, double validationFraction,
                            int patience, FeatureScaler.Kind scaler, double denoise, double thresholdQuantile) {

    public static final int DEFAULT_WINDOW = 1;
    public static final Activation DEFAULT_ACTIVATION = Activation.TANH;
    public static final int DEFAULT_EPOCHS = 60;
    public static final int DEFAULT_BATCH_SIZE = 64;
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    public static final double DEFAULT_L2 = 1e-5;
    public static final long DEFAULT_SEED = 42;
    public static final double DEFAULT_VALIDATION_FRACTION = 0.2;
    public static final int DEFAULT_PATIENCE = 8;
    public static final double DEFAULT_DENOISE = 0.1;
    public static final double DEFAULT_THRESHOLD_QUANTILE = 0.99;

    public static TrainerConfig defaults() {
        return new TrainerConfig(DEFAULT_WINDOW, List.of(), 0, DEFAULT_ACTIVATION, DEFAULT_EPOCHS, DEFAULT_BATCH_SIZE,
                DEFAULT_LEARNING_RATE, DEFAULT_L2, DEFAULT_SEED, DEFAULT_VALIDATION_FRACTION, DEFAULT_PATIENCE,
                FeatureScaler.Kind.STANDARD, DEFAULT_DENOISE, DEFAULT_THRESHOLD_QUANTILE);
    }

    public TrainerConfig {
        hidden = List.copyOf(hidden);
        check(window >= 1 && window <= 256, "--window must be within 1..256: " + window);
        check(hidden.stream().allMatch(h -> h >= 1), "--hidden sizes must be positive: " + hidden);
        check(latent >= 0, "--latent must be positive: " + latent);
        check(epochs >= 1, "--epochs must be at least 1: " + epochs);
        check(batchSize >= 1, "--batch-size must be at least 1: " + batchSize);
        check(learningRate > 0 && learningRate < 1, "--learning-rate must be within (0, 1): " + learningRate);
        check(l2 >= 0, "--l2 must not be negative: " + l2);
        check(validationFraction > 0 && validationFraction < 0.9, "--validation-fraction must be within (0, 0.9): " + validationFraction);
        check(patience >= 1, "--patience must be at least 1: " + patience);
        check(denoise >= 0 && denoise < 1, "--denoise must be within [0, 1): " + denoise);
        check(thresholdQuantile > 0.5 && thresholdQuantile < 1, "--threshold-quantile must be within (0.5, 1): " + thresholdQuantile);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Encoder sizes for input size d: the given ones, or derived. */
    public List<Integer> hiddenFor(int d) {
        return hidden.isEmpty() ? List.of(clamp((int) Math.ceil(1.5 * d), 8, 128)) : hidden;
    }

    public int latentFor(int d) {
        return latent > 0 ? latent : clamp((int) Math.ceil(d / 3.0), 2, 32);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
