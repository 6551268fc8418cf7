package com.sensoranomaly.trainer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void shouldDetectTheDelimiterTimeColumnAndKeepLabelsOutOfTheFeatures() throws Exception {
        Path p = file("a.csv", "datetime;flow;pressure;anomaly;changepoint",
                "2020-03-09 10:14:33;1.5;2.5;0.0;0.0", "2020-03-09 10:14:34;1.6;;1.0;1.0");
        CsvHistory.File f = CsvHistory.read(p, CsvHistory.Options.DEFAULT);
        assertThat(f.features()).containsExactly("flow", "pressure");
        assertThat(f.times()[1] - f.times()[0]).isEqualTo(1000);
        assertThat(f.rows()[1][1]).as("empty cell = missing").isNaN();
        assertThat(f.missingCells()).isEqualTo(1);
        assertThat(f.label("anomaly").orElseThrow()).containsExactly(0.0, 1.0);
    }

    @Test
    void shouldReadCommasIsoTimesAndExcludedColumns() throws Exception {
        Path p = file("b.csv", "timestamp,flow,site_code,pressure", "2026-01-01T00:00:00Z,1,7,2", "2026-01-01T00:00:01Z,NaN,7,3");
        CsvHistory.File f = CsvHistory.read(p, new CsvHistory.Options(Optional.empty(), Optional.empty(), List.of("site_code"), List.of()));
        assertThat(f.features()).containsExactly("flow", "pressure");
        assertThat(f.ignoredColumns()).containsExactly("site_code");
        assertThat(f.times()[0]).isEqualTo(1767225600000L);
    }

    @Test
    void shouldNameFileLineAndColumnOfANonNumericCell() throws Exception {
        Path p = file("c.csv", "datetime;flow", "2020-03-09 10:14:33;1.5", "2020-03-09 10:14:34;fast");
        assertThatThrownBy(() -> CsvHistory.read(p, CsvHistory.Options.DEFAULT)).isInstanceOf(DataException.class)
                .hasMessage(p + ":3: column 'flow' is not a number: 'fast'");
    }

    @Test
    void shouldRefuseFilesWithoutFeaturesOrTimeOrThatDoNotExist() throws Exception {
        assertThatThrownBy(() -> CsvHistory.read(file("d.csv", "datetime;anomaly", "2020-03-09 10:14:33;0"), CsvHistory.Options.DEFAULT))
                .hasMessageContaining("no numeric feature columns");
        assertThatThrownBy(() -> CsvHistory.read(file("e.csv", "when;flow", "x;1"), CsvHistory.Options.DEFAULT))
                .hasMessageContaining("no time column");
        assertThatThrownBy(() -> CsvHistory.read(dir.resolve("missing.csv"), CsvHistory.Options.DEFAULT))
                .hasMessageContaining("missing.csv: no such file");
    }

    @Test
    void shouldRefuseFilesWithDifferentFeatureSets() throws Exception {
        Path a = file("f.csv", "datetime;flow", "2020-03-09 10:14:33;1");
        Path b = file("g.csv", "datetime;pressure", "2020-03-09 10:14:33;1");
        assertThatThrownBy(() -> CsvHistory.readAll(List.of(a, b), CsvHistory.Options.DEFAULT)).hasMessageContaining("differ");
    }
}
