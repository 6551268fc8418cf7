package com.sensoranomaly.model;

import java.util.Arrays;

/** Quantiles by linear interpolation between closest ranks (numpy's default, "type 7"). */
public final class Quantiles {
    private Quantiles() {}

    public static double of(double[] values, double q) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return sorted(copy, q);
    }

    public static double sorted(double[] sorted, double q) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be within [0, 1]: " + q);
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double frac = pos - lo;
        return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
    }
}
