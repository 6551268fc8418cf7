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
 *
 * <p>Alerts for readings sent before {@code measuredFrom} belong to the warm-up (the load stepping from nothing to the
 * run's rate on a job that has been idle since it started): kept, written to the CSV and summarised apart
 * ({@link #warmup}), not in the figures of the run.
 */
final class LatencySamples {
    private volatile long measuredFrom;
    private long[] eventTime = new long[1024];
    private long[] detectionTime = new long[1024];
    private long[] received = new long[1024];
    private int size;

    LatencySamples(long measuredFrom) {
        this.measuredFrom = measuredFrom;
    }

    /** Alerts for readings sent from {@code epochMs} on are measured; earlier ones belong to the warm-up. */
    void measureFrom(long epochMs) {
        measuredFrom = epochMs;
    }

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

    /** Alerts measured (after the warm-up). */
    int size() {
        return measured(true).length;
    }

    /** The warm-up's alerts alone, as samples measured from the beginning. */
    LatencySamples warmup() {
        LatencySamples w = new LatencySamples(Long.MIN_VALUE);
        for (int i : measured(false)) {
            w.add(eventTime[i], detectionTime[i], received[i]);
        }
        return w;
    }

    private int[] measured(boolean afterWarmup) {
        return java.util.stream.IntStream.range(0, size).filter(i -> (eventTime[i] >= measuredFrom) == afterWarmup).toArray();
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
        int[] idx = measured(true);
        if (idx.length == 0) {
            return Double.NaN;
        }
        double[] d = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            d[i] = later[idx[i]] - earlier[idx[i]];
        }
        Arrays.sort(d);
        return Quantiles.sorted(d, q);
    }

    void writeCsv(Path file) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("event_time_ms,detection_time_ms,received_ms,warmup");
            for (int i = 0; i < size; i++) {
                w.println(eventTime[i] + "," + detectionTime[i] + "," + received[i] + "," + (eventTime[i] < measuredFrom ? 1 : 0));
            }
        }
    }
}
