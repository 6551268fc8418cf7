package com.sensoranomaly.trainer;

import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.FeatureScaler;
import com.sensoranomaly.model.ModelBundle;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Training rules that do not need the SKAB data: small generated histories, a few epochs. */
class TrainerBehaviourTest {
    @TempDir
    Path dir;

    @Test
    void shouldDeriveLayerSizesFromTheInputSize() {
        TrainerConfig d = TrainerConfig.defaults();
        assertThat(d.layerSizes(8)).containsExactly(8, 12, 3, 12, 8);
        assertThat(d.layerSizes(2)).as("floors").containsExactly(2, 8, 2, 8, 2);
        assertThat(d.layerSizes(200)).as("ceilings").containsExactly(200, 128, 32, 128, 200);
        TrainerConfig given = new TrainerConfig(1, List.of(32, 16), 4, Activation.RELU, 1, 1, 0.01, 0, 1, 0.2, 1,
                FeatureScaler.Kind.MINMAX, 0, 0.99);
        assertThat(given.layerSizes(8)).containsExactly(8, 32, 16, 4, 16, 32, 8);
    }

    @Test
    void shouldRefuseInvalidSettingsNamingTheOption() {
        TrainerConfig d = TrainerConfig.defaults();
        assertThatThrownBy(() -> d.withWindow(0)).hasMessageStartingWith("--window");
        assertThatThrownBy(() -> d.withEpochs(0)).hasMessageStartingWith("--epochs");
        assertThatThrownBy(() -> new TrainerConfig(1, List.of(), 0, Activation.TANH, 1, 1, 1e-3, 0, 1, 0.95, 1,
                FeatureScaler.Kind.STANDARD, 0, 0.99)).hasMessageStartingWith("--validation-fraction");
        assertThatThrownBy(() -> new TrainerConfig(1, List.of(), 0, Activation.TANH, 1, 1, 1e-3, 0, 1, 0.2, 1,
                FeatureScaler.Kind.STANDARD, 1.0, 0.99)).hasMessageStartingWith("--denoise");
    }

    @Test
    void shouldBuildWindowsOfConsecutiveCompleteRowsOldestFirstFeatureFastest() {
        FeatureScaler identity = new FeatureScaler(FeatureScaler.Kind.STANDARD, new double[] {0, 0}, new double[] {1, 1});
        double[][] rows = {{1, 10}, {2, 20}, {3, 30}, {4, Double.NaN}, {5, 50}, {6, 60}, {7, 70}};
        double[][] w = AutoencoderTrainer.windows(List.<double[][]>of(rows), identity, 2);
        // The gap at row 4 breaks the run: no window contains it or spans it.
        assertThat(w).isDeepEqualTo(new double[][] {
                {1, 10, 2, 20}, {2, 20, 3, 30},
                {5, 50, 6, 60}, {6, 60, 7, 70}});
        double[][] second = {{8, 80}};
        assertThat(AutoencoderTrainer.windows(List.of(rows, second), identity, 2).length).as("no window spans two files").isEqualTo(4);
    }

    @Test
    void shouldMaskEntriesWithTheScaledMeanAtTheConfiguredRateAndLeaveTheInputAlone() {
        double[] x = new double[10_000];
        java.util.Arrays.fill(x, 5);
        double[] masked = AutoencoderTrainer.mask(x, new double[] {-1, -2}, 0.1, new Random(7));
        long maskedCount = Stream.iterate(0, i -> i + 1).limit(x.length).filter(i -> masked[i] != 5).count();
        assertThat(maskedCount / (double) x.length).isCloseTo(0.1, within(0.01));
        for (int k = 0; k < x.length; k++) {
            if (masked[k] != 5) {
                assertThat(masked[k]).as("entry %d gets its own feature's mean", k).isEqualTo(k % 2 == 0 ? -1 : -2);
            }
        }
        assertThat(x).containsOnly(5);
    }

    @Test
    void shouldExportEverySupportedActivationExactlyAsDl4jComputesIt() {
        Random r = new Random(3);
        double[][] inputs = new double[50][6];
        for (double[] row : inputs) {
            for (int k = 0; k < row.length; k++) {
                row[k] = 2 * r.nextGaussian();
            }
        }
        for (Activation a : Activation.values()) {
            TrainerConfig cfg = new TrainerConfig(1, List.of(5), 3, a, 1, 1, 1e-3, 0, 11, 0.2, 1,
                    FeatureScaler.Kind.STANDARD, 0, 0.99);
            MultiLayerNetwork net = AutoencoderTrainer.build(cfg, cfg.layerSizes(6));
            Autoencoder plain = AutoencoderTrainer.export(net);
            assertThat(plain.layers()).extracting(l -> l.activation()).containsExactly(a, a, a, Activation.IDENTITY);
            double[][] dl4j = net.output(Nd4j.create(inputs), false).toDoubleMatrix();
            for (int i = 0; i < inputs.length; i++) {
                assertThat(plain.reconstruct(inputs[i])).as("%s, row %d", a, i).containsExactly(dl4j[i], within(1e-9));
            }
        }
    }

