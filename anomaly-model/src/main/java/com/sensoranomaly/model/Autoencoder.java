package com.sensoranomaly.model;

import java.io.Serializable;
import java.util.List;

/**
 * The trained autoencoder as plain weights: a stack of layers (dense, or 1-D convolutions over the window)
 * whose output has the size of its input. This is the forward pass the streaming job runs; it equals DL4J's {@code output()} on the
 * same weights to floating-point rounding, without a native call per event.
 *
 * <p>The encoder half is the layers up to and including the bottleneck ({@link #latentLayer()}): the first layer of
 * smallest output among all but the last, which for the mirrored networks the trainer builds is the narrowest layer
 * (dense: the bottleneck units; conv1d: the bottleneck channels at every time step of the window, flat and
 * time-major). {@link #encode} runs the same layers as {@link #reconstruct} and stops there.
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
        System.arraycopy(forward(input, layers.length - 1, ws), 0, output, 0, output.length);
    }

    /**
     * Index of the bottleneck layer, whose output is the latent code: the first layer of smallest output size among
     * all but the last (a one-layer network's only layer). Derived from the layer sizes, so every bundle, including
     * those written before the manifest recorded it, has one; computed on call rather than stored, so detectors
     * serialized by earlier versions (broadcast state) read back unchanged.
     */
    public int latentLayer() {
        int best = 0;
        for (int i = 1; i < layers.length - 1; i++) {
            if (layers[i].outputSize() < layers[best].outputSize()) {
                best = i;
            }
        }
        return best;
    }

    /** Size of the latent code: the bottleneck layer's output size. */
    public int latentSize() {
        return layers[latentLayer()].outputSize();
    }

    /**
     * Writes the latent code of {@code input} (the encoder half's output: layers 0..{@link #latentLayer()} of the
     * same forward pass {@link #reconstruct} runs) into {@code latent} (of {@link #latentSize()}); allocation-free.
     */
    public void encode(double[] input, double[] latent, Workspace ws) {
        int last = latentLayer();
        System.arraycopy(forward(input, last, ws), 0, latent, 0, layers[last].outputSize());
    }

    /** Convenience for tests and offline tools; allocates. */
    public double[] encode(double[] input) {
        double[] out = new double[latentSize()];
        encode(input, out, newWorkspace());
        return out;
    }

    /** Runs layers 0..{@code last} and returns the buffer holding the output of layer {@code last}. */
    private double[] forward(double[] input, int last, Workspace ws) {
        double[] in = input;
        for (int i = 0; i <= last; i++) {
            layers[i].forward(in, ws.buffers[i]);
            in = ws.buffers[i];
        }
        return in;
    }

    /** Convenience for tests and offline tools; allocates. */
    public double[] reconstruct(double[] input) {
        double[] out = new double[outputSize()];
        reconstruct(input, out, newWorkspace());
        return out;
    }

    /**
     * The decoder half: the network's output (scaled units) for a latent code of {@link #latentSize()}, the layers after
     * {@link #latentLayer()}; allocates. For a convolutional network the code is the bottleneck's channels over the window,
     * flat and time-major (entry {@code t·C + c}), as every layer's output is laid out.
     */
    public double[] decode(double[] latent) {
        int b = latentLayer();
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
