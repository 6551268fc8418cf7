package com.sensoranomaly.job.detection;

/**
 * Keyed state of one device in the episode detector: the last n decisions (a ring), and the open episode.
 * About 40 bytes plus 16 per window slot.
 */
public class EpisodeState {
    /** Ring of the last n scores and their event times; {@code filled} of them are valid. */
    public double[] scores;
    public long[] times;
    public int next;
    public int filled;

    /** Whether the scores in the ring came from the device's own model (they are not comparable with the bundle model's). */
    public boolean deviceModel;

    public boolean open;
    public long episodeStart;
    public String alertId;
    /** Content version of the model that opened the episode (alerts of the episode carry it). */
    public String modelVersion;
    public long episodeEvents;
    public double peakScore;
    public int normalRun;
    public int severity;

    /** Labels of the reading that opened the episode: its RESOLVED alert carries the same ones (null: none). */
    public java.util.Map<String, String> labels;

    /** The pending idle timer (event time), 0 if none. */
    public long idleTimer;

    public EpisodeState() {}

    public static EpisodeState create(int n) {
        EpisodeState s = new EpisodeState();
        s.scores = new double[n];
        s.times = new long[n];
        return s;
    }
}
