package com.sensoranomaly.cli.bench;

import com.sensoranomaly.model.Quantiles;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Event → alert latencies of the bench's latency run, split where the job decides: reading → detection
 * (source, keyed shuffle, scoring, episode rule) and detection → received (alert sink, broker, consumer).
 *
 * <p>All three times are wall clock of the same host, so their differences are meaningful to the millisecond.
 */
final class LatencySamples {
    private long[] eventTime = new long[1024];
    private long[] detectionTime = new long[1024];
    private long[] received = new long[1024];
    private int size;

    void add(long event, long detection, long receivedAt) {
        if (size == eventTime.length) {
            eventTime = Arrays.copyOf(eventTime, size * 2);
            detectionTime = Arrays.copyOf(detectionTime, size * 2);
            received = Arrays.copyOf(received, size * 2);
        }
        eventTime[size] = event;
        detectionTime[size] = detection;
        received[size] = receivedAt;
        size++;
    }

    int size() {
        return size;
    }

    /** Quantile {@code q} of received − event time, ms (NaN without samples). */
    double total(double q) {
        return quantile(received, eventTime, q);
    }

    /** Quantile {@code q} of detection − event time: source, shuffle and scoring. */
    double detect(double q) {
        return quantile(detectionTime, eventTime, q);
    }

    /** Quantile {@code q} of received − detection time: sink, broker and consumer. */
    double deliver(double q) {
        return quantile(received, detectionTime, q);
    }

    private double quantile(long[] later, long[] earlier, double q) {
        if (size == 0) {
            return Double.NaN;
        }
        double[] d = new double[size];
        for (int i = 0; i < size; i++) {
            d[i] = later[i] - earlier[i];
        }
        Arrays.sort(d);
        return Quantiles.sorted(d, q);
    }

    void writeCsv(Path file) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("event_time_ms,detection_time_ms,received_ms");
            for (int i = 0; i < size; i++) {
                w.println(eventTime[i] + "," + detectionTime[i] + "," + received[i]);
            }
        }
    }
}
