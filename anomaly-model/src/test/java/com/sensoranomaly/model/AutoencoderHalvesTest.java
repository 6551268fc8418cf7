package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AutoencoderHalvesTest {

    private static DenseLayer dense(Random rnd, int nIn, int nOut, Activation a) {
        double[] w = new double[nIn * nOut];
        double[] b = new double[nOut];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextGaussian() * 0.1;
        }
        return new DenseLayer(nIn, nOut, w, b, a);
    }

    @Test
    void shouldSplitADenseNetworkAtItsNarrowestLayerSoDecodeOfEncodeIsTheReconstruction() {
        Random rnd = new Random(7);
        Autoencoder net = new Autoencoder(List.of(dense(rnd, 6, 12, Activation.TANH), dense(rnd, 12, 3, Activation.TANH),
                dense(rnd, 3, 12, Activation.TANH), dense(rnd, 12, 6, Activation.IDENTITY)));
        assertThat(net.latentLayer()).isEqualTo(1);
        assertThat(net.latentSize()).isEqualTo(3);
        double[] x = {0.3, -1.2, 2.0, 0.0, 0.7, -0.1};
        double[] latent = net.encode(x);
        assertThat(latent).hasSize(3);
        assertThat(net.decode(latent)).containsExactly(net.reconstruct(x));
    }

    @Test
    void shouldGiveAConvolutionalNetworksBottleneckChannelsOverTheWindowTimeMajor() {
        AnomalyModel m = TestNetworks.convModel(); // 2 channels -> 1 -> 2 over 3 time steps
        Autoencoder net = m.network();
        assertThat(net.latentSize()).isEqualTo(3);
        double[] x = {1, 3, 2, 4, 0, 2}; // (a, b) at t = 0, 1, 2
        assertThat(net.encode(x)).containsExactly(2, 3, 1); // the mean of a and b at each step
        assertThat(net.decode(net.encode(x))).containsExactly(net.reconstruct(x));
    }

    @Test
    void shouldRefuseALatentCodeOfTheWrongLength() {
        Autoencoder net = TestNetworks.pairModel(1).network();
        assertThatThrownBy(() -> net.decode(new double[] {1, 2})).hasMessageContaining("latent code has 2 values");
    }
}
