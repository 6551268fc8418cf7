package com.sensoranomaly.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Small generated sensor histories for tests that must not depend on the SKAB data: three sensors driven by
 * one hidden operating state (so an autoencoder has a relation to learn), one reading per second.
 */
final class SyntheticHistory {
    private SyntheticHistory() {}

    static final String HEADER = "datetime;flow;pressure;temperature";

    /** {@code rows} readings; every {@code gapEvery}-th row (if > 0) has an empty pressure cell. */
    static Path write(Path file, int rows, int gapEvery, long seed) throws IOException {
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (int i = 0; i < rows; i++) {
            double state = Math.sin(i / 15.0) + 0.3 * Math.sin(i / 4.0);
            double flow = 100 + 10 * state + r.nextGaussian();
            double pressure = 5 - 0.8 * state + 0.05 * r.nextGaussian();
            double temperature = 60 + 3 * state * state + 0.2 * r.nextGaussian();
            boolean gap = gapEvery > 0 && i % gapEvery == gapEvery - 1;
            lines.add(String.format(Locale.ROOT, "2026-01-01 %02d:%02d:%02d;%.4f;%s;%.4f", i / 3600, i / 60 % 60, i % 60,
                    flow, gap ? "" : String.format(Locale.ROOT, "%.4f", pressure), temperature));
        }
        Files.write(file, lines);
        return file;
    }

    /** A configuration that trains in about a second on a few hundred rows. */
    static TrainerConfig quick(int epochs) {
        return TrainerConfig.defaults().withEpochs(epochs);
    }
}
