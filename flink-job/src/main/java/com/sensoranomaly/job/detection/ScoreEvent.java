package com.sensoranomaly.job.detection;

/** The decision for one reading, for the optional scores topic (the {@code AnomalyScore} contract). */
public class ScoreEvent {
    public String deviceId;
    public long eventTime;
    public double score;
    public double threshold;
    public boolean exceeds;
    public boolean inEpisode;
    public int imputed;
    public String modelVersion;

    public ScoreEvent() {}
}
