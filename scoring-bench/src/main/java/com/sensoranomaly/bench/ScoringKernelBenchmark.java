package com.sensoranomaly.bench;

import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.trainer.AutoencoderTrainer;
import com.sensoranomaly.trainer.TrainerConfig;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The scoring kernel alone, events per second on one thread: DL4J one call per event (the tutorial
 * design), DL4J on batches of 256 rows, and the project's plain-Java forward pass over the same weights.
 * Network sizes are the trainer's defaults for 8 features at window 1 and window 10.
 *
 * <pre>mvn -Pbench -pl scoring-bench -am -DskipTests package && java -jar scoring-bench/target/benchmarks.jar</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ScoringKernelBenchmark {
    private static final int BATCH = 256;

    @Param({"1", "10"})
    int window;

    private MultiLayerNetwork net;
    private Autoencoder plain;
    private Autoencoder.Workspace ws;
    private double[][] rows;
    private INDArray batch;
    private INDArray single;
    private double[] out;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        int d = 8 * window;
        TrainerConfig cfg = TrainerConfig.defaults();
        List<Integer> sizes = new ArrayList<>();
        sizes.add(d);
        sizes.addAll(cfg.hiddenFor(d));
        sizes.add(cfg.latentFor(d));
        for (int i = cfg.hiddenFor(d).size() - 1; i >= 0; i--) {
            sizes.add(cfg.hiddenFor(d).get(i));
        }
        sizes.add(d);
        net = AutoencoderTrainer.build(cfg, sizes);
        plain = AutoencoderTrainer.export(net, sizes, Activation.TANH);
        ws = plain.newWorkspace();
        Random r = new Random(1);
        rows = new double[BATCH][d];
        for (double[] row : rows) {
            for (int k = 0; k < d; k++) {
                row[k] = r.nextGaussian();
            }
        }
        batch = Nd4j.create(rows);
        single = Nd4j.create(new double[][] {rows[0]});
        out = new double[d];
    }

    @Benchmark
    public double plainJavaPerEvent() {
        plain.reconstruct(rows[next++ & (BATCH - 1)], out, ws);
        return out[0];
    }

    @Benchmark
    public double dl4jPerEvent() {
        return net.output(single, false).getDouble(0);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public double dl4jBatched() {
        return net.output(batch, false).getDouble(0);
    }
}
