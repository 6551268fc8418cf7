package com.sensoranomaly.trainer;

import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.Conv1DLayer;
import com.sensoranomaly.model.ModelBundle;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The 1-D convolutional family on the real anomaly-free SKAB recording: a short run (window 10, 4 epochs) checks
 * that it learns, names its family in the bundle, and that the plain-Java convolutions the job runs equal DL4J's.
 */
class ConvAutoencoderTest {
    static List<CsvHistory.File> data;
    static AutoencoderTrainer.Result trained;

    @TempDir
    static Path dir;

    @BeforeAll
    static void train() throws Exception {
        data = CsvHistory.readAll(List.of(SharedData.anomalyFree()), CsvHistory.Options.DEFAULT);
        TrainerConfig conv = TrainerConfig.defaults().withWindow(10).withFamily("conv1d").withEpochs(4);
        trained = AutoencoderTrainer.train(conv, data, dir.resolve("conv"), line -> { });
    }

    @Test
    void shouldTrainAConvolutionalBundleThatNamesItsFamilyAndBeatsTheMean() {
        AnomalyModel m = ModelBundle.load(dir.resolve("conv"));
        assertThat(m.network().family()).isEqualTo(Autoencoder.CONV1D);
        assertThat(m.window()).isEqualTo(10);
        assertThat(m.network().layers()).hasSize(4).allMatch(l -> l instanceof Conv1DLayer);
        assertThat(((Conv1DLayer) m.network().layers().get(1)).nOut()).as("bottleneck channels, a third of 8").isEqualTo(3);
        assertThat(trained.training().get("family")).isEqualTo("conv1d");
        assertThat((double) trained.metrics().get("validationMse")).isLessThan((double) trained.metrics().get("baselineMse") * 0.7);
    }

    @Test
    void shouldRunTheSameConvolutionsAsDl4jOnRealWindows() throws Exception {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(dir.resolve("conv/model.zip").toFile());
        AnomalyModel model = ModelBundle.load(dir.resolve("conv"));
        double[][] windows = AutoencoderTrainer.windows(List.<double[][]>of(Arrays.copyOf(data.get(0).rows(), 300)), model.scaler(), 10);
        int f = model.features().size();
        double[][] dl4j = AutoencoderTrainer.flat(net.output(AutoencoderTrainer.input(net, windows, f), false));
        double maxDiff = 0;
        for (int i = 0; i < windows.length; i++) {
            double[] mine = model.network().reconstruct(windows[i]);
            for (int k = 0; k < mine.length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(mine[k] - dl4j[i][k]));
            }
        }
        assertThat(windows.length).isEqualTo(291);
        assertThat(maxDiff).isLessThan(1e-5);
    }

    @Test
    void shouldEncodeAsTheBottleneckChannelsOfDl4jsFeedForwardOverTheWindow() throws Exception {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(dir.resolve("conv/model.zip").toFile());
        AnomalyModel model = ModelBundle.load(dir.resolve("conv"));
        Autoencoder plain = model.network();
        assertThat(plain.latentLayer()).isEqualTo(1);
        assertThat(plain.latentSize()).as("3 bottleneck channels x 10 time steps").isEqualTo(30);
        double[][] windows = AutoencoderTrainer.windows(List.<double[][]>of(Arrays.copyOf(data.get(0).rows(), 300)), model.scaler(), 10);
        int f = model.features().size();
        double[][] dl4j = AutoencoderTrainer.flat(net.feedForward(AutoencoderTrainer.input(net, windows, f), false).get(plain.latentLayer() + 1));
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
    void shouldRefuseAConvolutionalModelOverTooShortAWindow() {
        assertThatThrownBy(() -> TrainerConfig.defaults().withWindow(2).withFamily("conv1d"))
                .hasMessageContaining("--family conv1d needs a --window of at least 3");
        assertThatThrownBy(() -> TrainerConfig.defaults().withFamily("lstm")).hasMessageContaining("--family must be one of dense, conv1d");
    }
}
