package com.sensoranomaly.cli.evaluate;

import java.util.List;

/**
 * One labelled experiment, replayed as one device: rows in time order, values in {@code features} order
 * (NaN = missing), and the ground truth of each row.
 */
public record LabelledSeries(String deviceId, List<String> features, long[] times, double[][] values,
                             boolean[] anomaly, boolean[] changepoint) {

    public int size() {
        return times.length;
    }

    /** Times of rows marked as changepoints. */
    public long[] changepointTimes() {
        return java.util.stream.IntStream.range(0, times.length).filter(i -> changepoint[i]).mapToLong(i -> times[i]).toArray();
    }
}
