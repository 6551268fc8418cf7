package com.sensoranomaly.job;

import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.DenseLayer;
import com.sensoranomaly.model.ErrorStats;
import com.sensoranomaly.model.FeatureScaler;
import com.sensoranomaly.model.FeatureStats;

import java.util.List;

/** Small models with known behaviour, so job tests do not depend on training. */
public final class TestModels {
    private TestModels() {}

    public static final double THRESHOLD = 0.01;

    /**
     * Two features "a" and "b" that normally move together. The network projects onto a = b and back, so a
     * reading scores (a - b)² / 4: 0 when they agree, 0.25 when they differ by 1. Threshold 0.01.
     */
    public static AnomalyModel correlatedPair() {
        Autoencoder net = new Autoencoder(List.of(
                new DenseLayer(2, 1, new double[] {0.5, 0.5}, new double[] {0}, Activation.IDENTITY),
                new DenseLayer(1, 2, new double[] {1, 1}, new double[] {0, 0}, Activation.IDENTITY)));
        FeatureScaler scaler = new FeatureScaler(FeatureScaler.Kind.STANDARD, new double[] {0, 0}, new double[] {1, 1});
        FeatureStats stats = new FeatureStats(new double[] {1, 1}, new double[] {0.1, 0.1}, new double[] {1, 1},
                new double[] {0, 0}, new double[] {2, 2});
        return new AnomalyModel("test-pair-v1", List.of("a", "b"), 1, scaler, stats, net, THRESHOLD, 0.99,
                ErrorStats.of(new double[] {0.001, 0.002, 0.003}), new double[] {0.001, 0.001});
    }
}
