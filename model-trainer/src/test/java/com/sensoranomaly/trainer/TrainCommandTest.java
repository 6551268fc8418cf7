package com.sensoranomaly.trainer;

import com.sensoranomaly.model.ModelBundle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code train} command as an operator meets it: exit codes, one-line errors, progress and summary. */
class TrainCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = TrainerMain.commandLine(new TrainCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path history() throws Exception {
        return SyntheticHistory.write(dir.resolve("history.csv"), 300, 0, 1);
    }

    @Test
    void shouldTrainPrintingOneLinePerEpochAndASummaryNamingTheBundle() throws Exception {
        Path out = dir.resolve("bundle");
        Run r = run("--input", history().toString(), "--out", out.toString(), "--epochs", "3", "--window", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("read 300 rows × 3 features from 1 file(s): flow, pressure, temperature");
        assertThat(r.out().lines().filter(l -> l.startsWith("epoch "))).hasSize(3);
        assertThat(r.out()).contains("rows: 240 used for training, 60 for validation", "predicting the training mean",
                "threshold ", "bundle " + ModelBundle.load(out).version() + " written to " + out);
        assertThat(ModelBundle.load(out).window()).isEqualTo(2);
    }

    @Test
    void shouldSayWhichColumnsItLeftOutAndWarnAboutLabelledFaultsInTheHistory() throws Exception {
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(history()));
        lines.set(0, lines.get(0) + ";site;anomaly;changepoint");
        for (int i = 1; i < lines.size(); i++) {
            lines.set(i, lines.get(i) + ";north;" + (i > 100 && i <= 110 ? "1" : "0") + ";0");
        }
        Path labelled = Files.write(dir.resolve("labelled.csv"), lines);
        Run r = run("--input", labelled.toString(), "--out", dir.resolve("b").toString(), "--epochs", "1");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("read 300 rows × 3 features", "label columns kept out of the features: anomaly, changepoint",
                "columns not used: site (not numeric)",
                "warning: " + labelled + " has 10 rows labelled anomaly=1; they are trained on as normal data");
    }

    @Test
    void shouldExitWithTwoAndOneLineForAnUnknownOption() throws Exception {
        Run r = run("--input", history().toString(), "--out", dir.resolve("b").toString(), "--epoch", "3");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1).first().asString().startsWith("train: Unknown option").contains("'--epoch'");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void shouldExitWithTwoForBadOptionValues() throws Exception {
        String in = history().toString();
        String out = dir.resolve("b").toString();
        Run notANumber = run("--input", in, "--out", out, "--epochs", "many");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(notANumber.errLines()).hasSize(1).first().asString().contains("--epochs").contains("many");
        Run outOfRange = run("--input", in, "--out", out, "--validation-fraction", "1.5");
        assertThat(outOfRange.exit()).isEqualTo(2);
        assertThat(outOfRange.errLines()).containsExactly("train: --validation-fraction must be within (0, 0.9): 1.5");
        Run unknownScaler = run("--input", in, "--out", out, "--scaler", "robust");
        assertThat(unknownScaler.exit()).isEqualTo(2);
        assertThat(unknownScaler.errLines()).containsExactly("train: unknown scaler 'robust' (known: standard, minmax)");
        Run missingRequired = run("--input", in);
        assertThat(missingRequired.exit()).isEqualTo(2);
        assertThat(missingRequired.errLines()).hasSize(1).first().asString().contains("--out");
        assertThat(dir.resolve("b")).doesNotExist();
    }

    @Test
    void shouldExitWithOneNamingMissingFiles() {
        Run r = run("--input", dir.resolve("nope.csv").toString(), dir.resolve("gone.csv").toString(), "--out", dir.resolve("b").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("train: " + dir.resolve("nope.csv") + ": no such file; "
                + dir.resolve("gone.csv") + ": no such file");
    }

    @Test
    void shouldExitWithOneNamingFileLineAndColumnOfANonNumericCell() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.write(csv, List.of("datetime;flow;pressure", "2026-01-01 00:00:00;1;2", "2026-01-01 00:00:01;1;high"));
        Run r = run("--input", csv.toString(), "--out", dir.resolve("b").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("train: " + csv + ":3: column 'pressure' is not a number: 'high'");
    }

    @Test
    void shouldExitWithOneWhenThereIsNoNumericColumn() throws Exception {
        Path csv = dir.resolve("text.csv");
        Files.write(csv, List.of("datetime;site", "2026-01-01 00:00:00;north"));
        Run r = run("--input", csv.toString(), "--out", dir.resolve("b").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1).first().asString().startsWith("train: " + csv + ": no numeric feature columns");
    }

    @Test
    void shouldExitWithOneWhenThereAreFewerRowsThanTheWindowNeeds() throws Exception {
        Path csv = SyntheticHistory.write(dir.resolve("short.csv"), 20, 0, 1);
        Run r = run("--input", csv.toString(), "--out", dir.resolve("b").toString(), "--window", "10");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1).first().asString()
                .startsWith("train: " + csv + ": 20 rows are too few for window 10");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void shouldPrintHelpAndVersionOnStdoutWithExitZero() {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--input", "--out", "--window", "--hidden", "--latent", "--activation", "--epochs",
                "--batch-size", "--learning-rate", "--l2", "--seed", "--validation-fraction", "--patience", "--scaler",
                "--denoise", "--threshold-quantile", "--exclude", "--features", "--time-column", "--delimiter");
        Run version = run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("model-trainer ").contains("deeplearning4j 1.0.0-M2.1");
    }
}
