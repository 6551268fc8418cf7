package com.sensoranomaly.job.detection;

import java.util.Map;

/**
 * An alert inside the job, field for field the {@code AnomalyAlert} contract (see AnomalyAlert.avsc);
 * encoded to Avro only at the sink, so Flink moves it with its POJO serializer.
 */
public class AlertEvent {
    public static final String FIRING = "FIRING";
    public static final String RESOLVED = "RESOLVED";

    public String alertId;
    public String deviceId;
    public String status;
    public String severity;
    public long episodeStart;
    /** Long.MIN_VALUE while FIRING. */
    public long episodeEnd = Long.MIN_VALUE;
    public long eventTime;
    public long detectionTime;
    public double score;
    public double threshold;
    public int windowSize;
    public int windowExceeding;
    public double windowMean;
    public double windowMax;
    public long episodeEvents;
    public double episodePeak;
    public String[] topFeatures;
    public double[] topErrors;
    public double[] topShares;
    public double[] topObserved;
    public double[] topExpected;
    public String[] imputedFeatures;
    public String modelVersion;
    public String summary;
    public Map<String, String> labels;

    public AlertEvent() {}

    public boolean isFiring() {
        return FIRING.equals(status);
    }
}
