package com.sensoranomaly.trainer;

import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.FeatureScaler;
import com.sensoranomaly.model.ModelBundle;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Training on the real anomaly-free SKAB data (a short run: enough to check what training must guarantee). */
class AutoencoderTrainerTest {
    static List<CsvHistory.File> data;
    static TrainerConfig quick;

    @TempDir
    static Path dir;

    static AutoencoderTrainer.Result first;

    @BeforeAll
    static void train() throws Exception {
        data = CsvHistory.readAll(List.of(SharedData.anomalyFree()), CsvHistory.Options.DEFAULT);
        TrainerConfig d = TrainerConfig.defaults();
        quick = new TrainerConfig(3, d.hidden(), d.latent(), d.activation(), 6, d.batchSize(), d.learningRate(), d.l2(),
                d.seed(), d.validationFraction(), d.patience(), FeatureScaler.Kind.STANDARD, d.denoise(), d.thresholdQuantile());
        first = AutoencoderTrainer.train(quick, data, dir.resolve("a"), line -> { });
    }

    @Test
    void shouldReconstructValidationRowsBetterThanPredictingTheTrainingMean() {
        double mse = (double) first.metrics().get("validationMse");
        double baseline = (double) first.metrics().get("baselineMse");
        assertThat(mse).isLessThan(baseline * 0.7);
    }

    @Test
    void shouldRunTheSameForwardPassAsDl4jOnRealRows() throws Exception {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(dir.resolve("a/model.zip").toFile());
        AnomalyModel model = ModelBundle.load(dir.resolve("a"));
        Autoencoder plain = model.network();
        double[][] windows = AutoencoderTrainer.windows(List.<double[][]>of(java.util.Arrays.copyOf(data.get(0).rows(), 500)), model.scaler(), 3);
        double[][] dl4j = net.output(Nd4j.create(windows), false).toDoubleMatrix();
        double maxDiff = 0;
        for (int i = 0; i < windows.length; i++) {
            double[] mine = plain.reconstruct(windows[i]);
            for (int k = 0; k < mine.length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(mine[k] - dl4j[i][k]));
            }
        }
        assertThat(windows.length).isGreaterThan(400);
        assertThat(maxDiff).isLessThan(1e-5);
    }

    @Test
    void shouldGiveTheSameThresholdAndMetricsForTheSameSeedAndData() throws Exception {
        AutoencoderTrainer.Result again = AutoencoderTrainer.train(quick, data, dir.resolve("b"), line -> { });
        // DL4J on CPU with a fixed seed is deterministic here; the tolerance covers BLAS summation order.
        assertThat(again.model().threshold()).isCloseTo(first.model().threshold(), within(1e-6 * first.model().threshold()));
        assertThat((double) again.metrics().get("validationMse")).isCloseTo((double) first.metrics().get("validationMse"), within(1e-8));
    }

    @Test
    void shouldSetTheThresholdAtTheConfiguredQuantileOfValidationScores() {
        double[] scores = first.validationScores().clone();
        java.util.Arrays.sort(scores);
        long above = java.util.Arrays.stream(scores).filter(s -> s > first.model().threshold()).count();
        assertThat((double) above / scores.length).isCloseTo(1 - quick.thresholdQuantile(), within(0.002));
        assertThat(first.model().errorStats().count()).isEqualTo(scores.length);
    }

    @Test
    void shouldWriteAVerifiableBundleWithReportAndTrainingDetails() {
        ModelBundle.Loaded b = ModelBundle.read(com.sensoranomaly.model.BundleSource.directory(dir.resolve("a")));
        assertThat(b.manifest().path("files").has("model.zip")).isTrue();
        assertThat(b.manifest().path("files").has("report.html")).isTrue();
        assertThat(b.manifest().path("training").path("trainingRows").asInt()).isEqualTo(7524);
        assertThat(b.model().window()).isEqualTo(3);
        assertThat(b.model().features()).hasSize(8);
    }
}
