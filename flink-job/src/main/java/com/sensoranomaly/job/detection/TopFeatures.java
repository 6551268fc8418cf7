package com.sensoranomaly.job.detection;

import java.util.ArrayList;
import java.util.List;

/**
 * The features an alert names as evidence: the reading's per-feature errors ranked by their size relative to their
 * normal size, so a usually noisy sensor does not always top the list. The job's alerts and the scoring service's
 * answers both rank with this, so they name the same features.
 */
public final class TopFeatures {
    private TopFeatures() {}

    /**
     * One feature's part in a reading's error.
     *
     * @param index    the feature's position in the model's feature order
     * @param error    its mean squared reconstruction error over the window (scaled units)
     * @param share    its fraction of the summed errors of all observed features (0..1)
     * @param observed the value sent, in the sensor's units (NaN if missing)
     * @param expected the reconstructed value, in the sensor's units (NaN if unknown)
     */
    public record Contribution(int index, double error, double share, double observed, double expected) {}

    /**
     * The {@code n} features with the largest normalised errors, largest first; features without an error (NaN: not
     * observed in the window) are left out.
     *
     * @param featureErrors per feature, the scorer's error (NaN where none was observed); null = none
     * @param norm          per feature, its normal error level (null: 1 for every feature)
     * @param values        the values sent, in model feature order (null: unknown)
     * @param expected      the reconstruction in raw units (null: unknown)
     */
    public static List<Contribution> rank(double[] featureErrors, double[] norm, double[] values, double[] expected, int n) {
        double[] fe = featureErrors == null ? new double[0] : featureErrors;
        double total = 0;
        List<Integer> idx = new ArrayList<>();
        for (int j = 0; j < fe.length; j++) {
            if (!Double.isNaN(fe[j])) {
                total += fe[j];
                idx.add(j);
            }
        }
        idx.sort((x, y) -> Double.compare(fe[y] / normal(norm, y), fe[x] / normal(norm, x)));
        int k = Math.min(n, idx.size());
        List<Contribution> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int j = idx.get(i);
            out.add(new Contribution(j, fe[j], total > 0 ? fe[j] / total : 0,
                    values != null && j < values.length ? values[j] : Double.NaN,
                    expected == null ? Double.NaN : expected[j]));
        }
        return out;
    }

    private static double normal(double[] norm, int j) {
        return norm == null || j >= norm.length ? 1.0 : Math.max(norm[j], 1e-12);
    }
}
