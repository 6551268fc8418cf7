package com.sensoranomaly.model;

import java.io.Serializable;

/**
 * One layer of the plain-Java forward pass: a flat input vector to a flat output vector. A window of W readings of
 * F features is flat and time-major (entry {@code t·F + j} is feature j of the t-th oldest reading), and every layer
 * keeps that layout, so dense and convolutional layers chain freely.
 */
public sealed interface NetworkLayer extends Serializable permits DenseLayer, Conv1DLayer {

    int inputSize();

    int outputSize();

    Activation activation();

    long parameterCount();

    /** Writes the layer's output for {@code in} into {@code out}; allocation-free. */
    void forward(double[] in, double[] out);
}
