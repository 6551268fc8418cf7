package com.sensoranomaly.trainer;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where tests find the shared SKAB data ({@code ../shared/data} next to the project, or the system property
 * {@code shared.data.dir}). Without it, tests that need it are skipped with a message, unless
 * {@code require.shared.data=true} (CI), which turns the skip into a failure.
 */
public final class SharedData {
    private SharedData() {}

    public static Path skab() {
        Path dir = Path.of(System.getProperty("shared.data.dir", "../../shared/data")).resolve("skab");
        if (!Files.isDirectory(dir.resolve("valve1")) || !Files.isRegularFile(dir.resolve("anomaly-free/anomaly-free.csv"))) {
            String message = "the SKAB data is not present at " + dir.toAbsolutePath().normalize()
                    + " (it lives next to the project in ../shared/data/skab); skipping";
            if (Boolean.getBoolean("require.shared.data")) {
                Assertions.fail(message.replace("; skipping", "; required by -Drequire.shared.data=true (CI)"));
            }
            Assumptions.abort(message);
        }
        return dir;
    }

    public static Path anomalyFree() {
        return skab().resolve("anomaly-free/anomaly-free.csv");
    }
}
