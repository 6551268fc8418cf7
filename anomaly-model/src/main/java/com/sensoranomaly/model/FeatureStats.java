package com.sensoranomaly.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What training saw of each feature, in raw units: mean, standard deviation, median, min and max.
 * The job imputes from it and uses the range to recognise values far outside anything seen.
 */
public record FeatureStats(double[] mean, double[] std, double[] median, double[] min, double[] max) implements Serializable {

    /** Computes the statistics of complete rows (rows × features). */
    public static FeatureStats of(double[][] rows) {
        int n = rows.length;
        int f = rows[0].length;
        double[] mean = new double[f];
        double[] std = new double[f];
        double[] median = new double[f];
        double[] min = new double[f];
        double[] max = new double[f];
        double[] column = new double[n];
        for (int j = 0; j < f; j++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                column[i] = rows[i][j];
                sum += column[i];
            }
            double m = sum / n;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                double d = column[i] - m;
                ss += d * d;
            }
            Arrays.sort(column);
            mean[j] = m;
            std[j] = Math.sqrt(ss / n);
            median[j] = Quantiles.sorted(column, 0.5);
            min[j] = column[0];
            max[j] = column[n - 1];
        }
        return new FeatureStats(mean, std, median, min, max);
    }

    public int size() { return mean.length; }
}
