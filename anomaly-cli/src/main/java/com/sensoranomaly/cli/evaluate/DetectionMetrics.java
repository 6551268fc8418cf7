package com.sensoranomaly.cli.evaluate;

/**
 * Point-wise outlier-detection metrics as SKAB's leaderboard computes them, over pooled test rows:
 * F1 = TP / (TP + (FP + FN) / 2), FAR = FP / (FP + TN), MAR = FN / (FN + TP).
 */
public record DetectionMetrics(long tp, long fp, long tn, long fn) {

    public static DetectionMetrics of(boolean[] truth, boolean[] predicted, int from) {
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = from; i < truth.length; i++) {
            if (truth[i] && predicted[i]) {
                tp++;
            } else if (!truth[i] && predicted[i]) {
                fp++;
            } else if (!truth[i]) {
                tn++;
            } else {
                fn++;
            }
        }
        return new DetectionMetrics(tp, fp, tn, fn);
    }

    public DetectionMetrics plus(DetectionMetrics o) {
        return new DetectionMetrics(tp + o.tp, fp + o.fp, tn + o.tn, fn + o.fn);
    }

    public double f1() {
        double d = tp + (fp + fn) / 2.0;
        return d == 0 ? 0 : tp / d;
    }

    public double far() {
        return fp + tn == 0 ? 0 : (double) fp / (fp + tn);
    }

    public double mar() {
        return fn + tp == 0 ? 0 : (double) fn / (fn + tp);
    }

    public long rows() {
        return tp + fp + tn + fn;
    }
}
