package com.sensoranomaly.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * One fully connected layer: {@code out = activation(in · W + b)}, with W stored row-major as
 * {@code nIn × nOut} (the layout of DL4J's "W" parameter), so {@code W[i][j] = weights[i * nOut + j]}.
 */
public final class DenseLayer implements NetworkLayer {
    private static final long serialVersionUID = 1L;

    private final int nIn;
    private final int nOut;
    private final double[] weights;
    private final double[] bias;
    private final Activation activation;

    public DenseLayer(int nIn, int nOut, double[] weights, double[] bias, Activation activation) {
        if (nIn <= 0 || nOut <= 0) {
            throw new IllegalArgumentException("layer sizes must be positive: " + nIn + "x" + nOut);
        }
        if (weights.length != nIn * nOut) {
            throw new IllegalArgumentException("weights have " + weights.length + " values, expected " + nIn + "x" + nOut);
        }
        if (bias.length != nOut) {
            throw new IllegalArgumentException("bias has " + bias.length + " values, expected " + nOut);
        }
        this.nIn = nIn;
        this.nOut = nOut;
        this.weights = weights.clone();
        this.bias = bias.clone();
        this.activation = Objects.requireNonNull(activation);
    }

    /** Writes {@code activation(in · W + b)} into {@code out}; allocation-free. */
    @Override
    public void forward(double[] in, double[] out) {
        System.arraycopy(bias, 0, out, 0, nOut);
        // Loop order i-outer keeps both the weight row and the output contiguous in memory.
        for (int i = 0; i < nIn; i++) {
            double x = in[i];
            if (x == 0.0) {
                continue;
            }
            int row = i * nOut;
            for (int j = 0; j < nOut; j++) {
                out[j] += x * weights[row + j];
            }
        }
        if (activation != Activation.IDENTITY) {
            for (int j = 0; j < nOut; j++) {
                out[j] = activation.apply(out[j]);
            }
        }
    }

    public int nIn() { return nIn; }
    public int nOut() { return nOut; }
    @Override
    public int inputSize() { return nIn; }
    @Override
    public int outputSize() { return nOut; }
    @Override
    public long parameterCount() { return (long) nIn * nOut + nOut; }
    @Override
    public Activation activation() { return activation; }
    public double[] weights() { return weights.clone(); }
    public double[] bias() { return bias.clone(); }
}
