package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AutoencoderEncodeTest {

    private static DenseLayer dense(int nIn, int nOut, double scale, Activation a) {
        double[] w = new double[nIn * nOut];
        for (int i = 0; i < w.length; i++) {
            w[i] = scale * Math.sin(1.0 + i);
        }
        double[] b = new double[nOut];
        for (int j = 0; j < nOut; j++) {
            b[j] = 0.01 * j;
        }
        return new DenseLayer(nIn, nOut, w, b, a);
    }

    @Test
    void shouldEncodeWithTheEncoderHalfOfAMirroredDenseNetwork() {
        DenseLayer l0 = dense(6, 9, 0.3, Activation.TANH);
        DenseLayer l1 = dense(9, 2, 0.4, Activation.TANH);
        Autoencoder net = new Autoencoder(List.of(l0, l1, dense(2, 9, 0.5, Activation.TANH), dense(9, 6, 0.2, Activation.IDENTITY)));
        assertThat(net.latentLayer()).isEqualTo(1);
        assertThat(net.latentSize()).isEqualTo(2);

        double[] x = {0.5, -1, 2, 0, 0.25, -0.75};
        double[] h = new double[9];
        double[] z = new double[2];
        l0.forward(x, h);
        l1.forward(h, z);
        assertThat(net.encode(x)).containsExactly(z);
        assertThat(z[0]).isNotEqualTo(z[1]);
    }

    @Test
    void shouldLeaveTheReconstructionUnchangedWhenEncodingWithTheSameWorkspace() {
        Autoencoder net = new Autoencoder(List.of(dense(4, 2, 0.3, Activation.RELU), dense(2, 4, 0.7, Activation.IDENTITY)));
        double[] x = {1, 2, 3, 4};
        double[] before = net.reconstruct(x);
        Autoencoder.Workspace ws = net.newWorkspace();
        double[] z = new double[net.latentSize()];
        double[] out = new double[4];
        net.encode(x, z, ws);
        net.reconstruct(x, out, ws);
        assertThat(out).containsExactly(before);
        assertThat(net.latentLayer()).as("a two-layer network's code is its first layer's output").isZero();
    }

    @Test
    void shouldEncodeAConvolutionalNetworkAsTheBottleneckChannelsOverTheWindow() {
        AnomalyModel m = TestNetworks.convModel();
        Autoencoder net = m.network();
        assertThat(net.latentSize()).isEqualTo(3); // 1 channel × 3 time steps
        double[] x = {1, 3, 2, 4, 5, 7};
        // The squeeze layer averages a and b at each time step.
        assertThat(net.encode(x)).containsExactly(2, 3, 6);
    }

    @Test
    void shouldEncodeTheWindowTheScorerLastReconstructed() {
        AnomalyModel m = TestNetworks.pairModel(2);
        ReadingScorer scorer = new ReadingScorer(m, Imputation.DEFAULT);
        DeviceWindow w = DeviceWindow.empty(2, 2);
        scorer.score(w, new double[] {1, 3}, 1000);
        assertThat(scorer.latentOfLastScored()).as("window still filling").isNull();
        scorer.score(w, new double[] {2, 6}, 2000);
        // pairModel's code is the mean of a and b at each window slot.
        assertThat(scorer.latentOfLastScored()).containsExactly(2, 4);
    }
}
