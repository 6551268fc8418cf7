package com.sensoranomaly.trainer;

import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.BundleSource;
import com.sensoranomaly.model.DeviceWindow;
import com.sensoranomaly.model.Imputation;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.model.ReadingScorer;
import com.sensoranomaly.model.Scored;
import com.sensoranomaly.model.Smoothing;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Training on the real anomaly-free SKAB recording. A short run (W = 3, 6 epochs, about 5 s) is enough to check
 * what training must guarantee: beating the mean, DL4J parity of the exported weights, determinism, and a
 * threshold calibrated on the job's own scores.
 */
class AutoencoderTrainerTest {
    static List<CsvHistory.File> data;
    static TrainerConfig quick;

    @TempDir
    static Path dir;

    static AutoencoderTrainer.Result first;

    @BeforeAll
    static void train() throws Exception {
        data = CsvHistory.readAll(List.of(SharedData.anomalyFree()), CsvHistory.Options.DEFAULT);
        quick = TrainerConfig.defaults().withWindow(3).withEpochs(6);
        first = AutoencoderTrainer.train(quick, data, dir.resolve("a"), line -> { });
    }

    @Test
    void shouldReconstructValidationRowsBetterThanPredictingTheTrainingMean() {
        double mse = (double) first.metrics().get("validationMse");
        double baseline = (double) first.metrics().get("baselineMse");
        assertThat(mse).isLessThan(baseline * 0.7);
        assertThat((double) first.metrics().get("validationRmse")).isCloseTo(Math.sqrt(mse), within(1e-12));
    }

