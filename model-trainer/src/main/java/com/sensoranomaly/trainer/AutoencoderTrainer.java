package com.sensoranomaly.trainer;

import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.Conv1DLayer;
import com.sensoranomaly.model.DenseLayer;
import com.sensoranomaly.model.NetworkLayer;
import com.sensoranomaly.model.DeviceWindow;
import com.sensoranomaly.model.ErrorStats;
import com.sensoranomaly.model.FeatureScaler;
import com.sensoranomaly.model.FeatureStats;
import com.sensoranomaly.model.Imputation;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.model.Quantiles;
import com.sensoranomaly.model.ReadingScorer;
import com.sensoranomaly.model.Smoothing;
import com.sensoranomaly.model.Scored;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
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
 *       (no shuffling across the split, so validation is the "future" of training, as in production, and
 *       neighbouring, nearly identical readings cannot leak from training into validation).</li>
 *   <li>Fit the scaler and feature statistics on complete training rows only.</li>
 *   <li>Train a dense autoencoder (DL4J: encoder → bottleneck → mirrored decoder, MSE, Adam, L2) on windows of
 *       W consecutive complete rows, with masking noise on the inputs; early stopping keeps the weights of the
 *       epoch with the lowest validation loss.</li>
 *   <li>Export the weights to the plain form the job runs, stream each file's validation rows through the same
 *       {@link ReadingScorer} the job uses, and set the threshold at a quantile of those scores, so the threshold
 *       is calibrated on exactly the numbers the job will compare with it.</li>
 *   <li>Write the bundle: model.zip (DL4J), report.html, weights.json and manifest.json
 *       ({@link ModelBundle#write}); into a staging directory first, which then replaces {@code outDir}, so a
 *       reader never sees half a bundle.</li>
 * </ol>
 *
 * <p>Deterministic: the same data, configuration and seed give the same model on the same machine
 * (DL4J's CPU backend with a fixed seed; the shuffling and masking noise come from one seeded {@link Random}).
 */
public final class AutoencoderTrainer {

    /**
     * What training produced.
     *
     * @param model            the trained model, with the bundle's content-hash version
     * @param bundle           the bundle directory
     * @param metrics          validation metrics (keys: validationMse, validationRmse, validationMae, baselineMse,
     *                         mseVsBaseline, threshold, validationScoreP50), as written to the manifest
     * @param training         training details (rows used and dropped, epochs, durations, hyper-parameters, inputs)
     * @param lossCurve        per epoch: {epoch, training loss, validation loss}
     * @param validationScores the scores the threshold was calibrated on
     */
    public record Result(AnomalyModel model, Path bundle, Map<String, Object> metrics, Map<String, Object> training,
                         List<double[]> lossCurve, double[] validationScores) {}

    /** The floor of the threshold: data so regular that every validation score is 0 still needs a positive one. */
    static final double MIN_THRESHOLD = 1e-12;

    private AutoencoderTrainer() {}

    /**
     * Trains on {@code files} and writes the bundle to {@code outDir}.
     *
     * @param files    history files with one feature set (from {@link CsvHistory#readAll})
     * @param outDir   bundle directory: must be new, empty, or hold a bundle, which is then replaced
     * @param progress receives human-readable progress lines (one per epoch)
     * @throws DataException if the data cannot train a model (too few rows, no complete window, divergence)
     *                       or {@code outDir} holds other files
     */
    public static Result train(TrainerConfig cfg, List<CsvHistory.File> files, Path outDir, Consumer<String> progress)
            throws IOException {
        BundleDirectory.check(outDir); // before training: a wrong --out should cost seconds, not a training run
        return fitted(cfg, files, progress).write(outDir, Map.of(), "");
    }

    /**
     * A trained network not yet written as a bundle: what a hyper-parameter search keeps of its best trial.
     * {@link #validationLoss()} is the loss early stopping kept (MSE on the scaled validation windows).
     */
    public static final class Fitted {
        private final TrainerConfig cfg;
        private final List<CsvHistory.File> files;
        private final Prepared data;
        private final List<Integer> sizes;
        private final MultiLayerNetwork net;
        private final Fit fit;
        private final long started;
        private final long fitNanos;

        private Fitted(TrainerConfig cfg, List<CsvHistory.File> files, Prepared data, List<Integer> sizes,
                       MultiLayerNetwork net, Fit fit, long started) {
            this.fitNanos = System.nanoTime() - started;
            this.cfg = cfg;
            this.files = files;
            this.data = data;
            this.sizes = sizes;
            this.net = net;
            this.fit = fit;
            this.started = started;
        }

        public double validationLoss() {
            return fit.curve.get(fit.bestEpoch - 1)[2];
        }

        public int bestEpoch() { return fit.bestEpoch; }
        public int epochsRun() { return fit.epochsRun; }
        public long parameterCount() { return net.numParams(); }
        public TrainerConfig config() { return cfg; }

        /**
         * Calibrates the threshold and writes the bundle into {@code target}, with {@code extraMetrics} added to the
         * manifest's metrics and {@code extraReportHtml} to report.html.
         */
        public Result write(Path outDir, Map<String, Object> extraMetrics, String extraReportHtml) throws IOException {
            return AutoencoderTrainer.write(this, outDir, extraMetrics, extraReportHtml);
        }
    }

    /** Prepares the data and fits a network (no bundle written); {@code progress} gets one line per epoch. */
    public static Fitted fitted(TrainerConfig cfg, List<CsvHistory.File> files, Consumer<String> progress) {
        long started = System.nanoTime();
        if (files.isEmpty()) {
            throw new DataException("no input files");
        }
        Prepared data = prepare(cfg, files);
        int f = data.features.size();
        int w = cfg.window();
        int d = w * f;

        List<Integer> sizes = cfg.isConvolutional() ? cfg.channelSizes(f) : cfg.layerSizes(d);
        MultiLayerNetwork net = cfg.isConvolutional() ? buildConv(cfg, sizes, w) : build(cfg, sizes);
        progress.accept(String.format(Locale.ROOT,
                "training %s %s autoencoder on %,d windows (W=%d × %d features), validating on %,d",
                layerString(sizes), cfg.isConvolutional() ? "1-D convolutional (channels, kernel " + TrainerConfig.CONV_KERNEL + ")" : "dense",
                data.trainX.length, w, f, data.validX.length));
        if (data.droppedIncomplete > 0) {
            progress.accept(String.format(Locale.ROOT, "dropped %,d training rows with missing cells", data.droppedIncomplete));
        }
        Fit fit = fit(cfg, net, data, started, progress);
        return new Fitted(cfg, files, data, sizes, net, fit, started);
    }

    private static Result write(Fitted t, Path outDir, Map<String, Object> extraMetrics, String extraReportHtml)
            throws IOException {
        BundleDirectory target = BundleDirectory.check(outDir);
        TrainerConfig cfg = t.cfg;
        List<CsvHistory.File> files = t.files;
        Prepared data = t.data;
        List<Integer> sizes = t.sizes;
        MultiLayerNetwork net = t.net;
        Fit fit = t.fit;
        // The duration recorded is this model's: its fit, then calibration and writing (not what ran in between,
        // such as a search's later trials).
        long started = System.nanoTime() - t.fitNanos;
        int f = data.features.size();
        int w = cfg.window();
        int d = w * f;

        // Export, then calibrate with the job's own scorer on the exported weights.
        Autoencoder exported = export(net, w);
        AnomalyModel provisional = new AnomalyModel("unversioned", data.features, w, data.scaler, data.stats, exported, 1.0,
                cfg.thresholdQuantile(), ErrorStats.of(new double[] {0}), new double[f], cfg.smoothing());
        double[] featureErrorMean = new double[f];
        double[] scores = validationScores(provisional, data.validParts, data.validTimes, featureErrorMean);
        if (scores.length == 0) {
            throw new DataException("no validation reading could be scored (every validation row lacks all values)");
        }
        double quantile = Quantiles.of(scores, cfg.thresholdQuantile());
        double threshold = Math.max(quantile, MIN_THRESHOLD);
        AnomalyModel model = new AnomalyModel("unversioned", data.features, w, data.scaler, data.stats, exported, threshold,
                cfg.thresholdQuantile(), ErrorStats.of(scores), featureErrorMean, cfg.smoothing());

        Map<String, Object> metrics = metrics(net, data, threshold, scores);
        metrics.putAll(extraMetrics);
        long durationMs = (System.nanoTime() - started) / 1_000_000;
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("inputFiles", inputs(files));
        training.put("features", data.features);
        training.put("trainingRows", data.trainRowCount);
        training.put("droppedRowsWithMissingCells", data.droppedIncomplete);
        training.put("rowsOutsideCompleteWindows", data.rowsOutsideWindows);
        training.put("missingCells", data.missingCells);
        training.put("validationRows", data.validRowCount);
        training.put("validationRowsWithMissingCells", data.validRowsWithMissing);
        training.put("trainingWindows", data.trainX.length);
        training.put("validationWindows", data.validX.length);
        training.put("validationScores", scores.length);
        training.put("family", cfg.family());
        training.put("layers", sizes); // widths of a dense network, channels of a convolutional one
        training.put("parameters", exported.parameterCount());
        training.put("epochsRun", fit.epochsRun);
        training.put("bestEpoch", fit.bestEpoch);
        training.put("earlyStopped", fit.earlyStopped);
        training.put("durationMs", durationMs);
        training.put("seed", cfg.seed());
        training.put("thresholdFloored", quantile < MIN_THRESHOLD);
        training.put("hyperParameters", cfg.describe(d));

        Path staging = target.staging();
        try {
            // No normalizer argument: writeModel(net, file, saveUpdater, normalizer) throws in DL4J 1.0.0-M2.1
            // (upstream issue 10154); the scaler lives in manifest.json instead.
            ModelSerializer.writeModel(net, staging.resolve("model.zip").toFile(), false);
            TrainingReport.write(staging.resolve("report.html"), model, metrics, training, fit.curve, scores, extraReportHtml);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("training", training);
            details.put("metrics", metrics);
            details.put("libraries", Versions.libraries());
            AnomalyModel versioned = ModelBundle.write(staging, model, details, Instant.now());
            target.replaceWith(staging);
            return new Result(versioned, outDir, metrics, training, fit.curve, scores);
        } finally {
            BundleDirectory.deleteQuietly(staging);
        }
    }

    // ---- data ----

    /** The training and validation material of one run. */
    private static final class Prepared {
        List<String> features;
        FeatureScaler scaler;
        FeatureStats stats;
        double[] scaledMean;
        double[][] trainX;
        double[][] validX;
        List<double[][]> validParts = new ArrayList<>();
        List<long[]> validTimes = new ArrayList<>();
        long trainRowCount;
        long droppedIncomplete;
        long rowsOutsideWindows;
        long missingCells;
        long validRowCount;
        long validRowsWithMissing;
    }

    private static Prepared prepare(TrainerConfig cfg, List<CsvHistory.File> files) {
        Prepared p = new Prepared();
        p.features = files.get(0).features();
        int f = p.features.size();
        int w = cfg.window();
        List<double[]> complete = new ArrayList<>();
        List<double[][]> trainParts = new ArrayList<>();
        // Each file is one device's recording: smoothed on its own, in time order, as the job smooths a device.
        Smoothing smoothing = new Smoothing(cfg.smoothing(), Imputation.DEFAULT.maxAge());
        for (CsvHistory.File file : files) {
            if (!file.features().equals(p.features)) {
                throw new DataException(file.path() + ": its feature columns " + file.features() + " differ from "
                        + files.get(0).path() + "'s " + p.features);
            }
            int n = file.size();
            int nValid = (int) Math.round(n * cfg.validationFraction());
            int nTrain = n - nValid;
            if (nTrain < w + 1 || nValid < w) {
                throw new DataException(file.path() + ": " + n + " rows are too few for window " + w
                        + " with validation fraction " + cfg.validationFraction() + " (at least "
                        + minimumRows(w, cfg.validationFraction()) + " needed)");
            }
            double[][] rows = smoothing.applied(file.rows(), file.times());
            trainParts.add(Arrays.copyOfRange(rows, 0, nTrain));
            p.validParts.add(Arrays.copyOfRange(rows, nTrain, n));
            p.validTimes.add(Arrays.copyOfRange(file.times(), nTrain, n));
            p.missingCells += file.missingCells();
            p.validRowCount += nValid;
            for (int i = 0; i < nTrain; i++) {
                if (complete(rows[i])) {
                    complete.add(rows[i]);
                } else {
                    p.droppedIncomplete++;
                }
            }
            for (int i = nTrain; i < n; i++) {
                if (!complete(rows[i])) {
                    p.validRowsWithMissing++;
                }
            }
        }
        if (complete.size() < 2) {
            throw new DataException("fewer than 2 complete training rows (" + p.droppedIncomplete
                    + " had missing cells): nothing to fit the scaler on");
        }
        p.trainRowCount = complete.size();
        double[][] completeRows = complete.toArray(new double[0][]);
        p.scaler = FeatureScaler.fit(cfg.scaler(), completeRows);
        p.stats = FeatureStats.of(completeRows);
        p.scaledMean = new double[f];
        for (int j = 0; j < f; j++) {
            p.scaledMean[j] = p.scaler.scale(j, p.stats.mean()[j]);
        }
        p.trainX = windows(trainParts, p.scaler, w);
        p.validX = windows(p.validParts, p.scaler, w);
        p.rowsOutsideWindows = p.trainRowCount - rowsInWindows(trainParts, w);
        if (p.trainX.length == 0 || p.validX.length == 0) {
            throw new DataException("no run of " + w + " consecutive complete rows in the "
                    + (p.trainX.length == 0 ? "training" : "validation") + " part of the data (too many missing cells for window " + w + ")");
        }
        return p;
    }

    /** The smallest file that leaves W + 1 training rows and W validation rows. */
    static int minimumRows(int w, double validationFraction) {
        for (int n = w; ; n++) {
            int nValid = (int) Math.round(n * validationFraction);
            if (n - nValid >= w + 1 && nValid >= w) {
                return n;
            }
        }
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

    /** Complete rows that belong to at least one window (runs of complete rows shorter than W belong to none). */
    private static long rowsInWindows(List<double[][]> parts, int w) {
        long used = 0;
        for (double[][] rows : parts) {
            int run = 0;
            for (int i = 0; i <= rows.length; i++) {
                if (i < rows.length && complete(rows[i])) {
                    run++;
                } else {
                    used += run >= w ? run : 0;
                    run = 0;
                }
            }
        }
        return used;
    }

    // ---- network ----

    /** What every family shares: seed, precision, initialisation, optimizer and weight penalty. */
    private static NeuralNetConfiguration.ListBuilder layers(TrainerConfig cfg) {
        return new NeuralNetConfiguration.Builder()
                .seed(cfg.seed())
                .dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(cfg.learningRate()))
                .l2(cfg.l2())
                .list();
    }

    /** A dense autoencoder with the given layer widths (input, hidden..., latent, hidden..., output). */
    public static MultiLayerNetwork build(TrainerConfig cfg, List<Integer> sizes) {
        if (sizes.size() < 3 || !sizes.get(0).equals(sizes.get(sizes.size() - 1))) {
            throw new IllegalArgumentException("an autoencoder needs input, bottleneck and output widths, the output as wide as the input: " + sizes);
        }
        NeuralNetConfiguration.ListBuilder list = layers(cfg);
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

    /**
     * A 1-D convolutional autoencoder over windows of {@code window} readings: convolutions over time with the given
     * channel counts (input features, hidden..., bottleneck, hidden..., output features), kernel
     * {@link TrainerConfig#CONV_KERNEL}, stride 1 and "same" padding, so every layer keeps the window's length; the
     * last convolution is linear and the loss is the mean squared error over every reading of the window.
     */
    public static MultiLayerNetwork buildConv(TrainerConfig cfg, List<Integer> channels, int window) {
        if (channels.size() < 3 || !channels.get(0).equals(channels.get(channels.size() - 1))) {
            throw new IllegalArgumentException("a convolutional autoencoder needs input, bottleneck and output channels, the output as wide as the input: " + channels);
        }
        NeuralNetConfiguration.ListBuilder list = layers(cfg);
        org.nd4j.linalg.activations.Activation act = org.nd4j.linalg.activations.Activation.valueOf(cfg.activation().name());
        for (int i = 0; i < channels.size() - 1; i++) {
            boolean last = i == channels.size() - 2;
            list.layer(new Convolution1DLayer.Builder(TrainerConfig.CONV_KERNEL)
                    .nIn(channels.get(i)).nOut(channels.get(i + 1))
                    .stride(1).convolutionMode(ConvolutionMode.Same)
                    .activation(last ? org.nd4j.linalg.activations.Activation.IDENTITY : act).build());
        }
        list.layer(new RnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build());
        list.setInputType(InputType.recurrent(channels.get(0), window));
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    private static boolean convolutional(MultiLayerNetwork net) {
        return net.getLayer(0).conf().getLayer() instanceof Convolution1DLayer;
    }

    /**
     * Flat time-major windows (row i: W readings × F features) as the network's input: as they are for a dense
     * network, [n, F, W] (channels, time) for a convolutional one.
     */
    static INDArray input(MultiLayerNetwork net, double[][] x, int features) {
        INDArray flat = Nd4j.create(x);
        if (!convolutional(net)) {
            return flat;
        }
        int n = x.length;
        int w = x[0].length / features;
        return flat.reshape('c', n, w, features).permute(0, 2, 1).dup('c');
    }

    /** The network's output back as flat time-major windows. */
    static double[][] flat(INDArray out) {
        if (out.rank() == 2) {
            return out.toDoubleMatrix();
        }
        long n = out.size(0), f = out.size(1), w = out.size(2);
        return out.permute(0, 2, 1).dup('c').reshape('c', n, w * f).toDoubleMatrix();
    }

    /** Per epoch: shuffle, mask, fit minibatches; then measure, and remember the best weights. */
    private static final class Fit {
        final List<double[]> curve = new ArrayList<>();
        int bestEpoch;
        int epochsRun;
        boolean earlyStopped;
    }

    private static Fit fit(TrainerConfig cfg, MultiLayerNetwork net, Prepared data, long started, Consumer<String> progress) {
        Fit fit = new Fit();
        double[][] trainX = data.trainX;
        int features = data.features.size();
        INDArray validInput = input(net, data.validX, features);
        INDArray trainInput = input(net, trainX, features);
        Random random = new Random(cfg.seed());
        int[] order = new int[trainX.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        double bestLoss = Double.POSITIVE_INFINITY;
        INDArray bestParams = null;
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            shuffle(order, random);
            for (int start = 0; start < order.length; start += cfg.batchSize()) {
                int end = Math.min(order.length, start + cfg.batchSize());
                double[][] clean = new double[end - start][];
                double[][] noisy = new double[end - start][];
                for (int i = start; i < end; i++) {
                    clean[i - start] = trainX[order[i]];
                    noisy[i - start] = cfg.denoise() > 0 ? mask(trainX[order[i]], data.scaledMean, cfg.denoise(), random) : trainX[order[i]];
                }
                net.fit(new DataSet(input(net, noisy, features), input(net, clean, features)));
            }
            // Both losses on clean inputs: comparable with each other and with the baseline.
            double trainLoss = mse(net.output(trainInput, false), trainX);
            double validLoss = mse(net.output(validInput, false), data.validX);
            fit.epochsRun = epoch;
            if (!Double.isFinite(trainLoss) || !Double.isFinite(validLoss)) {
                throw new DataException("training diverged in epoch " + epoch + " (the loss is no longer a number):"
                        + " lower --learning-rate (now " + cfg.learningRate() + ") or look for extreme values in the data");
            }
            fit.curve.add(new double[] {epoch, trainLoss, validLoss});
            if (validLoss < bestLoss - 1e-9) {
                bestLoss = validLoss;
                bestParams = net.params().dup();
                fit.bestEpoch = epoch;
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            double eta = elapsed / epoch * (cfg.epochs() - epoch);
            progress.accept(String.format(Locale.ROOT, "epoch %3d/%d  train loss %.5f  val loss %.5f  elapsed %5.1fs  eta %5.1fs%s",
                    epoch, cfg.epochs(), trainLoss, validLoss, elapsed, eta, fit.bestEpoch == epoch ? "  *" : ""));
            if (epoch - fit.bestEpoch >= cfg.patience() && epoch < cfg.epochs()) {
                fit.earlyStopped = true;
                progress.accept("early stop: no validation improvement for " + cfg.patience() + " epochs; keeping epoch " + fit.bestEpoch);
                break;
            }
        }
        net.setParams(bestParams);
        return fit;
    }

    /** Masking noise: each entry becomes the scaled training mean (what imputation fills in) with probability p. */
    static double[] mask(double[] x, double[] scaledMean, double p, Random random) {
        double[] y = x.clone();
        int f = scaledMean.length;
        for (int k = 0; k < y.length; k++) {
            if (random.nextDouble() < p) {
                y[k] = scaledMean[k % f];
            }
        }
        return y;
    }

    /** The dense network's weights in the plain form the job runs (see {@link #export(MultiLayerNetwork, int)}). */
    public static Autoencoder export(MultiLayerNetwork net) {
        return export(net, 1);
    }

    /**
     * The network's weights in the plain form the job runs: a dense layer's W [nIn × nOut] row-major and b, a
     * convolution's W [nOut × nIn × kernel] and b over {@code window} time steps, each with its activation as
     * configured in the network; the loss layer has no weights and is left out.
     *
     * @throws IllegalArgumentException for a layer the plain forward pass cannot run, or an activation it does not
     *                                  implement
     */
    public static Autoencoder export(MultiLayerNetwork net, int window) {
        List<NetworkLayer> layers = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            org.deeplearning4j.nn.conf.layers.Layer conf = net.getLayer(i).conf().getLayer();
            if (conf instanceof RnnLossLayer) {
                continue;
            }
            if (conf instanceof Convolution1DLayer conv) {
                int nIn = Math.toIntExact(conv.getNIn());
                int nOut = Math.toIntExact(conv.getNOut());
                int k = conv.getKernelSize()[0];
                if (conv.getStride()[0] != 1 || conv.getConvolutionMode() != ConvolutionMode.Same || conv.getDilation()[0] != 1) {
                    throw new IllegalArgumentException("layer " + i + ": only stride-1, undilated convolutions with same padding are supported");
                }
                // DL4J 1.0.0-M2.1 reports the kernel's shape as [nOut, nIn, k, 1] but its 1-D convolution reads the
                // buffer as [k, nIn, nOut]; the buffer's order is what counts (ConvAutoencoderTest checks parity).
                double[] buffer = net.getLayer(i).getParam("W").dup('c').data().asDouble();
                if (buffer.length != nOut * nIn * k) {
                    throw new IllegalArgumentException("layer " + i + ": " + buffer.length + " kernel weights, expected " + nOut + "x" + nIn + "x" + k);
                }
                double[] w = new double[buffer.length];
                for (int u = 0; u < k; u++) {
                    for (int c = 0; c < nIn; c++) {
                        for (int o = 0; o < nOut; o++) {
                            w[(o * nIn + c) * k + u] = buffer[(u * nIn + c) * nOut + o];
                        }
                    }
                }
                double[] b = net.getLayer(i).getParam("b").toDoubleVector();
                layers.add(new Conv1DLayer(window, nIn, nOut, k, w, b, activationOf(i, conv.getActivationFn())));
                continue;
            }
            if (!(conf instanceof FeedForwardLayer ff) || !(conf instanceof BaseLayer base)
                    || !(conf instanceof org.deeplearning4j.nn.conf.layers.DenseLayer || conf instanceof OutputLayer)) {
                throw new IllegalArgumentException("layer " + i + " (" + conf.getClass().getSimpleName() + ") is not a dense or 1-D convolution layer");
            }
            int nIn = Math.toIntExact(ff.getNIn());
            int nOut = Math.toIntExact(ff.getNOut());
            double[][] w = net.getLayer(i).getParam("W").toDoubleMatrix();
            double[] flat = new double[nIn * nOut];
            for (int r = 0; r < nIn; r++) {
                System.arraycopy(w[r], 0, flat, r * nOut, nOut);
            }
            double[] b = net.getLayer(i).getParam("b").toDoubleVector();
            layers.add(new DenseLayer(nIn, nOut, flat, b, activationOf(i, base.getActivationFn())));
        }
        return new Autoencoder(layers);
    }

    /**
     * Same as {@link #export(MultiLayerNetwork)}, checking the network has the expected widths and hidden activation.
     */
    public static Autoencoder export(MultiLayerNetwork net, List<Integer> sizes, Activation hiddenActivation) {
        Autoencoder a = export(net);
        List<NetworkLayer> layers = a.layers();
        for (int i = 0; i < layers.size(); i++) {
            DenseLayer l = (DenseLayer) layers.get(i);
            Activation expected = i == layers.size() - 1 ? Activation.IDENTITY : hiddenActivation;
            if (i + 1 >= sizes.size() || l.nIn() != sizes.get(i) || l.nOut() != sizes.get(i + 1) || l.activation() != expected) {
                throw new IllegalArgumentException("layer " + i + " is " + l.nIn() + "x" + l.nOut() + " " + l.activation()
                        + ", expected from " + sizes + " with " + hiddenActivation);
            }
        }
        return a;
    }

    /** DL4J's activation object → the plain forward pass's, parameters included (e.g. leaky ReLU's alpha). */
    static Activation activationOf(int layer, IActivation fn) {
        for (Activation a : Activation.values()) {
            if (org.nd4j.linalg.activations.Activation.valueOf(a.name()).getActivationFunction().equals(fn)) {
                return a;
            }
        }
        throw new IllegalArgumentException("layer " + layer + " uses activation " + fn
                + ", which the streaming forward pass does not implement (supported: "
                + Arrays.toString(Activation.values()).toLowerCase(Locale.ROOT) + ")");
    }

    // ---- calibration and metrics ----

    /** Streams each file's validation rows through the job's scorer; also averages per-feature errors. */
    static double[] validationScores(AnomalyModel model, List<double[][]> parts, List<long[]> times, double[] featureErrorMean) {
        ReadingScorer scorer = new ReadingScorer(model, Imputation.DEFAULT);
        int f = model.features().size();
        double[] sums = new double[f];
        long[] counts = new long[f];
        double[] out = new double[parts.stream().mapToInt(p -> p.length).sum()];
        int n = 0;
        for (int p = 0; p < parts.size(); p++) {
            // A fresh window per file: each file is one device's recording, as the job keys state by device.
            DeviceWindow state = DeviceWindow.empty(model.window(), f);
            for (int i = 0; i < parts.get(p).length; i++) {
                Scored s = scorer.score(state, parts.get(p)[i], times.get(p)[i]);
                if (s.isWarmingUp()) {
                    continue; // window still filling, or nothing observed in it: the job emits no score either
                }
                out[n++] = s.score();
                for (int j = 0; j < f; j++) {
                    if (!Double.isNaN(s.featureErrors()[j])) {
                        sums[j] += s.featureErrors()[j];
                        counts[j]++;
                    }
                }
            }
        }
        for (int j = 0; j < f; j++) {
            featureErrorMean[j] = counts[j] == 0 ? 0 : sums[j] / counts[j];
        }
        return Arrays.copyOf(out, n);
    }

    /** Reconstruction quality on the complete validation windows, scaled units, against predicting the mean. */
    private static Map<String, Object> metrics(MultiLayerNetwork net, Prepared data, double threshold, double[] scores) {
        double[][] validX = data.validX;
        double[][] recon = flat(net.output(input(net, validX, data.features.size()), false));
        int f = data.features.size();
        double sq = 0, abs = 0, base = 0;
        long cells = 0;
        for (int i = 0; i < validX.length; i++) {
            for (int k = 0; k < validX[i].length; k++) {
                double e = validX[i][k] - recon[i][k];
                sq += e * e;
                abs += Math.abs(e);
                double b = validX[i][k] - data.scaledMean[k % f];
                base += b * b;
                cells++;
            }
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("validationMse", sq / cells);
        metrics.put("validationRmse", Math.sqrt(sq / cells));
        metrics.put("validationMae", abs / cells);
        metrics.put("baselineMse", base / cells);
        metrics.put("mseVsBaseline", base > 0 ? sq / base : 0.0);
        metrics.put("threshold", threshold);
        metrics.put("validationScoreP50", Quantiles.of(scores, 0.5));
        return metrics;
    }

    private static double mse(INDArray out, double[][] x) {
        double[][] r = flat(out);
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

    static String layerString(List<Integer> sizes) {
        return sizes.stream().map(String::valueOf).reduce((a, b) -> a + "-" + b).orElse("");
    }

    private static List<Map<String, Object>> inputs(List<CsvHistory.File> files) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CsvHistory.File f : files) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", f.path().toAbsolutePath().normalize().toString());
            m.put("rows", f.size());
            // Files built in memory (generated history) have no file to hash.
            m.put("sha256", Files.isRegularFile(f.path()) ? ModelBundle.sha256(f.path()) : null);
            out.add(m);
        }
        return out;
    }
}
