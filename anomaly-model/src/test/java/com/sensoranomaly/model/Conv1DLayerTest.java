package com.sensoranomaly.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class Conv1DLayerTest {

    @Test
    void shouldConvolveOverTimeWithSamePaddingAndTimeMajorLayout() {
        // One input channel, two output channels, kernel 3 over 4 steps; input 1, 2, 3, 4.
        // Channel 0 taps (1, 0, -1): out[t] = x[t-1] - x[t+1]; channel 1 taps (0, 1, 0) + bias 10: out[t] = x[t] + 10.
        Conv1DLayer c = new Conv1DLayer(4, 1, 2, 3, new double[] {1, 0, -1, 0, 1, 0}, new double[] {0, 10}, Activation.IDENTITY);
        double[] out = new double[8];
        c.forward(new double[] {1, 2, 3, 4}, out);
        // t=0: 0 - 2 (zero padding before), 11; t=1: 1 - 3, 12; t=2: 2 - 4, 13; t=3: 3 - 0, 14.
        assertThat(out).containsExactly(-2, 11, -2, 12, -2, 13, 3, 14);
        assertThat(c.parameterCount()).isEqualTo(8);
    }

    @Test
    void shouldApplyTheActivationAndMixInputChannels() {
        Conv1DLayer c = new Conv1DLayer(2, 2, 1, 1, new double[] {1, -1}, new double[] {0}, Activation.TANH);
        double[] out = new double[2];
        c.forward(new double[] {3, 1, 0.5, 0.5}, out); // step 0: a=3, b=1; step 1: a=b=0.5
        assertThat(out[0]).isCloseTo(Math.tanh(2), within(1e-15));
        assertThat(out[1]).isEqualTo(0.0);
    }

    @Test
    void shouldRefuseEvenKernelsAndWrongWeightCounts() {
        assertThatThrownBy(() -> new Conv1DLayer(4, 1, 1, 2, new double[2], new double[1], Activation.IDENTITY))
                .hasMessageContaining("odd");
        assertThatThrownBy(() -> new Conv1DLayer(4, 2, 1, 3, new double[3], new double[1], Activation.IDENTITY))
                .hasMessageContaining("expected 1x2x3");
    }

    @Test
    void shouldWriteAndReadAConvolutionalBundleThatNamesItsFamily(@TempDir Path dir) throws Exception {
        AnomalyModel m = TestNetworks.convModel();
        assertThat(m.network().family()).isEqualTo(Autoencoder.CONV1D);
        AnomalyModel w = ModelBundle.write(dir, m, Map.of(), Instant.parse("2026-01-01T00:00:00Z"));
        ModelBundle.Loaded r = ModelBundle.read(BundleSource.directory(dir));
        assertThat(r.manifest().path("family").asText()).isEqualTo("conv1d");
        assertThat(r.model().version()).isEqualTo(w.version());
        double[] x = {1, 3, 2, 2, 5, -1}; // three readings of (a, b)
        assertThat(r.model().network().reconstruct(x)).containsExactly(m.network().reconstruct(x));
        // Middle step: 0.25·2 + 0.5·2 + 0.25·2 = 2 for both channels (a+b)/2 = 2 at every step.
        assertThat(r.model().network().reconstruct(x)[2]).isCloseTo(2.0, within(1e-12));
    }

    @Test
    void shouldRefuseAManifestWhoseFamilyDiffersFromItsWeights(@TempDir Path dir) throws Exception {
        ModelBundle.write(dir, TestNetworks.convModel(), Map.of(), Instant.now());
        Path weights = dir.resolve(ModelBundle.WEIGHTS);
        assertThat(Files.readString(weights)).contains("\"format\" : \"autoencoder/2\"");
        Path manifest = dir.resolve(ModelBundle.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace("\"family\" : \"conv1d\"", "\"family\" : \"dense\""));
        assertThatThrownBy(() -> ModelBundle.load(dir)).isInstanceOf(BundleException.class);
    }

    @Test
    void shouldRefuseOversizedLayersBeforeAllocatingThem() {
        var w = ModelBundle.MAPPER.createObjectNode();
        w.put("format", "dense-autoencoder/1");
        var layer = w.putArray("layers").addObject();
        layer.put("nIn", 60_000);
        layer.put("nOut", 60_000);
        layer.put("activation", "tanh");
        layer.putArray("W");
        assertThatThrownBy(() -> ModelBundle.parseWeights(w)).isInstanceOf(BundleException.class)
                .hasMessageContaining("exceed the limit");
    }
}
