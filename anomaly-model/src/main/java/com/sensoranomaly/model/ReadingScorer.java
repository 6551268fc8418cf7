package com.sensoranomaly.model;

import java.util.Arrays;

/**
 * Scores one device's readings, one at a time, as they arrive: scale, impute, slide the model's
 * window, reconstruct, and measure the error over what was observed. The trainer calibrates its
 * thresholds with this class and the streaming job scores with it, so offline and online scores are
 * the same numbers.
 *
 * <p>Not thread-safe (it owns the forward pass's scratch buffers): one instance per operator instance.
 */
public final class ReadingScorer {
    private final AnomalyModel model;
    private final Imputation imputation;
    private final int features;
    private final int window;
    private final double[] scaledMean;
    private final Reconstructor network;
    private final double[] input;
    private final double[] reconstruction;
    private boolean lastScored;
    private Autoencoder.Workspace encoderWorkspace;

    public ReadingScorer(AnomalyModel model, Imputation imputation) {
        this(model, imputation, Reconstructor.plainJava(model.network()));
    }

    public ReadingScorer(AnomalyModel model, Imputation imputation, Reconstructor network) {
        this.model = model;
        this.network = network;
        this.imputation = imputation;
        this.features = model.features().size();
        this.window = model.window();
        this.scaledMean = new double[features];
        FeatureStats stats = model.featureStats();
        for (int j = 0; j < features; j++) {
            scaledMean[j] = model.scaler().scale(j, stats.mean()[j]);
        }
        this.input = new double[features * window];
        this.reconstruction = new double[features * window];
    }

    public AnomalyModel model() { return model; }

    /**
     * The latent code of the window the last {@link #score} call reconstructed (scaled, imputed, as the network saw it),
     * from the bundle's encoder half ({@link Autoencoder#encode}); null if that call did not score (window filling).
     * Allocates the returned array (and, on first use, the encoder's scratch buffers).
     */
    public double[] latentOfLastScored() {
        if (!lastScored) {
            return null;
        }
        if (encoderWorkspace == null) {
            encoderWorkspace = model.network().newWorkspace();
        }
        double[] latent = new double[model.network().latentSize()];
        model.network().encode(input, latent, encoderWorkspace);
        return latent;
    }

    /**
     * The model input of the last reading scored (W × F scaled values, imputed entries filled as the network saw
     * them); meaningful only after a {@link #score} that was not warming up. A copy.
     */
    public double[] lastInput() {
        return input.clone();
    }

    /**
     * Takes a reading into the device's window and scores it.
     *
     * @param state     the device's window, updated in place
     * @param raw       raw values in the model's feature order; NaN marks a missing value
     * @param eventTime the reading's event time (epoch millis)
     */
    public Scored score(DeviceWindow state, double[] raw, long eventTime) {
        if (raw.length != features) {
            throw new IllegalArgumentException("reading has " + raw.length + " values, the model expects " + features);
        }
        FeatureScaler scaler = model.scaler();
        int newest = (window - 1) * features;
        // Slide the window by one reading (W is small: a copy beats ring-buffer index arithmetic here).
        if (window > 1) {
            System.arraycopy(state.values, features, state.values, 0, newest);
            System.arraycopy(state.observed, features, state.observed, 0, newest);
        }
        boolean[] imputed = new boolean[features];
        int imputedCount = 0;
        long maxAgeMs = imputation.maxAge().toMillis();
        for (int j = 0; j < features; j++) {
            double v = raw[j];
            if (!Double.isNaN(v)) {
                state.values[newest + j] = scaler.scale(j, v);
                state.observed[newest + j] = true;
                state.lastRaw[j] = v;
                state.lastSeen[j] = eventTime;
            } else {
                imputed[j] = true;
                imputedCount++;
                state.observed[newest + j] = false;
                boolean recent = imputation.strategy() != Imputation.Strategy.MEAN
                        && state.lastSeen[j] != Long.MIN_VALUE
                        && eventTime - state.lastSeen[j] <= maxAgeMs;
                state.values[newest + j] = recent ? scaler.scale(j, state.lastRaw[j]) : scaledMean[j];
            }
        }
        state.filled = Math.min(window, state.filled + 1);
        state.lastEventTime = Math.max(state.lastEventTime, eventTime);
        lastScored = false;
        if (state.filled < window) {
            return new Scored(Double.NaN, nanArray(), nanArray(), imputed, imputedCount);
        }

        System.arraycopy(state.values, 0, input, 0, input.length);
        if (imputation.strategy() == Imputation.Strategy.MODEL && imputedCount > 0) {
            for (int round = 0; round < imputation.rounds(); round++) {
                network.reconstruct(input, reconstruction);
                for (int j = 0; j < features; j++) {
                    if (imputed[j]) {
                        input[newest + j] = reconstruction[newest + j];
                    }
                }
            }
            // Later windows see the refined values, not the crude first guess.
            System.arraycopy(input, newest, state.values, newest, features);
        }
        network.reconstruct(input, reconstruction);
        lastScored = true;

        double total = 0;
        int observedEntries = 0;
        double[] featureErrors = new double[features];
        int[] featureCounts = new int[features];
        for (int slot = 0, k = 0; slot < window; slot++) {
            for (int j = 0; j < features; j++, k++) {
                if (state.observed[k]) {
                    double d = input[k] - reconstruction[k];
                    double e = d * d;
                    total += e;
                    observedEntries++;
                    featureErrors[j] += e;
                    featureCounts[j]++;
                }
            }
        }
        double[] expected = new double[features];
        for (int j = 0; j < features; j++) {
            featureErrors[j] = featureCounts[j] == 0 ? Double.NaN : featureErrors[j] / featureCounts[j];
            expected[j] = scaler.unscale(j, reconstruction[newest + j]);
        }
        double score = observedEntries == 0 ? Double.NaN : total / observedEntries;
        return new Scored(score, featureErrors, expected, imputed, imputedCount);
    }

    private double[] nanArray() {
        double[] a = new double[features];
        Arrays.fill(a, Double.NaN);
        return a;
    }
}