    @Test
    void shouldRefuseToExportAnActivationTheStreamingForwardPassLacks() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(4).nOut(2)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTSIGN).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(4)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build())
                .build());
        net.init();
        assertThatThrownBy(() -> AutoencoderTrainer.export(net)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 0").hasMessageContaining("softsign");
    }

    @Test
    void shouldDropRowsWithMissingCellsFromTrainingAndCountThem() throws Exception {
        Path csv = SyntheticHistory.write(dir.resolve("gaps.csv"), 400, 10, 1);
        List<CsvHistory.File> files = CsvHistory.readAll(List.of(csv), CsvHistory.Options.DEFAULT);
        AutoencoderTrainer.Result r = AutoencoderTrainer.train(SyntheticHistory.quick(2).withWindow(2), files, dir.resolve("b"), l -> { });
        // 320 training rows, every 10th with a gap: 32 dropped. Runs of 9 complete rows give 8 windows of 2 each.
        assertThat(r.training().get("droppedRowsWithMissingCells")).isEqualTo(32L);
        assertThat(r.training().get("trainingRows")).isEqualTo(288L);
        assertThat(r.training().get("trainingWindows")).isEqualTo(32 * 8);
        assertThat(r.training().get("rowsOutsideCompleteWindows")).isEqualTo(0L);
        assertThat(r.training().get("validationRowsWithMissingCells")).isEqualTo(8L);
        // Validation rows with gaps are still scored (imputed), as the job would: 80 rows, 1 warming up.
        assertThat(r.validationScores()).hasSize(79);
        assertThat(r.model().threshold()).isPositive();
    }

    @Test
    void shouldRefuseAFileTooShortForTheWindowNamingIt() throws Exception {
        Path csv = SyntheticHistory.write(dir.resolve("short.csv"), 12, 0, 1);
        List<CsvHistory.File> files = CsvHistory.readAll(List.of(csv), CsvHistory.Options.DEFAULT);
        assertThatThrownBy(() -> AutoencoderTrainer.train(SyntheticHistory.quick(1).withWindow(5), files, dir.resolve("b"), l -> { }))
                .isInstanceOf(DataException.class)
                .hasMessage(csv + ": 12 rows are too few for window 5 with validation fraction 0.2 (at least 23 needed)");
        assertThat(dir.resolve("b")).doesNotExist();
    }

    @Test
    void shouldRefuseToWriteIntoADirectoryThatHoldsOtherFilesBeforeTraining() throws Exception {
        Path csv = SyntheticHistory.write(dir.resolve("h.csv"), 200, 0, 1);
        Path out = Files.createDirectories(dir.resolve("home"));
        Files.writeString(out.resolve("notes.txt"), "keep me");
        List<String> progress = new java.util.ArrayList<>();
        assertThatThrownBy(() -> AutoencoderTrainer.train(SyntheticHistory.quick(1),
                CsvHistory.readAll(List.of(csv), CsvHistory.Options.DEFAULT), out, progress::add))
                .isInstanceOf(DataException.class).hasMessageContaining("notes.txt").hasMessageContaining("not part of a model bundle");
        assertThat(progress).as("refused before training").isEmpty();
        assertThat(out.resolve("notes.txt")).hasContent("keep me");
    }

    @Test
    void shouldReplaceAnEarlierBundleWholeAndLeaveNoStagingDirectoriesBehind() throws Exception {
        Path csv = SyntheticHistory.write(dir.resolve("h.csv"), 300, 0, 1);
        List<CsvHistory.File> files = CsvHistory.readAll(List.of(csv), CsvHistory.Options.DEFAULT);
        Path out = dir.resolve("bundle");
        String first = AutoencoderTrainer.train(SyntheticHistory.quick(1).withSeed(1), files, out, l -> { }).model().version();
        String second = AutoencoderTrainer.train(SyntheticHistory.quick(1).withSeed(2), files, out, l -> { }).model().version();
        assertThat(second).isNotEqualTo(first);
        assertThat(ModelBundle.load(out).version()).isEqualTo(second);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("h.csv", "bundle");
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("manifest.json", "weights.json", "model.zip", "report.html");
        }
    }

    @Test
    void shouldReportOneLinePerEpochWithLossesElapsedAndEta() throws Exception {
        Path csv = SyntheticHistory.write(dir.resolve("h.csv"), 300, 0, 1);
        List<String> lines = new java.util.ArrayList<>();
        AutoencoderTrainer.Result r = AutoencoderTrainer.train(SyntheticHistory.quick(3),
                CsvHistory.readAll(List.of(csv), CsvHistory.Options.DEFAULT), dir.resolve("b"), lines::add);
        assertThat(lines.stream().filter(l -> l.startsWith("epoch"))).hasSize(3)
                .allMatch(l -> l.matches("epoch +\\d+/3  train loss [0-9.]+  val loss [0-9.]+  elapsed +[0-9.]+s  eta +[0-9.]+s( +\\*)?"));
        assertThat(r.lossCurve()).hasSize(3);
        assertThat(r.training()).containsEntry("epochsRun", 3).containsKey("bestEpoch");
    }
}
