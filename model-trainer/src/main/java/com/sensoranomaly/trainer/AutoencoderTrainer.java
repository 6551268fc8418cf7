package com.sensoranomaly.trainer;

import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.DenseLayer;
import com.sensoranomaly.model.DeviceWindow;
import com.sensoranomaly.model.ErrorStats;
import com.sensoranomaly.model.FeatureScaler;
import com.sensoranomaly.model.FeatureStats;
import com.sensoranomaly.model.Imputation;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.model.Quantiles;
import com.sensoranomaly.model.ReadingScorer;
import com.sensoranomaly.model.Scored;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Learns "normal" from sensor history and writes a model bundle.
 *
 * <ol>
 *   <li>Split each file in time: the first rows train, the last {@code validationFraction} validate
 *       (no shuffling across the split, so validation is the "future" of training, as in production).</li>
 *   <li>Fit the scaler and feature statistics on complete training rows only.</li>
 *   <li>Train a dense autoencoder (DL4J: encoder → bottleneck → mirrored decoder, MSE, Adam, L2) on windows of
 *       W consecutive complete rows, with optional masking noise; early stopping keeps the best validation epoch.</li>
 *   <li>Export the weights to the plain form the job runs, stream the validation rows through the same
 *       {@link ReadingScorer} the job uses, and set the threshold at a quantile of those scores.</li>
 * </ol>
 */
public final class AutoencoderTrainer {

    /** What training produced. */
    public record Result(AnomalyModel model, Path bundle, Map<String, Object> metrics, Map<String, Object> training,
                         List<double[]> lossCurve, double[] validationScores) {}

    private AutoencoderTrainer() {}

