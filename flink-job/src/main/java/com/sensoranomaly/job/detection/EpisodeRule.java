package com.sensoranomaly.job.detection;

import com.sensoranomaly.job.config.JobConfig.RuleMode;

import java.io.Serializable;

/**
 * The windowed threshold rule, as plain logic over {@link EpisodeState} (unit-testable without Flink).
 *
 * <p>Opening: in K_OF_N mode an episode opens when at least k of the device's last n scored readings
 * exceed the threshold; in MEAN mode when the mean of the last n scores does. Closing (hysteresis):
 * an open episode closes after m consecutive readings at or below the threshold, so a score hovering
 * around the threshold does not flap between FIRING and RESOLVED.
 */
public final class EpisodeRule implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum Transition { NONE, OPENED, CLOSED }

    private final RuleMode mode;
    private final int k;
    private final int n;
    private final int clear;

    public EpisodeRule(RuleMode mode, int k, int n, int clear) {
        this.mode = mode;
        this.k = k;
        this.n = n;
        this.clear = clear;
    }

    public int n() {
        return n;
    }

    public int clear() {
        return clear;
    }

    /**
     * Fits a ring written under another n (a restore after rule.n changed) to this rule's n, keeping the newest
     * scores in order; the open episode, if any, stays open.
     */
    public void resize(EpisodeState s) {
        int old = s.scores.length;
        int keep = Math.min(s.filled, n);
        double[] scores = new double[n];
        long[] times = new long[n];
        for (int i = 0; i < keep; i++) {
            // The i-th newest of the old ring goes to position keep-1-i, so the newest ends last.
            int from = Math.floorMod(s.next - 1 - i, old);
            scores[keep - 1 - i] = s.scores[from];
            times[keep - 1 - i] = s.times[from];
        }
        s.scores = scores;
        s.times = times;
        s.filled = keep;
        s.next = keep % n;
    }

    /** Takes one scored reading into the state and says whether an episode opened or closed. */
    public Transition apply(EpisodeState s, long eventTime, double score, double threshold) {
        s.scores[s.next] = score;
        s.times[s.next] = eventTime;
        s.next = (s.next + 1) % n;
        s.filled = Math.min(n, s.filled + 1);
        boolean exceeds = score > threshold;

        if (!s.open) {
            if (windowFires(s, threshold)) {
                s.open = true;
                s.episodeStart = firstExceedingTime(s, threshold);
                s.episodeEvents = 1;
                s.peakScore = score;
                s.normalRun = 0;
                return Transition.OPENED;
            }
            return Transition.NONE;
        }
        s.episodeEvents++;
        s.peakScore = Math.max(s.peakScore, score);
        s.normalRun = exceeds ? 0 : s.normalRun + 1;
        if (s.normalRun >= clear) {
            s.open = false;
            return Transition.CLOSED;
        }
        return Transition.NONE;
    }

    boolean windowFires(EpisodeState s, double threshold) {
        if (mode == RuleMode.K_OF_N) {
            return exceeding(s, threshold) >= k;
        }
        return s.filled == n && mean(s) > threshold;
    }

    public int exceeding(EpisodeState s, double threshold) {
        int c = 0;
        for (int i = 0; i < s.filled; i++) {
            if (s.scores[i] > threshold) {
                c++;
            }
        }
        return c;
    }

    public double mean(EpisodeState s) {
        double sum = 0;
        for (int i = 0; i < s.filled; i++) {
            sum += s.scores[i];
        }
        return s.filled == 0 ? Double.NaN : sum / s.filled;
    }

    public double max(EpisodeState s) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < s.filled; i++) {
            m = Math.max(m, s.scores[i]);
        }
        return m;
    }

    private static long firstExceedingTime(EpisodeState s, double threshold) {
        long t = Long.MAX_VALUE;
        for (int i = 0; i < s.filled; i++) {
            if (s.scores[i] > threshold) {
                t = Math.min(t, s.times[i]);
            }
        }
        if (t == Long.MAX_VALUE) { // MEAN mode can fire with no single reading above the threshold
            for (int i = 0; i < s.filled; i++) {
                t = Math.min(t, s.times[i]);
            }
        }
        return t;
    }
}
