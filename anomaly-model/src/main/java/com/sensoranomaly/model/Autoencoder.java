package com.sensoranomaly.model;

import java.io.Serializable;
import java.util.List;

/**
 * The trained autoencoder as plain weights: a stack of dense layers whose output has the size of
 * its input. This is the forward pass the streaming job runs; it equals DL4J's {@code output()} on the
 * same weights to floating-point rounding, without a native call per event.
 *
 * <p>Instances are immutable and thread-safe; {@link #newWorkspace()} gives each caller the scratch
 * buffers that make {@link #reconstruct(double[], double[], Workspace)} allocation-free.
 */
public final class Autoencoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final DenseLayer[] layers;

    public Autoencoder(List<DenseLayer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an autoencoder needs at least one layer");
        }
        this.layers = layers.toArray(new DenseLayer[0]);
        for (int i = 1; i < this.layers.length; i++) {
            if (this.layers[i].nIn() != this.layers[i - 1].nOut()) {
                throw new IllegalArgumentException("layer " + i + " takes " + this.layers[i].nIn()
                        + " inputs but layer " + (i - 1) + " gives " + this.layers[i - 1].nOut());
            }
        }
        if (inputSize() != outputSize()) {
            throw new IllegalArgumentException("an autoencoder's output size (" + outputSize()
                    + ") must equal its input size (" + inputSize() + ")");
        }
    }

    public int inputSize() { return layers[0].nIn(); }
    public int outputSize() { return layers[layers.length - 1].nOut(); }
    public List<DenseLayer> layers() { return List.of(layers); }

    /** Number of weights and biases. */
    public long parameterCount() {
        long n = 0;
        for (DenseLayer l : layers) {
            n += (long) l.nIn() * l.nOut() + l.nOut();
        }
        return n;
    }

    public Workspace newWorkspace() {
        double[][] buffers = new double[layers.length][];
        for (int i = 0; i < layers.length; i++) {
            buffers[i] = new double[layers[i].nOut()];
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

    /** Per-thread scratch space of the forward pass. Not thread-safe. */
    public static final class Workspace {
        private final double[][] buffers;

        private Workspace(double[][] buffers) {
            this.buffers = buffers;
        }
    }
}