    public static Result train(TrainerConfig cfg, List<CsvHistory.File> files, Path outDir, Consumer<String> progress)
            throws IOException {
        long started = System.currentTimeMillis();
        List<String> features = files.get(0).features();
        int f = features.size();
        int w = cfg.window();
        int d = w * f;

        // ---- split, scaler, statistics ----
        List<double[]> trainRows = new ArrayList<>();
        List<double[][]> trainParts = new ArrayList<>();
        List<double[][]> validParts = new ArrayList<>();
        List<long[]> validTimes = new ArrayList<>();
        long droppedIncomplete = 0;
        long missingCells = 0;
        for (CsvHistory.File file : files) {
            int n = file.size();
            int nValid = (int) Math.round(n * cfg.validationFraction());
            int nTrain = n - nValid;
            if (nTrain < w + 1 || nValid < w) {
                throw new DataException(file.path() + ": " + n + " rows are too few for window " + w
                        + " with validation fraction " + cfg.validationFraction());
            }
            trainParts.add(Arrays.copyOfRange(file.rows(), 0, nTrain));
            validParts.add(Arrays.copyOfRange(file.rows(), nTrain, n));
            validTimes.add(Arrays.copyOfRange(file.times(), nTrain, n));
            missingCells += file.missingCells();
            for (int i = 0; i < nTrain; i++) {
                if (complete(file.rows()[i])) {
                    trainRows.add(file.rows()[i]);
                } else {
                    droppedIncomplete++;
                }
            }
        }
        if (trainRows.size() < 2) {
            throw new DataException("fewer than 2 complete training rows (" + droppedIncomplete + " had missing cells)");
        }
        double[][] complete = trainRows.toArray(new double[0][]);
        FeatureScaler scaler = FeatureScaler.fit(cfg.scaler(), complete);
        FeatureStats stats = FeatureStats.of(complete);
        double[] scaledMean = new double[f];
        for (int j = 0; j < f; j++) {
            scaledMean[j] = scaler.scale(j, stats.mean()[j]);
        }

        double[][] trainX = windows(trainParts, scaler, w);
        double[][] validX = windows(validParts, scaler, w);
        if (trainX.length == 0 || validX.length == 0) {
            throw new DataException("no complete window of " + w + " rows in the " + (trainX.length == 0 ? "training" : "validation") + " part");
        }

        // ---- network ----
        List<Integer> hidden = cfg.hiddenFor(d);
        int latent = cfg.latentFor(d);
        List<Integer> sizes = new ArrayList<>();
        sizes.add(d);
        sizes.addAll(hidden);
        sizes.add(latent);
        for (int i = hidden.size() - 1; i >= 0; i--) {
            sizes.add(hidden.get(i));
        }
        sizes.add(d);
        MultiLayerNetwork net = build(cfg, sizes);
        progress.accept(String.format(Locale.ROOT, "training %s autoencoder on %,d windows (W=%d × %d features), validating on %,d",
                sizes.toString().replace(", ", "-").replace("[", "").replace("]", ""), trainX.length, w, f, validX.length));

        INDArray validInput = Nd4j.create(validX);
        Random random = new Random(cfg.seed());
        int[] order = new int[trainX.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        List<double[]> curve = new ArrayList<>();
        double bestLoss = Double.POSITIVE_INFINITY;
        INDArray bestParams = null;
        int bestEpoch = 0;
        int epoch = 0;
        for (epoch = 1; epoch <= cfg.epochs(); epoch++) {
            shuffle(order, random);
            for (int start = 0; start < order.length; start += cfg.batchSize()) {
                int end = Math.min(order.length, start + cfg.batchSize());
                double[][] clean = new double[end - start][];
                double[][] noisy = new double[end - start][];
                for (int i = start; i < end; i++) {
                    clean[i - start] = trainX[order[i]];
                    noisy[i - start] = cfg.denoise() > 0 ? mask(trainX[order[i]], scaledMean, cfg.denoise(), random) : trainX[order[i]];
                }
                net.fit(new DataSet(Nd4j.create(noisy), Nd4j.create(clean)));
            }
            double trainLoss = mse(net, trainX);
            double validLoss = mse(net.output(validInput, false), validX);
            curve.add(new double[] {epoch, trainLoss, validLoss});
            if (validLoss < bestLoss - 1e-9) {
                bestLoss = validLoss;
                bestParams = net.params().dup();
                bestEpoch = epoch;
            }
            long elapsed = System.currentTimeMillis() - started;
            double eta = elapsed / (double) epoch * (cfg.epochs() - epoch) / 1000.0;
            progress.accept(String.format(Locale.ROOT, "epoch %3d/%d  train loss %.5f  val loss %.5f  elapsed %5.1fs  eta %5.1fs%s",
                    epoch, cfg.epochs(), trainLoss, validLoss, elapsed / 1000.0, eta, bestEpoch == epoch ? "  *" : ""));
            if (epoch - bestEpoch >= cfg.patience()) {
                progress.accept("early stop: no validation improvement for " + cfg.patience() + " epochs; keeping epoch " + bestEpoch);
                break;
            }
        }
        net.setParams(bestParams);

        // ---- export, validation scores through the job's scorer, threshold ----
        Autoencoder exported = export(net, sizes, cfg.activation());
        AnomalyModel provisional = new AnomalyModel("unversioned", features, w, scaler, stats, exported, 1.0,
                cfg.thresholdQuantile(), ErrorStats.of(new double[] {0}), new double[f]);
        double[] featureErrorMean = new double[f];
        double[] scores = validationScores(provisional, validParts, validTimes, featureErrorMean);
        double threshold = Quantiles.of(scores, cfg.thresholdQuantile());
        AnomalyModel model = new AnomalyModel("unversioned", features, w, scaler, stats, exported, threshold,
                cfg.thresholdQuantile(), ErrorStats.of(scores), featureErrorMean);

        // ---- metrics ----
        INDArray validOut = net.output(validInput, false);
        double[][] recon = validOut.toDoubleMatrix();
        double sq = 0, abs = 0, base = 0;
        long cells = 0;
        for (int i = 0; i < validX.length; i++) {
            for (int k = 0; k < d; k++) {
                double e = validX[i][k] - recon[i][k];
                sq += e * e;
                abs += Math.abs(e);
                double b = validX[i][k] - scaledMean[k % f];
                base += b * b;
                cells++;
            }
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("validationMse", sq / cells);
        metrics.put("validationRmse", Math.sqrt(sq / cells));
        metrics.put("validationMae", abs / cells);
        metrics.put("baselineMse", base / cells);
        metrics.put("threshold", threshold);
        metrics.put("validationScoreP50", Quantiles.of(scores, 0.5));

        long durationMs = System.currentTimeMillis() - started;
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("inputFiles", inputs(files));
        training.put("trainingRows", trainRows.size());
        training.put("droppedRowsWithMissingCells", droppedIncomplete);
        training.put("missingCells", missingCells);
        training.put("validationRows", validParts.stream().mapToInt(p -> p.length).sum());
        training.put("trainingWindows", trainX.length);
        training.put("validationWindows", validX.length);
        training.put("layers", sizes);
        training.put("epochsRun", Math.min(epoch, cfg.epochs()));
        training.put("bestEpoch", bestEpoch);
        training.put("durationMs", durationMs);
        training.put("config", cfg);

        Files.createDirectories(outDir);
        ModelSerializer.writeModel(net, outDir.resolve("model.zip").toFile(), false);
        TrainingReport.write(outDir.resolve("report.html"), model, metrics, training, curve, scores);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("training", training);
        details.put("metrics", metrics);
        details.put("libraries", Map.of("deeplearning4j", "1.0.0-M2.1", "java", System.getProperty("java.version")));
        AnomalyModel versioned = ModelBundle.write(outDir, model, details, Instant.now());
        return new Result(versioned, outDir, metrics, training, curve, scores);
    }

    public static MultiLayerNetwork build(TrainerConfig cfg, List<Integer> sizes) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(cfg.seed())
                .dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(cfg.learningRate()))
                .l2(cfg.l2())
                .list();
        org.nd4j.linalg.activations.Activation act = org.nd4j.linalg.activations.Activation.valueOf(cfg.activation().name());
        for (int i = 0; i < sizes.size() - 2; i++) {
            list.layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder()
                    .nIn(sizes.get(i)).nOut(sizes.get(i + 1)).activation(act).build());
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                .nIn(sizes.get(sizes.size() - 2)).nOut(sizes.get(sizes.size() - 1))
                .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    /** The network's weights in the plain form the job runs: each layer's W [nIn × nOut] and b. */
    public static Autoencoder export(MultiLayerNetwork net, List<Integer> sizes, Activation hiddenActivation) {
        List<DenseLayer> layers = new ArrayList<>();
        int count = net.getnLayers();
        for (int i = 0; i < count; i++) {
            int nIn = sizes.get(i);
            int nOut = sizes.get(i + 1);
            double[][] w = net.getLayer(i).getParam("W").toDoubleMatrix();
            double[] flat = new double[nIn * nOut];
            for (int r = 0; r < nIn; r++) {
                System.arraycopy(w[r], 0, flat, r * nOut, nOut);
            }
            double[] b = net.getLayer(i).getParam("b").toDoubleVector();
            layers.add(new DenseLayer(nIn, nOut, flat, b, i == count - 1 ? Activation.IDENTITY : hiddenActivation));
        }
        return new Autoencoder(layers);
    }

    /** Streams each file's validation rows through the job's scorer; also averages per-feature errors. */
    static double[] validationScores(AnomalyModel model, List<double[][]> parts, List<long[]> times, double[] featureErrorMean) {
        ReadingScorer scorer = new ReadingScorer(model, Imputation.DEFAULT);
        List<Double> out = new ArrayList<>();
        int f = model.features().size();
        long[] counts = new long[f];
        for (int p = 0; p < parts.size(); p++) {
            DeviceWindow state = DeviceWindow.empty(model.window(), f);
            for (int i = 0; i < parts.get(p).length; i++) {
                Scored s = scorer.score(state, parts.get(p)[i], times.get(p)[i]);
                if (!s.isWarmingUp()) {
                    out.add(s.score());
                    for (int j = 0; j < f; j++) {
                        if (!Double.isNaN(s.featureErrors()[j])) {
                            featureErrorMean[j] += s.featureErrors()[j];
                            counts[j]++;
                        }
                    }
                }
            }
        }
        for (int j = 0; j < f; j++) {
            featureErrorMean[j] = counts[j] == 0 ? 0 : featureErrorMean[j] / counts[j];
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Flattened windows of W consecutive complete rows (oldest first, feature-fastest: DeviceWindow's layout). */
    static double[][] windows(List<double[][]> parts, FeatureScaler scaler, int w) {
        List<double[]> out = new ArrayList<>();
        for (double[][] rows : parts) {
            int f = rows.length == 0 ? 0 : rows[0].length;
            int run = 0;
            for (int i = 0; i < rows.length; i++) {
                run = complete(rows[i]) ? run + 1 : 0;
                if (run >= w) {
                    double[] x = new double[w * f];
                    for (int k = 0; k < w; k++) {
                        double[] r = rows[i - w + 1 + k];
                        for (int j = 0; j < f; j++) {
                            x[k * f + j] = scaler.scale(j, r[j]);
                        }
                    }
                    out.add(x);
                }
            }
        }
        return out.toArray(new double[0][]);
    }

    private static double[] mask(double[] x, double[] scaledMean, double p, Random random) {
        double[] y = x.clone();
        int f = scaledMean.length;
        for (int k = 0; k < y.length; k++) {
            if (random.nextDouble() < p) {
                y[k] = scaledMean[k % f];
            }
        }
        return y;
    }

    private static double mse(MultiLayerNetwork net, double[][] x) {
        return mse(net.output(Nd4j.create(x), false), x);
    }

    private static double mse(INDArray out, double[][] x) {
        double[][] r = out.toDoubleMatrix();
        double s = 0;
        long n = 0;
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < x[i].length; k++) {
                double e = x[i][k] - r[i][k];
                s += e * e;
                n++;
            }
        }
        return s / n;
    }

    private static boolean complete(double[] row) {
        for (double v : row) {
            if (Double.isNaN(v)) {
                return false;
            }
        }
        return true;
    }

    private static void shuffle(int[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static List<Map<String, Object>> inputs(List<CsvHistory.File> files) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CsvHistory.File f : files) {
            out.add(Map.of("path", f.path().toString(), "rows", f.size(), "sha256", ModelBundle.sha256(f.path())));
        }
        return out;
    }
}
