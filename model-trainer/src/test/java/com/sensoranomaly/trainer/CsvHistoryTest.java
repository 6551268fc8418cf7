package com.sensoranomaly.trainer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvHistoryTest {
    @TempDir
    Path dir;

    private Path file(String name, String... lines) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, List.of(lines));
        return p;
    }

    private static CsvHistory.Options exclude(String... columns) {
        return new CsvHistory.Options(Optional.empty(), Optional.empty(), List.of(columns), List.of());
    }

    @Test
    void shouldDetectTheDelimiterTimeColumnAndKeepLabelsOutOfTheFeatures() throws Exception {
        Path p = file("a.csv", "datetime;flow;pressure;anomaly;changepoint",
                "2020-03-09 10:14:33;1.5;2.5;0.0;0.0", "2020-03-09 10:14:34;1.6;;1.0;1.0");
        CsvHistory.File f = CsvHistory.read(p, CsvHistory.Options.DEFAULT);
        assertThat(f.features()).containsExactly("flow", "pressure");
        assertThat(f.times()[0]).as("local time read as UTC").isEqualTo(1583748873000L);
        assertThat(f.times()[1] - f.times()[0]).isEqualTo(1000);
        assertThat(f.rows()[0]).containsExactly(1.5, 2.5);
        assertThat(f.rows()[1][1]).as("empty cell = missing").isNaN();
        assertThat(f.missingCells()).isEqualTo(1);
        assertThat(f.labels()).containsOnlyKeys("anomaly", "changepoint");
        assertThat(f.label("anomaly").orElseThrow()).containsExactly(0.0, 1.0);
        assertThat(f.label("Changepoint").orElseThrow()).containsExactly(0.0, 1.0);
        assertThat(f.ignoredColumns()).isEmpty();
    }

    @Test
    void shouldReadCommasIsoTimesAndExcludedColumns() throws Exception {
        Path p = file("b.csv", "timestamp,flow,site_code,pressure", "2026-01-01T00:00:00Z,1,7,2", "2026-01-01T00:00:01Z,NaN,7,3");
        CsvHistory.File f = CsvHistory.read(p, exclude("site_code"));
        assertThat(f.features()).containsExactly("flow", "pressure");
        assertThat(f.ignoredColumns()).containsExactly("site_code");
        assertThat(f.nonNumericColumns()).isEmpty();
        assertThat(f.times()[0]).isEqualTo(1767225600000L);
        assertThat(f.rows()[1][0]).as("NaN = missing").isNaN();
    }

    @Test
    void shouldReadEpochSecondsEpochMillisAndIsoTimesWithOffsets() throws Exception {
        Path p = file("t.csv", "Time,flow", "1767225600,1", "1767225601500,2", "2026-01-01T01:00:02+01:00,3",
                "2026-01-01T00:00:03,4", "2026-01-01 00:00:04.250,5");
        CsvHistory.File f = CsvHistory.read(p, CsvHistory.Options.DEFAULT);
        assertThat(f.times()).containsExactly(1767225600000L, 1767225601500L, 1767225602000L, 1767225603000L, 1767225604250L);
    }

    @Test
    void shouldCountEmptyNanAndNullCellsAsMissing() throws Exception {
        Path p = file("m.csv", "datetime;a;b;c", "2020-03-09 10:14:33;;NaN;null", "2020-03-09 10:14:34;1;2;3");
        CsvHistory.File f = CsvHistory.read(p, CsvHistory.Options.DEFAULT);
        assertThat(f.rows()[0]).containsOnly(Double.NaN);
        assertThat(f.missingCells()).isEqualTo(3);
        assertThat(f.rows()[1]).containsExactly(1, 2, 3);
    }

    @Test
    void shouldLeaveOutColumnsWithoutASingleNumberAndSaySo() throws Exception {
        Path p = file("s.csv", "datetime,site,flow,status", "2026-01-01 00:00:00,north,1,OK", "2026-01-01 00:00:01,north,2,");
        CsvHistory.File f = CsvHistory.read(p, CsvHistory.Options.DEFAULT);
        assertThat(f.features()).containsExactly("flow");
        assertThat(f.nonNumericColumns()).containsExactly("site", "status");
        assertThat(f.ignoredColumns()).containsExactly("site", "status");
    }

    @Test
    void shouldUseExactlyTheGivenFeaturesInTheGivenOrder() throws Exception {
        Path p = file("f.csv", "datetime;a;b;c;label", "2020-03-09 10:14:33;1;2;3;0");
        CsvHistory.File f = CsvHistory.read(p, new CsvHistory.Options(Optional.empty(), Optional.empty(), List.of(), List.of("c", "a")));
        assertThat(f.features()).containsExactly("c", "a");
        assertThat(f.rows()[0]).containsExactly(3, 1);
        assertThat(f.ignoredColumns()).containsExactly("b");
        assertThat(f.labels()).containsOnlyKeys("label");
        assertThatThrownBy(() -> CsvHistory.read(p, new CsvHistory.Options(Optional.empty(), Optional.empty(), List.of(), List.of("d"))))
                .isInstanceOf(DataException.class).hasMessageContaining("no column 'd'");
    }

    @Test
    void shouldUseAGivenDelimiterAndTimeColumn() throws Exception {
        Path p = file("g.tsv", "when\tflow\tpressure", "2026-01-01 00:00:00\t1\t2");
        CsvHistory.File f = CsvHistory.read(p, new CsvHistory.Options(Optional.of('\t'), Optional.of("when"), List.of(), List.of()));
        assertThat(f.features()).containsExactly("flow", "pressure");
        assertThat(f.times()[0]).isEqualTo(1767225600000L);
        assertThat(CsvHistory.read(p, new CsvHistory.Options(Optional.empty(), Optional.of("WHEN"), List.of(), List.of())).features())
                .as("tab detected, time column matched case-insensitively").containsExactly("flow", "pressure");
    }

    @Test
    void shouldNameFileLineAndColumnOfANonNumericCell() throws Exception {
        Path p = file("c.csv", "datetime;flow", "2020-03-09 10:14:33;1.5", "2020-03-09 10:14:34;fast");
        assertThatThrownBy(() -> CsvHistory.read(p, CsvHistory.Options.DEFAULT)).isInstanceOf(DataException.class)
                .hasMessage(p + ":3: column 'flow' is not a number: 'fast'");
    }

    @Test
    void shouldNameTheFirstBadCellEvenWhenItComesBeforeAnyNumber() throws Exception {
        // A typo in the first row must not make a sensor column look like a text column and vanish.
        Path p = file("c2.csv", "datetime;flow;pressure", "2020-03-09 10:14:33;1,5;2", "2020-03-09 10:14:34;1.6;2");
        assertThatThrownBy(() -> CsvHistory.read(p, CsvHistory.Options.DEFAULT)).isInstanceOf(DataException.class)
                .hasMessage(p + ":2: column 'flow' is not a number: '1,5'");
    }

    @Test
    void shouldNameTheLineOfARowWithTooFewCellsAndOfABadTime() throws Exception {
        Path shortRow = file("r.csv", "datetime;a;b", "2020-03-09 10:14:33;1;2", "2020-03-09 10:14:34;1");
        assertThatThrownBy(() -> CsvHistory.read(shortRow, CsvHistory.Options.DEFAULT))
                .hasMessage(shortRow + ":3: 2 cells, the header has 3");
        Path badTime = file("bt.csv", "datetime;a", "yesterday;1");
        assertThatThrownBy(() -> CsvHistory.read(badTime, CsvHistory.Options.DEFAULT))
                .hasMessageStartingWith(badTime + ":2: column 'datetime' is not a time: 'yesterday'");
    }

    @Test
    void shouldRefuseFilesWithoutFeaturesOrTimeOrThatDoNotExist() throws Exception {
        assertThatThrownBy(() -> CsvHistory.read(file("d.csv", "datetime;anomaly", "2020-03-09 10:14:33;0"), CsvHistory.Options.DEFAULT))
                .hasMessageContaining("no numeric feature columns");
        assertThatThrownBy(() -> CsvHistory.read(file("e.csv", "when;flow", "x;1"), CsvHistory.Options.DEFAULT))
                .hasMessageContaining("no time column");
        assertThatThrownBy(() -> CsvHistory.read(dir.resolve("missing.csv"), CsvHistory.Options.DEFAULT))
                .hasMessage(dir.resolve("missing.csv") + ": no such file");
        assertThatThrownBy(() -> CsvHistory.read(file("h.csv", "datetime;a;a", "2020-03-09 10:14:33;1;2"), CsvHistory.Options.DEFAULT))
                .hasMessageContaining("column 'a' appears twice");
    }

    @Test
    void shouldRefuseFilesWithDifferentFeatureSetsNamingTheOddOne() throws Exception {
        Path a = file("f1.csv", "datetime;flow", "2020-03-09 10:14:33;1");
        Path b = file("f2.csv", "datetime;pressure", "2020-03-09 10:14:33;1");
        assertThatThrownBy(() -> CsvHistory.readAll(List.of(a, b), CsvHistory.Options.DEFAULT))
                .isInstanceOf(DataException.class).hasMessageStartingWith(b + ": its feature columns [pressure] differ");
    }

    @Test
    void shouldReadALabelledSkabExperimentWithItsLabels() {
        CsvHistory.File f = CsvHistory.read(SharedData.valve1(0), CsvHistory.Options.DEFAULT);
        assertThat(f.features()).hasSize(8).contains("Accelerometer1RMS", "Volume Flow RateRMS");
        assertThat(f.missingCells()).isZero();
        double[] anomaly = f.label("anomaly").orElseThrow();
        assertThat(anomaly).hasSize(f.size());
        assertThat(Arrays.stream(anomaly).sum()).as("labelled fault rows").isPositive();
        assertThat(f.label("changepoint")).isPresent();
        for (int i = 1; i < f.size(); i++) {
            assertThat(f.times()[i]).as("time order of row %d", i).isGreaterThan(f.times()[i - 1]);
        }
    }
}
