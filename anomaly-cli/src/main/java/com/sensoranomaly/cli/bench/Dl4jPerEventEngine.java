package com.sensoranomaly.cli.bench;

import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Reconstructor;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The tutorial way to score in a stream: one DL4J {@code output()} call per event. Only for the benchmark's
 * comparison; the job never ships DL4J.
 */
public final class Dl4jPerEventEngine implements Reconstructor.Factory {
    private static final long serialVersionUID = 1L;

    private final byte[] model;

    public Dl4jPerEventEngine(MultiLayerNetwork net) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, out, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.model = out.toByteArray();
    }

    @Override
    public Reconstructor create(AnomalyModel ignored) {
        MultiLayerNetwork net;
        try {
            net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(model), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (in, out) -> {
            INDArray row = Nd4j.create(new double[][] {in});
            double[] r = net.output(row, false).toDoubleVector();
            System.arraycopy(r, 0, out, 0, out.length);
        };
    }
}
