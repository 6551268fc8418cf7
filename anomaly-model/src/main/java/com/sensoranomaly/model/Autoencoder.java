package com.sensoranomaly.model;

import java.io.Serializable;
import java.util.List;

/**
 * The trained autoencoder as plain weights: a stack of layers (dense, or 1-D convolutions over the window)
 * whose output has the size of its input. This is the forward pass the streaming job runs; it equals DL4J's {@code output()} on the
 * same weights to floating-point rounding, without a native call per event.
 *
 * <p>Instances are immutable and thread-safe; {@link #newWorkspace()} gives each caller the scratch
 * buffers that make {@link #reconstruct(double[], double[], Workspace)} allocation-free.
 */
public final class Autoencoder implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Family of a network of dense layers only. */
    public static final String DENSE = "dense";
    /** Family of a network with 1-D convolutions over the window. */
    public static final String CONV1D = "conv1d";

    private final NetworkLayer[] layers;

    public Autoencoder(List<? extends NetworkLayer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an autoencoder needs at least one layer");
        }
        this.layers = layers.toArray(new NetworkLayer[0]);
        for (int i = 1; i < this.layers.length; i++) {
            if (this.layers[i].inputSize() != this.layers[i - 1].outputSize()) {
                throw new IllegalArgumentException("layer " + i + " takes " + this.layers[i].inputSize()
                        + " inputs but layer " + (i - 1) + " gives " + this.layers[i - 1].outputSize());
            }
        }
        if (inputSize() != outputSize()) {
            throw new IllegalArgumentException("an autoencoder's output size (" + outputSize()
                    + ") must equal its input size (" + inputSize() + ")");
        }
    }

    public int inputSize() { return layers[0].inputSize(); }
    public int outputSize() { return layers[layers.length - 1].outputSize(); }
    public List<NetworkLayer> layers() { return List.of(layers); }

    /** The model family the bundle names: {@link #CONV1D} if any layer convolves over time, else {@link #DENSE}. */
    public String family() {
        for (NetworkLayer l : layers) {
            if (l instanceof Conv1DLayer) {
                return CONV1D;
            }
        }
        return DENSE;
    }

    /** Number of weights and biases. */
    public long parameterCount() {
        long n = 0;
        for (NetworkLayer l : layers) {
            n += l.parameterCount();
        }
        return n;
    }

    public Workspace newWorkspace() {
        double[][] buffers = new double[layers.length][];
        for (int i = 0; i < layers.length; i++) {
            buffers[i] = new double[layers[i].outputSize()];
        }
        return new Workspace(buffers);
    }

    /** Reconstructs {@code input} into {@code output} (both of {@link #inputSize()}). */
    public void reconstruct(double[] input, double[] output, Workspace ws) {
        double[] in = input;
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(in, ws.buffers[i]);
            in = ws.buffers[i];
        }
        System.arraycopy(in, 0, output, 0, output.length);
    }

    /** Convenience for tests and offline tools; allocates. */
    public double[] reconstruct(double[] input) {
        double[] out = new double[outputSize()];
        reconstruct(input, out, newWorkspace());
        return out;
    }

    /**
     * The index of the bottleneck layer: the narrowest layer output before the last layer (the first of equals).
     * The encoder is layers 0..bottleneck, the decoder the layers after it. For a dense network the latent code is
     * that layer's activations; for a convolutional one it is its channels over the window, flat and time-major
     * (entry {@code t·C + c}), as every layer's output is laid out.
     *
     * @throws IllegalStateException for a single-layer network, which has no encoder/decoder split
     */
    public int bottleneck() {
        if (layers.length < 2) {
            throw new IllegalStateException("a single-layer network has no encoder/decoder split");
        }
        int best = 0;
        for (int i = 1; i < layers.length - 1; i++) {
            if (layers[i].outputSize() < layers[best].outputSize()) {
                best = i;
            }
        }
        return best;
    }

    /** Length of the latent code: the bottleneck layer's output size. */
    public int latentSize() {
        return layers[bottleneck()].outputSize();
    }

    /** The encoder half: the bottleneck layer's output for {@code input} (of {@link #inputSize()}); allocates. */
    public double[] encode(double[] input) {
        if (input.length != inputSize()) {
            throw new IllegalArgumentException("input has " + input.length + " values, the network takes " + inputSize());
        }
        double[] in = input;
        for (int i = 0, b = bottleneck(); i <= b; i++) {
            double[] out = new double[layers[i].outputSize()];
            layers[i].forward(in, out);
            in = out;
        }
        return in;
    }

    /** The decoder half: the network's output (scaled units) for a latent code of {@link #latentSize()}; allocates. */
    public double[] decode(double[] latent) {
        int b = bottleneck();
        if (latent.length != layers[b].outputSize()) {
            throw new IllegalArgumentException("latent code has " + latent.length + " values, the network's is " + layers[b].outputSize());
        }
        double[] in = latent;
        for (int i = b + 1; i < layers.length; i++) {
            double[] out = new double[layers[i].outputSize()];
            layers[i].forward(in, out);
            in = out;
        }
        return in;
    }

    /** Per-thread scratch space of the forward pass. Not thread-safe. */
    public static final class Workspace {
        private final double[][] buffers;

        private Workspace(double[][] buffers) {
            this.buffers = buffers;
        }
    }
}
