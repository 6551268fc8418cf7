package com.sensoranomaly.model;

import java.util.Objects;

/**
 * A 1-D convolution over time with "same" padding and stride 1, as DL4J's {@code Convolution1DLayer} computes it
 * (a cross-correlation): for each time step t of a window of {@code length} steps and each output channel o,
 * {@code out[t][o] = activation(b[o] + Σ_c Σ_u in[t + u − (k−1)/2][c] · W[o][c][u])}, entries outside the window
 * being zero. Input and output are flat and time-major ({@code in[t·nIn + c]}); W is stored as
 * {@code weights[(o·nIn + c)·k + u]}, DL4J's [nOut, nIn, k] order.
 */
public final class Conv1DLayer implements NetworkLayer {
    private static final long serialVersionUID = 1L;

    private final int length;
    private final int nIn;
    private final int nOut;
    private final int kernel;
    private final double[] weights;
    private final double[] bias;
    private final Activation activation;

    public Conv1DLayer(int length, int nIn, int nOut, int kernel, double[] weights, double[] bias, Activation activation) {
        if (length <= 0 || nIn <= 0 || nOut <= 0) {
            throw new IllegalArgumentException("convolution sizes must be positive: length " + length + ", " + nIn + " -> " + nOut + " channels");
        }
        if (kernel <= 0 || kernel % 2 == 0) {
            throw new IllegalArgumentException("convolution kernel must be a positive odd size: " + kernel);
        }
        if (weights.length != (long) nOut * nIn * kernel) {
            throw new IllegalArgumentException("convolution weights have " + weights.length + " values, expected " + nOut + "x" + nIn + "x" + kernel);
        }
        if (bias.length != nOut) {
            throw new IllegalArgumentException("bias has " + bias.length + " values, expected " + nOut);
        }
        this.length = length;
        this.nIn = nIn;
        this.nOut = nOut;
        this.kernel = kernel;
        this.weights = weights.clone();
        this.bias = bias.clone();
        this.activation = Objects.requireNonNull(activation);
    }

    @Override
    public void forward(double[] in, double[] out) {
        int pad = (kernel - 1) / 2;
        for (int t = 0; t < length; t++) {
            int base = t * nOut;
            for (int o = 0; o < nOut; o++) {
                double sum = bias[o];
                int wo = o * nIn * kernel;
                for (int u = 0; u < kernel; u++) {
                    int s = t + u - pad;
                    if (s < 0 || s >= length) {
                        continue;
                    }
                    int src = s * nIn;
                    for (int c = 0; c < nIn; c++) {
                        sum += in[src + c] * weights[wo + c * kernel + u];
                    }
                }
                out[base + o] = activation == Activation.IDENTITY ? sum : activation.apply(sum);
            }
        }
    }

    @Override
    public int inputSize() { return length * nIn; }
    @Override
    public int outputSize() { return length * nOut; }
    @Override
    public Activation activation() { return activation; }
    @Override
    public long parameterCount() { return (long) nOut * nIn * kernel + nOut; }

    public int length() { return length; }
    public int nIn() { return nIn; }
    public int nOut() { return nOut; }
    public int kernel() { return kernel; }
    public double[] weights() { return weights.clone(); }
    public double[] bias() { return bias.clone(); }
}