    @Test
    void shouldRunTheSameForwardPassAsDl4jOnRealRows() throws Exception {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(dir.resolve("a/model.zip").toFile());
        AnomalyModel model = ModelBundle.load(dir.resolve("a"));
        Autoencoder plain = model.network();
        double[][] windows = AutoencoderTrainer.windows(List.<double[][]>of(Arrays.copyOf(data.get(0).rows(), 500)), model.scaler(), 3);
        double[][] dl4j = net.output(Nd4j.create(windows), false).toDoubleMatrix();
        double maxDiff = 0;
        for (int i = 0; i < windows.length; i++) {
            double[] mine = plain.reconstruct(windows[i]);
            for (int k = 0; k < mine.length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(mine[k] - dl4j[i][k]));
            }
        }
        assertThat(windows.length).isEqualTo(498);
        assertThat(maxDiff).isLessThan(1e-5);
    }

    @Test
    void shouldEncodeAsTheEncoderHalfOfDl4jsFeedForward() throws Exception {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(dir.resolve("a/model.zip").toFile());
        AnomalyModel model = ModelBundle.load(dir.resolve("a"));
        Autoencoder plain = model.network();
        JsonNode latent = ModelBundle.read(BundleSource.directory(dir.resolve("a"))).manifest().path("latent");
        // Defaults for 8 features, W = 3: 24 -> 36 -> 8 -> 36 -> 24; the code is the 8 bottleneck units.
        assertThat(latent.path("layer").asInt()).isEqualTo(1);
        assertThat(latent.path("size").asInt()).isEqualTo(8).isEqualTo(plain.latentSize());
        double[][] windows = AutoencoderTrainer.windows(List.<double[][]>of(Arrays.copyOf(data.get(0).rows(), 500)), model.scaler(), 3);
        // feedForward's activations: [input, output of layer 0, output of layer 1, ...].
        double[][] dl4j = net.feedForward(Nd4j.create(windows), false).get(plain.latentLayer() + 1).toDoubleMatrix();
        double maxDiff = 0;
        for (int i = 0; i < windows.length; i++) {
            double[] mine = plain.encode(windows[i]);
            assertThat(mine).hasSize(dl4j[i].length);
            for (int k = 0; k < mine.length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(mine[k] - dl4j[i][k]));
            }
        }
        assertThat(maxDiff).isLessThan(1e-5);
    }

    @Test
    void shouldGiveTheSameThresholdAndMetricsForTheSameSeedAndData() throws Exception {
        AutoencoderTrainer.Result again = AutoencoderTrainer.train(quick, data, dir.resolve("b"), line -> { });
        // DL4J on CPU with a fixed seed repeats itself here bit for bit; the tolerances (1e-6 relative on the
        // threshold, 1e-8 absolute on the MSE) only allow for a BLAS that changes summation order between runs.
        assertThat(again.model().threshold()).isCloseTo(first.model().threshold(), within(1e-6 * first.model().threshold()));
        assertThat((double) again.metrics().get("validationMse")).isCloseTo((double) first.metrics().get("validationMse"), within(1e-8));
        assertThat(again.training().get("bestEpoch")).isEqualTo(first.training().get("bestEpoch"));
    }

    @Test
    void shouldSetTheThresholdAtTheConfiguredQuantileOfValidationScores() {
        double[] scores = first.validationScores();
        long above = Arrays.stream(scores).filter(s -> s > first.model().threshold()).count();
        // 1,881 validation rows, 2 warming up: the 0.99 quantile leaves 1 % (19 of 1,879) above it.
        assertThat(scores).hasSize(1879);
        assertThat(above).isEqualTo(19);
        assertThat(first.model().errorStats().count()).isEqualTo(scores.length);
        assertThat(first.model().errorStats().quantiles().get("p99")).isEqualTo(first.model().threshold());
    }

    @Test
    void shouldCalibrateOnExactlyTheScoresTheJobsScorerGivesTheLoadedBundle() {
        AnomalyModel loaded = ModelBundle.load(dir.resolve("a"));
        CsvHistory.File f = data.get(0);
        int from = f.size() - (int) Math.round(f.size() * quick.validationFraction());
        ReadingScorer scorer = new ReadingScorer(loaded, Imputation.DEFAULT);
        DeviceWindow w = DeviceWindow.empty(loaded.window(), loaded.features().size());
        // The file is smoothed as one device's history from its first row, as the job would see it.
        double[][] rows = Smoothing.of(loaded, Imputation.DEFAULT.maxAge()).applied(f.rows(), f.times());
        List<Double> scores = new ArrayList<>();
        for (int i = from; i < f.size(); i++) {
            Scored s = scorer.score(w, rows[i], f.times()[i]);
            if (!s.isWarmingUp()) {
                scores.add(s.score());
            }
        }
        assertThat(scores.stream().mapToDouble(Double::doubleValue).toArray()).containsExactly(first.validationScores());
    }

    @Test
    void shouldWriteAVerifiableBundleWithReportTrainingDetailsAndLibraries() throws Exception {
        ModelBundle.Loaded b = ModelBundle.read(BundleSource.directory(dir.resolve("a")));
        JsonNode m = b.manifest();
        assertThat(m.path("files").has("model.zip")).isTrue();
        assertThat(m.path("files").has("report.html")).isTrue();
        JsonNode t = m.path("training");
        assertThat(t.path("trainingRows").asInt()).isEqualTo(7524);
        assertThat(t.path("validationRows").asInt()).isEqualTo(1881);
        assertThat(t.path("droppedRowsWithMissingCells").asInt()).isZero();
        assertThat(t.path("trainingWindows").asInt()).isEqualTo(7522);
        assertThat(t.path("epochsRun").asInt()).isEqualTo(6);
        assertThat(t.path("hyperParameters").path("layers").toString()).isEqualTo("[24,36,8,36,24]");
        assertThat(t.path("hyperParameters").path("seed").asLong()).isEqualTo(42);
        assertThat(t.path("inputFiles").get(0).path("sha256").asText()).isEqualTo(ModelBundle.sha256(SharedData.anomalyFree()));
        assertThat(m.path("metrics").path("baselineMse").asDouble()).isPositive();
        assertThat(m.path("libraries").path("deeplearning4j").asText()).isEqualTo("1.0.0-M2.1");
        assertThat(m.path("libraries").path("java").asText()).startsWith(System.getProperty("java.version"));
        assertThat(b.model().window()).isEqualTo(3);
        assertThat(b.model().features()).hasSize(8);

        String report = Files.readString(dir.resolve("a/report.html"));
        assertThat(report).contains("Loss per epoch", "Validation scores", "Mean validation error per feature", "threshold")
                .doesNotContain("<script", "src=", "href=", "<link");
        assertThat(report.split("<svg ", -1)).as("three inline charts").hasSize(4);
    }
}
