package com.sensoranomaly.trainer;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where tests find the shared SKAB data, and what happens when it is not there.
 *
 * <p>The data is GPL-licensed test material kept outside the repository (next to it, in {@code ../shared/data}).
 * Looked for in the system property {@code shared.data.dir} (the root pom sets it for surefire), then in
 * {@code ../../shared/data} relative to the working directory (a module directory under surefire, so this also
 * works when Maven was started inside a module). Without it, tests that need it are skipped with a message,
 * unless {@code require.shared.data=true} (CI, {@code -Pci}), which turns the skip into a failure.
 * Other modules use this class through model-trainer's test jar.
 */
public final class SharedData {
    private SharedData() {}

    /** The SKAB directory (with anomaly-free/ and valve1/), or the test is skipped (or failed in CI). */
    public static Path skab() {
        Set<Path> candidates = new LinkedHashSet<>();
        String property = System.getProperty("shared.data.dir");
        if (property != null && !property.isBlank()) {
            candidates.add(Path.of(property).toAbsolutePath().normalize());
        }
        candidates.add(Path.of("../../shared/data").toAbsolutePath().normalize());
        List<String> looked = new ArrayList<>();
        for (Path base : candidates) {
            Path dir = base.resolve("skab");
            if (Files.isDirectory(dir.resolve("valve1")) && Files.isRegularFile(dir.resolve("anomaly-free/anomaly-free.csv"))) {
                return dir;
            }
            looked.add(dir.toString());
        }
        String message = "the SKAB data is not present (looked in " + String.join(" and ", looked)
                + "; it lives next to the project in ../shared/data/skab)";
        if (Boolean.parseBoolean(System.getProperty("require.shared.data", "false").trim())) {
            return Assertions.fail(message + "; required by -Drequire.shared.data=true (CI)");
        }
        return Assumptions.abort(message + "; skipping");
    }

    public static Path anomalyFree() {
        return skab().resolve("anomaly-free/anomaly-free.csv");
    }

    /** One labelled SKAB experiment, valve1/{@code n}.csv (0..15). */
    public static Path valve1(int n) {
        return skab().resolve("valve1/" + n + ".csv");
    }
}
