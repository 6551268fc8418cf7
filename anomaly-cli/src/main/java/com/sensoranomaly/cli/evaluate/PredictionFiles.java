package com.sensoranomaly.cli.evaluate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The job's decisions as one CSV per input file, one row per input row, in the layout SKAB's own scorer reads:
 * {@code datetime;anomaly;changepoint;score;threshold}. {@code anomaly} is 1 while the device is in an alert
 * episode; {@code changepoint} is 1 where that decision flips (an alert fires or resolves); score and threshold are
 * the job's (empty where the job did not score the row). Times are written as the input's local time was read.
 */
public final class PredictionFiles {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME_MS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private PredictionFiles() {}

    /** Writes {@code dir/<device>.csv}; returns the file written. */
    public static Path write(Path dir, LabelledSeries series, JobDecisions decisions) {
        Path file = dir.resolve(series.deviceId() + ".csv");
        try {
            Files.createDirectories(dir);
            try (Writer w = Files.newBufferedWriter(file)) {
                w.write("datetime;anomaly;changepoint;score;threshold\n");
                boolean[] in = decisions.inEpisode();
                for (int i = 0; i < series.size(); i++) {
                    long t = series.times()[i];
                    boolean flip = i > 0 && in[i] != in[i - 1];
                    w.write((t % 1000 == 0 ? TIME : TIME_MS).format(Instant.ofEpochMilli(t)));
                    w.write(in[i] ? ";1" : ";0");
                    w.write(flip ? ";1;" : ";0;");
                    w.write(number(decisions.score()[i]));
                    w.write(';');
                    w.write(number(decisions.threshold()[i]));
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write predictions to " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}
