package com.sensoranomaly.model;

/**
 * What the scorer remembers of one device: the model's input window (the last W readings, scaled, with
 * which entries were observed), the last observed raw value of each feature and when it was seen.
 *
 * <p>A plain mutable POJO on purpose: the streaming job keeps one per device in keyed state and Flink's
 * POJO serializer stores it compactly (about 220 bytes for 8 features and W = 1).
 */
public class DeviceWindow {
    /** W × F scaled values, oldest reading first. */
    public double[] values;
    /** W × F: whether each entry was observed (true) or imputed (false). */
    public boolean[] observed;
    /** Readings in the window so far (saturates at W). */
    public int filled;
    /** Last observed raw value per feature (NaN if never). */
    public double[] lastRaw;
    /** Event time the last raw value was observed, per feature (Long.MIN_VALUE if never). */
    public long[] lastSeen;
    /** Event time of the newest reading taken in. */
    public long lastEventTime = Long.MIN_VALUE;
    /**
     * Per feature: the exponentially smoothed raw value (NaN before the first observation); see {@link Smoothing}.
     * Null unless the model smooths, so unsmoothed devices do not pay for it in state.
     */
    public double[] smoothed;
    /** Per feature: event time of the observation last taken into {@link #smoothed} (null with it). */
    public long[] smoothedAt;

    public DeviceWindow() {}

    public static DeviceWindow empty(int window, int features) {
        DeviceWindow w = new DeviceWindow();
        w.values = new double[window * features];
        w.observed = new boolean[window * features];
        w.lastRaw = new double[features];
        w.lastSeen = new long[features];
        java.util.Arrays.fill(w.lastRaw, Double.NaN);
        java.util.Arrays.fill(w.lastSeen, Long.MIN_VALUE);
        return w;
    }

    /**
     * An empty model window that keeps this device's smoothing: the model input restarts (e.g. when a
     * calibration changes how readings are mapped) while the sensors' smoothed levels, taken from raw readings,
     * stay valid.
     */
    public DeviceWindow restarted() {
        DeviceWindow w = empty(values.length / lastRaw.length, lastRaw.length);
        if (smoothed != null) {
            w.smoothed = smoothed.clone();
            w.smoothedAt = smoothedAt.clone();
        }
        return w;
    }
}
