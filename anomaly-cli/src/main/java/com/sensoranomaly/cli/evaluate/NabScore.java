package com.sensoranomaly.cli.evaluate;

import java.util.ArrayList;
import java.util.List;

/**
 * Changepoint detection scored the way the Numenta Anomaly Benchmark does, with SKAB's window: each
 * true changepoint opens a window of {@code windowMs} after it. The first detection inside a window
 * earns {@code A_tp · σ(y)}, where y ∈ [-1, 0] is its position in the window (early detection earns
 * almost 1, detection at the window's end almost 0); a window without detection costs {@code A_fn};
 * a detection outside every window costs {@code A_fp}, scaled down by σ when it falls just after a
 * window. σ(y) = 2 / (1 + e^{5y}) − 1. The sum is normalised so that a detector that never fires
 * scores 0 and one that fires at the start of every window scores 100.
 */
public final class NabScore {

    /** NAB's application profiles: weights of true positives, false positives and false negatives. */
    public enum Profile {
        STANDARD(1.0, 0.11, 1.0), LOW_FP(1.0, 0.22, 1.0), LOW_FN(1.0, 0.11, 2.0);

        final double tp;
        final double fp;
        final double fn;

        Profile(double tp, double fp, double fn) {
            this.tp = tp;
            this.fp = fp;
            this.fn = fn;
        }
    }

    /** Raw (unnormalised) score parts of one file, additive across files. */
    public record Raw(double score, double nullScore, double perfectScore) {
        public Raw plus(Raw o) {
            return new Raw(score + o.score, nullScore + o.nullScore, perfectScore + o.perfectScore);
        }

        public double normalised() {
            double d = perfectScore - nullScore;
            return d == 0 ? 0 : 100 * (score - nullScore) / d;
        }
    }

    private NabScore() {}

    static double sigma(double y) {
        return y > 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
    }

    /**
     * @param trueChangepoints times of true changepoints (sorted)
     * @param detections       times where the detector's 0/1 output flips (sorted)
     */
    public static Raw score(long[] trueChangepoints, long[] detections, long windowMs, Profile p) {
        List<long[]> windows = new ArrayList<>();
        for (long cp : trueChangepoints) {
            long start = cp;
            long end = cp + windowMs;
            // Overlapping windows merge, as in NAB: one event, one window.
            if (!windows.isEmpty() && start <= windows.get(windows.size() - 1)[1]) {
                windows.get(windows.size() - 1)[1] = Math.max(end, windows.get(windows.size() - 1)[1]);
            } else {
                windows.add(new long[] {start, end});
            }
        }
        double score = 0;
        boolean[] detected = new boolean[windows.size()];
        for (long d : detections) {
            int in = -1;
            int before = -1;
            for (int w = 0; w < windows.size(); w++) {
                if (d >= windows.get(w)[0] && d <= windows.get(w)[1]) {
                    in = w;
                    break;
                }
                if (windows.get(w)[1] < d) {
                    before = w;
                }
            }
            if (in >= 0) {
                if (!detected[in]) {
                    long[] w = windows.get(in);
                    double width = Math.max(1, w[1] - w[0]);
                    double y = -(w[1] - d) / width;
                    score += p.tp * sigma(y);
                    detected[in] = true;
                }
            } else if (before >= 0) {
                long[] w = windows.get(before);
                double width = Math.max(1, w[1] - w[0]);
                double y = (d - w[1]) / width;
                score -= p.fp * Math.abs(sigma(y));
            } else {
                score -= p.fp;
            }
        }
        for (boolean hit : detected) {
            if (!hit) {
                score -= p.fn;
            }
        }
        double nullScore = -p.fn * windows.size();
        double perfect = p.tp * sigma(-1) * windows.size();
        return new Raw(score, nullScore, perfect);
    }

    /** Times at which a 0/1 series changes value (from index {@code from} on). */
    public static long[] flips(long[] times, boolean[] values, int from) {
        List<Long> out = new ArrayList<>();
        for (int i = Math.max(1, from); i < values.length; i++) {
            if (values[i] != values[i - 1]) {
                out.add(times[i]);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
