package com.sensoranomaly.cli.evaluate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PredictionFilesTest {

    @Test
    void shouldWriteOneRowPerInputRowWithDecisionsFlipsAndScores(@TempDir Path dir) throws Exception {
        long t0 = 1_583_748_873_000L; // 2020-03-09 10:14:33 read as UTC
        long[] times = {t0, t0 + 1000, t0 + 2000, t0 + 3000, t0 + 3500};
        double[][] values = {{1}, {2}, {3}, {4}, {5}};
        boolean[] labels = {false, true, true, false, false};
        LabelledSeries s = new LabelledSeries("valve1-0", List.of("x"), times, values, labels, new boolean[5]);
        JobDecisions d = new JobDecisions(new double[] {Double.NaN, 0.5, 2.25, 0.1, 0.2}, new double[] {Double.NaN, 1, 1, 1, 1},
                new boolean[] {false, false, true, true, false}, 0);

        Path f = PredictionFiles.write(dir.resolve("per-device"), s, d);

        assertThat(f).isEqualTo(dir.resolve("per-device").resolve("valve1-0.csv"));
        assertThat(Files.readAllLines(f)).containsExactly(
                "datetime;anomaly;changepoint;score;threshold",
                "2020-03-09 10:14:33;0;0;;",
                "2020-03-09 10:14:34;0;0;0.500000;1.00000",
                "2020-03-09 10:14:35;1;1;2.25000;1.00000",
                "2020-03-09 10:14:36;1;0;0.100000;1.00000",
                "2020-03-09 10:14:36.500;0;1;0.200000;1.00000");
    }
}
