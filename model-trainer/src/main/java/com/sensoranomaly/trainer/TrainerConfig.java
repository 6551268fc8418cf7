package com.sensoranomaly.trainer;

import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.FeatureScaler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every training setting, immutable and validated, with all defaults in one place (the constants below).
 *
 * <p>Network sizes left unset are derived from the model's input size d = window × features:
 * one encoder layer of clamp(⌈1.5·d⌉, 8, 128) units, a bottleneck of clamp(⌈d/3⌉, 2, 32), and the decoder
 * mirrors the encoder back to d outputs (identity activation). The bottleneck is always narrower than the
 * input for d ≥ 3, so the network has to learn how the sensors move together instead of copying them.
 *
 * <p>Missing cells: training windows are built from complete rows only; rows with a missing cell are
 * dropped from training (and counted in the bundle), while validation rows, missing cells included, are
 * scored exactly as the streaming job scores them (imputed, imputed entries not counted).
 *
 * @param window             readings per model input (temporal context); 1 = point-wise
 * @param hidden             encoder hidden layer sizes (the decoder mirrors them); empty = derived
 * @param latent             bottleneck size; 0 = derived
 * @param activation         activation of the hidden layers (the output layer is always identity)
 * @param epochs             maximum passes over the training windows
 * @param batchSize          windows per gradient step
 * @param learningRate       Adam's learning rate
 * @param l2                 L2 penalty on the weights
 * @param seed               seeds weight initialisation, shuffling and masking noise: same seed and data, same model
 * @param validationFraction the last part of each file (in time) held back for early stopping and the threshold
 * @param patience           early stopping: epochs without a better validation loss before training stops
 * @param scaler             how raw values are scaled (standard or min-max, fitted on training rows)
 * @param denoise            masking-noise probability during training (0 = off): inputs are set to the scaled
 *                           training mean (what imputation would fill in), labels stay clean, so the network learns
 *                           to reconstruct a reading from partial evidence, as the job asks it to when a value is missing
 * @param thresholdQuantile  quantile of validation scores that becomes the anomaly threshold
 * @param smoothing          weight of the newest reading in the per-sensor exponential smoothing (1 = none), applied
 *                           to each file's history in time order before anything is fitted; recorded in the bundle so
 *                           the job smooths each device's readings the same way. Off by default: smoothing averages
 *                           away reading noise and quantisation steps, which makes small sustained shifts visible, but
 *                           it exposes slow drift just as much and leaves the threshold quantile fewer independent
 *                           scores to rest on (docs/detection-quality.md measures both effects).
 * @param family             the model family: {@code dense} (layers over the flattened window) or {@code conv1d}
 *                           (1-D convolutions over time, kernel {@link #CONV_KERNEL}, "same" padding: the window's
 *                           length is kept and the bottleneck narrows the channels at every time step, with the same
 *                           width rules applied per reading, e.g. 8 → 12 → 3 → 12 → 8 channels for 8 features)
 */
public record TrainerConfig(int window, List<Integer> hidden, int latent, Activation activation, int epochs,
                            int batchSize, double learningRate, double l2, long seed, double validationFraction,
                            int patience, FeatureScaler.Kind scaler, double denoise, double thresholdQuantile,
                            double smoothing, String family) {

    public static final int DEFAULT_WINDOW = 1;
    public static final Activation DEFAULT_ACTIVATION = Activation.TANH;
    public static final int DEFAULT_EPOCHS = 60;
    public static final int DEFAULT_BATCH_SIZE = 64;
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    public static final double DEFAULT_L2 = 1e-5;
    public static final long DEFAULT_SEED = 42;
    public static final double DEFAULT_VALIDATION_FRACTION = 0.2;
    public static final int DEFAULT_PATIENCE = 8;
    public static final FeatureScaler.Kind DEFAULT_SCALER = FeatureScaler.Kind.STANDARD;
    public static final double DEFAULT_DENOISE = 0.1;
    public static final double DEFAULT_THRESHOLD_QUANTILE = 0.99;
    public static final double DEFAULT_SMOOTHING = 1.0;
    public static final String DEFAULT_FAMILY = "dense";
    public static final List<String> FAMILIES = List.of("dense", "conv1d");
    /** Window of a conv1d model when none is given: ten readings of context. */
    public static final int DEFAULT_CONV_WINDOW = 10;
    /** Taps of every convolution over time (odd: "same" padding is symmetric). */
    public static final int CONV_KERNEL = 3;

    /** Derived encoder width: clamp(⌈HIDDEN_FACTOR · d⌉, HIDDEN_MIN, HIDDEN_MAX). */
    public static final double HIDDEN_FACTOR = 1.5;
    public static final int HIDDEN_MIN = 8;
    public static final int HIDDEN_MAX = 128;
    /** Derived bottleneck: clamp(⌈d / LATENT_DIVISOR⌉, LATENT_MIN, LATENT_MAX). */
    public static final double LATENT_DIVISOR = 3;
    public static final int LATENT_MIN = 2;
    public static final int LATENT_MAX = 32;

    public static TrainerConfig defaults() {
        return new TrainerConfig(DEFAULT_WINDOW, List.of(), 0, DEFAULT_ACTIVATION, DEFAULT_EPOCHS, DEFAULT_BATCH_SIZE,
                DEFAULT_LEARNING_RATE, DEFAULT_L2, DEFAULT_SEED, DEFAULT_VALIDATION_FRACTION, DEFAULT_PATIENCE,
                DEFAULT_SCALER, DEFAULT_DENOISE, DEFAULT_THRESHOLD_QUANTILE, DEFAULT_SMOOTHING, DEFAULT_FAMILY);
    }

    /** Settings of a dense model. */
    public TrainerConfig(int window, List<Integer> hidden, int latent, Activation activation, int epochs,
                         int batchSize, double learningRate, double l2, long seed, double validationFraction,
                         int patience, FeatureScaler.Kind scaler, double denoise, double thresholdQuantile,
                         double smoothing) {
        this(window, hidden, latent, activation, epochs, batchSize, learningRate, l2, seed, validationFraction, patience,
                scaler, denoise, thresholdQuantile, smoothing, DEFAULT_FAMILY);
    }

    /** Settings with the default smoothing. */
    public TrainerConfig(int window, List<Integer> hidden, int latent, Activation activation, int epochs,
                         int batchSize, double learningRate, double l2, long seed, double validationFraction,
                         int patience, FeatureScaler.Kind scaler, double denoise, double thresholdQuantile) {
        this(window, hidden, latent, activation, epochs, batchSize, learningRate, l2, seed, validationFraction, patience,
                scaler, denoise, thresholdQuantile, DEFAULT_SMOOTHING);
    }

    /** Messages name the command-line option, since that is where most settings come from. */
    public TrainerConfig {
        hidden = List.copyOf(hidden);
        check(activation != null, "--activation must be given");
        check(scaler != null, "--scaler must be given");
        check(window >= 1 && window <= 256, "--window must be within 1..256: " + window);
        check(hidden.stream().allMatch(h -> h >= 1 && h <= 4096), "--hidden sizes must be within 1..4096: " + hidden);
        check(latent >= 0 && latent <= 4096, "--latent must be within 1..4096: " + latent);
        check(epochs >= 1, "--epochs must be at least 1: " + epochs);
        check(batchSize >= 1, "--batch-size must be at least 1: " + batchSize);
        check(learningRate > 0 && learningRate < 1, "--learning-rate must be within (0, 1): " + learningRate);
        check(l2 >= 0 && l2 < 1, "--l2 must be within [0, 1): " + l2);
        check(validationFraction > 0 && validationFraction < 0.9,
                "--validation-fraction must be within (0, 0.9): " + validationFraction);
        check(patience >= 1, "--patience must be at least 1: " + patience);
        check(denoise >= 0 && denoise < 1, "--denoise must be within [0, 1): " + denoise);
        check(thresholdQuantile > 0.5 && thresholdQuantile < 1,
                "--threshold-quantile must be within (0.5, 1): " + thresholdQuantile);
        check(smoothing > 0 && smoothing <= 1, "--smoothing must be within (0, 1] (1 = none): " + smoothing);
        check(FAMILIES.contains(family), "--family must be one of " + String.join(", ", FAMILIES) + ": " + family);
        check(!"conv1d".equals(family) || window >= CONV_KERNEL, "--family conv1d needs a --window of at least " + CONV_KERNEL
                + " readings: " + window);
    }

    public boolean isConvolutional() {
        return "conv1d".equals(family);
    }

    /** Channels from input to output of a conv1d model over {@code features} sensors, e.g. [8, 12, 3, 12, 8]. */
    public List<Integer> channelSizes(int features) {
        return layerSizes(features);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Encoder sizes for input size d: the given ones, or derived. */
    public List<Integer> hiddenFor(int d) {
        return hidden.isEmpty() ? List.of(clamp((int) Math.ceil(HIDDEN_FACTOR * d), HIDDEN_MIN, HIDDEN_MAX)) : hidden;
    }

    /** Bottleneck size for input size d: the given one, or derived. */
    public int latentFor(int d) {
        return latent > 0 ? latent : clamp((int) Math.ceil(d / LATENT_DIVISOR), LATENT_MIN, LATENT_MAX);
    }

    /** Every layer width from input to output for input size d, e.g. [8, 12, 3, 12, 8]. */
    public List<Integer> layerSizes(int d) {
        List<Integer> hiddenSizes = hiddenFor(d);
        List<Integer> sizes = new ArrayList<>();
        sizes.add(d);
        sizes.addAll(hiddenSizes);
        sizes.add(latentFor(d));
        for (int i = hiddenSizes.size() - 1; i >= 0; i--) {
            sizes.add(hiddenSizes.get(i));
        }
        sizes.add(d);
        return sizes;
    }

    /** The settings as resolved for input size d (derived sizes filled in), for the bundle and the report. */
    public Map<String, Object> describe(int d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("family", family);
        m.put("window", window);
        if (isConvolutional()) {
            int f = d / window;
            m.put("channels", channelSizes(f));
            m.put("kernel", CONV_KERNEL);
            m.put("padding", "same");
            m.put("hidden", hiddenFor(f));
            m.put("latent", latentFor(f));
        } else {
            m.put("layers", layerSizes(d));
            m.put("hidden", hiddenFor(d));
            m.put("latent", latentFor(d));
        }
        m.put("hiddenActivation", activation.name().toLowerCase(Locale.ROOT));
        m.put("outputActivation", "identity");
        m.put("loss", "mse");
        m.put("optimizer", "adam");
        m.put("weightInit", "xavier");
        m.put("epochs", epochs);
        m.put("batchSize", batchSize);
        m.put("learningRate", learningRate);
        m.put("l2", l2);
        m.put("seed", seed);
        m.put("validationFraction", validationFraction);
        m.put("patience", patience);
        m.put("scaler", scaler.id());
        m.put("denoise", denoise);
        m.put("thresholdQuantile", thresholdQuantile);
        m.put("smoothing", smoothing);
        m.put("missingCells", "rows with a missing cell are dropped from training windows");
        return m;
    }

    public TrainerConfig withWindow(int w) {
        return new TrainerConfig(w, hidden, latent, activation, epochs, batchSize, learningRate, l2, seed,
                validationFraction, patience, scaler, denoise, thresholdQuantile, smoothing, family);
    }

    public TrainerConfig withEpochs(int n) {
        return new TrainerConfig(window, hidden, latent, activation, n, batchSize, learningRate, l2, seed,
                validationFraction, patience, scaler, denoise, thresholdQuantile, smoothing, family);
    }

    public TrainerConfig withSeed(long s) {
        return new TrainerConfig(window, hidden, latent, activation, epochs, batchSize, learningRate, l2, s,
                validationFraction, patience, scaler, denoise, thresholdQuantile, smoothing, family);
    }

    public TrainerConfig withFamily(String f) {
        return new TrainerConfig(window, hidden, latent, activation, epochs, batchSize, learningRate, l2, seed,
                validationFraction, patience, scaler, denoise, thresholdQuantile, smoothing, f);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
