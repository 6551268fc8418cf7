package com.sensoranomaly.model;

import java.util.List;

/** Small models with known outputs for the model package's tests. */
final class TestNetworks {
    private TestNetworks() {}

    /** Identity-scaled model over features a, b whose network reconstructs each window slot as the mean of a and b. */
    static AnomalyModel pairModel(int window) {
        int d = 2 * window;
        double[] w1 = new double[d * window];
        double[] w2 = new double[window * d];
        for (int k = 0; k < window; k++) {
            w1[(2 * k) * window + k] = 0.5;
            w1[(2 * k + 1) * window + k] = 0.5;
            w2[k * d + 2 * k] = 1;
            w2[k * d + 2 * k + 1] = 1;
        }
        Autoencoder net = new Autoencoder(List.of(
                new DenseLayer(d, window, w1, new double[window], Activation.IDENTITY),
                new DenseLayer(window, d, w2, new double[d], Activation.IDENTITY)));
        FeatureScaler scaler = new FeatureScaler(FeatureScaler.Kind.STANDARD, new double[] {0, 0}, new double[] {1, 1});
        FeatureStats stats = new FeatureStats(new double[] {1, 1}, new double[] {1, 1}, new double[] {1, 1},
                new double[] {0, 0}, new double[] {2, 2});
        return new AnomalyModel("t", List.of("a", "b"), window, scaler, stats, net, 0.1, 0.99,
                ErrorStats.of(new double[] {0.01, 0.02}), new double[] {0.01, 0.01});
    }

    /**
     * A convolutional model over features a, b and a window of 3: a 1-tap convolution averages a and b at each time
     * step into one channel, a 3-tap one spreads that channel back to a and b with weights 0.25, 0.5, 0.25 over time.
     */
    static AnomalyModel convModel() {
        Conv1DLayer squeeze = new Conv1DLayer(3, 2, 1, 1, new double[] {0.5, 0.5}, new double[] {0}, Activation.IDENTITY);
        Conv1DLayer spread = new Conv1DLayer(3, 1, 2, 3, new double[] {0.25, 0.5, 0.25, 0.25, 0.5, 0.25}, new double[] {0, 0},
                Activation.IDENTITY);
        Autoencoder net = new Autoencoder(List.of(squeeze, spread));
        FeatureScaler scaler = new FeatureScaler(FeatureScaler.Kind.STANDARD, new double[] {0, 0}, new double[] {1, 1});
        FeatureStats stats = new FeatureStats(new double[] {1, 1}, new double[] {1, 1}, new double[] {1, 1},
                new double[] {0, 0}, new double[] {2, 2});
        return new AnomalyModel("t", List.of("a", "b"), 3, scaler, stats, net, 0.1, 0.99,
                ErrorStats.of(new double[] {0.01, 0.02}), new double[] {0.01, 0.01});
    }
}
