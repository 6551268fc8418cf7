package com.sensoranomaly.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.sensoranomaly.model.BundleSource;
import com.sensoranomaly.model.ModelBundle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code train --search}: a small search on synthetic history (3 trials of at most 2 epochs). */
class ModelSearchTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = TrainerMain.commandLine(new TrainCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Run search(Path history, Path out, String mode) {
        return run("--input", history.toString(), "--out", out.toString(), "--search", mode, "--trials", "3",
                "--epochs", "2", "--seed", "7");
    }

    @Test
    void shouldKeepTheTrialWithTheLowestValidationLossAndReportEveryTrial() throws Exception {
        Path history = SyntheticHistory.write(dir.resolve("h.csv"), 400, 0, 3);
        Path out = dir.resolve("best");
        Run r = search(history, out, "random");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> trialLines = r.out().lines().filter(l -> l.startsWith("trial ")).toList();
        assertThat(trialLines).hasSize(3);
        assertThat(trialLines.get(0)).startsWith("trial 1/3 ").contains("val loss ", " s");

        JsonNode manifest = ModelBundle.read(BundleSource.directory(out)).manifest();
        JsonNode search = manifest.path("metrics").path("search");
        assertThat(search.path("mode").asText()).isEqualTo("random");
        assertThat(search.path("results")).hasSize(3);
        JsonNode lowest = null;
        for (JsonNode t : search.path("results")) {
            if (lowest == null || t.path("validationLoss").asDouble() < lowest.path("validationLoss").asDouble()) {
                lowest = t;
            }
        }
        assertThat(search.path("bestTrial").asInt()).isEqualTo(lowest.path("trial").asInt());
        // The bundle is that trial's: its family, sizes and validation loss.
        assertThat(manifest.path("training").path("family").asText()).isEqualTo(lowest.path("family").asText());
        assertThat(manifest.path("training").path("hyperParameters").path("latent").asInt()).isEqualTo(lowest.path("latent").asInt());
        assertThat(manifest.path("metrics").path("validationMse").asDouble())
                .isCloseTo(lowest.path("validationLoss").asDouble(), org.assertj.core.api.Assertions.within(1e-12));
        // The trials differ (otherwise nothing was searched).
        HashSet<String> settings = new HashSet<>();
        search.path("results").forEach(t -> settings.add(t.path("family").asText() + t.path("latent") + t.path("learningRate")));
        assertThat(settings).hasSize(3);

        String report = Files.readString(out.resolve("report.html"));
        assertThat(report).contains("Hyper-parameter search", "<table id='search-results'>", "Validation loss per trial", "<svg");
        assertThat(report.split("<table id='search-results'>")[1].split("</table>")[0].split("<tr").length - 1)
                .as("header and three trials").isEqualTo(4);
    }

    @Test
    void shouldSearchOnlyTheFamilyGivenAndRecordTheBestTrialsOwnDuration() throws Exception {
        Path history = SyntheticHistory.write(dir.resolve("h.csv"), 300, 0, 2);
        Path out = dir.resolve("dense");
        Run r = run("--input", history.toString(), "--out", out.toString(), "--search", "grid", "--trials", "3",
                "--epochs", "2", "--family", "dense");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode manifest = ModelBundle.read(BundleSource.directory(out)).manifest();
        JsonNode search = manifest.path("metrics").path("search");
        search.path("results").forEach(t -> assertThat(t.path("family").asText()).isEqualTo("dense"));
        JsonNode best = search.path("results").get(search.path("bestTrial").asInt() - 1);
        // The bundle's duration is its own trial's (plus calibration), not the whole search's.
        assertThat(manifest.path("training").path("durationMs").asDouble() / 1000)
                .isLessThan(best.path("seconds").asDouble() + 5).isLessThan(search.path("seconds").asDouble() + 5);
    }

    @Test
    void shouldRepeatTheSameSearchForTheSameSeed() throws Exception {
        Path history = SyntheticHistory.write(dir.resolve("h.csv"), 300, 0, 5);
        Run a = search(history, dir.resolve("a"), "grid");
        Run b = search(history, dir.resolve("b"), "grid");
        assertThat(a.exit()).as(a.err()).isZero();
        assertThat(b.exit()).as(b.err()).isZero();
        List<String> lossesA = a.out().lines().filter(l -> l.startsWith("trial ")).map(l -> l.replaceAll("\\s+[0-9.]+ s.*", "")).toList();
        List<String> lossesB = b.out().lines().filter(l -> l.startsWith("trial ")).map(l -> l.replaceAll("\\s+[0-9.]+ s.*", "")).toList();
        assertThat(lossesA).hasSize(3).isEqualTo(lossesB);
        assertThat(ModelBundle.load(dir.resolve("a")).version()).isEqualTo(ModelBundle.load(dir.resolve("b")).version());
    }

    @Test
    void shouldDrawDistinctGridPointsAndRangesThatDependOnlyOnTheSeed() {
        TrainerConfig base = TrainerConfig.defaults();
        List<TrainerConfig> grid = ModelSearch.trials(ModelSearch.Mode.GRID, 50, base, false);
        assertThat(new HashSet<>(grid)).hasSize(50);
        assertThat(grid).extracting(TrainerConfig::family).contains("dense", "conv1d");
        assertThat(grid).filteredOn(TrainerConfig::isConvolutional).allMatch(c -> c.window() == TrainerConfig.DEFAULT_CONV_WINDOW);
        assertThat(grid).filteredOn(c -> !c.isConvolutional()).allMatch(c -> c.window() == base.window());
        assertThat(ModelSearch.trials(ModelSearch.Mode.GRID, 10_000, base, false)).hasSize(2 * ModelSearch.GRID_POINTS_PER_FAMILY);
        assertThat(ModelSearch.trials(ModelSearch.Mode.RANDOM, 10, base, false, List.of("dense"))).allMatch(c -> c.family().equals("dense"));
        List<TrainerConfig> random = ModelSearch.trials(ModelSearch.Mode.RANDOM, 20, base, false);
        assertThat(random).isEqualTo(ModelSearch.trials(ModelSearch.Mode.RANDOM, 20, base, false));
        assertThat(random).isNotEqualTo(ModelSearch.trials(ModelSearch.Mode.RANDOM, 20, base.withSeed(8), false));
        assertThat(random).allMatch(c -> c.learningRate() >= 3e-4 && c.learningRate() <= 1e-2 && c.denoise() < 0.3
                && c.epochs() >= 30 && c.epochs() <= 60 && c.latent() >= 2 && c.latent() <= 8);
        assertThat(random.stream().map(TrainerConfig::learningRate).min(Comparator.naturalOrder()).orElseThrow()).isLessThan(1e-3);
    }

    @Test
    void shouldRefuseBadSearchFlagsWithOneLineAndExitTwo() throws Exception {
        Path history = SyntheticHistory.write(dir.resolve("h.csv"), 300, 0, 1);
        String in = history.toString();
        String out = dir.resolve("x").toString();
        Run zero = run("--input", in, "--out", out, "--search", "random", "--trials", "0");
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err().lines().toList()).hasSize(1).first().asString().contains("--trials must be at least 1: 0");
        Run mode = run("--input", in, "--out", out, "--search", "bayes", "--trials", "3");
        assertThat(mode.exit()).isEqualTo(2);
        assertThat(mode.err().lines().toList()).hasSize(1).first().asString().contains("--search must be grid or random: bayes");
        Run alone = run("--input", in, "--out", out, "--trials", "3");
        assertThat(alone.exit()).isEqualTo(2);
        assertThat(alone.err().lines().toList()).hasSize(1).first().asString().contains("--trials needs --search");
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }
}
