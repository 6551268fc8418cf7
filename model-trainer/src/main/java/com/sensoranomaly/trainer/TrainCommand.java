package com.sensoranomaly.trainer;

import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.FeatureScaler;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code train}: sensor history CSV → model bundle.
 *
 * <p>Reads the history ({@link CsvHistory}), trains ({@link AutoencoderTrainer}) and prints one line per
 * epoch and a summary an operator can act on: rows used and dropped, the threshold, validation error against
 * the mean baseline, and where the bundle is. Bad input ends in one line on stderr: exit 2 for usage (unknown
 * option, bad value), 1 for unusable files or data (see {@link TrainerMain#commandLine}).
 *
 * <pre>
 * train --input history/*.csv --out bundles/pump-v3 [--window 1] [--exclude site] [--epochs 60] ...
 * train --input history/*.csv --out bundles/pump-v3 --search random --trials 8 [--seed 42]
 * </pre>
 *
 * <p>With {@code --search}, the settings given are the base of a hyper-parameter search ({@link ModelSearch}): one line
 * per trial, the best trial's bundle written to {@code --out}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = TrainCommand.Version.class,
        description = "Learn normal behaviour from sensor history (CSV) and write a model bundle.",
        sortOptions = false)
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "FILE",
            description = "CSV history files (header row, a time column, numeric sensor columns); one feature set")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "bundle directory to write (new, empty, or a bundle to replace)")
    Path outDir;

    @Option(names = "--family", paramLabel = "FAMILY", description = "model family: dense (layers over the flattened window) or conv1d (1-D convolutions over time) [default: ${DEFAULT-VALUE}]")
    String family = TrainerConfig.DEFAULT_FAMILY;

    @Option(names = "--window", paramLabel = "W", description = "readings per model input (temporal context) [default: 1 for dense, "
            + TrainerConfig.DEFAULT_CONV_WINDOW + " for conv1d]")
    Integer window;

    @Option(names = "--hidden", split = ",", paramLabel = "N", description = "encoder hidden sizes, e.g. 32,16 (decoder mirrors them) [default: derived from the input size]")
    List<Integer> hidden = List.of();

    @Option(names = "--latent", paramLabel = "N", description = "bottleneck size [default: derived from the input size]")
    int latent;

    @Option(names = "--activation", paramLabel = "NAME", description = "hidden activation: tanh, relu, leakyrelu, sigmoid, elu, softplus [default: ${DEFAULT-VALUE}]")
    String activation = TrainerConfig.DEFAULT_ACTIVATION.name().toLowerCase(Locale.ROOT);

    @Option(names = "--epochs", paramLabel = "N", description = "maximum epochs [default: ${DEFAULT-VALUE}]")
    int epochs = TrainerConfig.DEFAULT_EPOCHS;

    @Option(names = "--batch-size", paramLabel = "N", description = "minibatch size [default: ${DEFAULT-VALUE}]")
    int batchSize = TrainerConfig.DEFAULT_BATCH_SIZE;

    @Option(names = "--learning-rate", paramLabel = "RATE", description = "Adam learning rate [default: ${DEFAULT-VALUE}]")
    double learningRate = TrainerConfig.DEFAULT_LEARNING_RATE;

    @Option(names = "--l2", paramLabel = "PENALTY", description = "L2 weight penalty [default: ${DEFAULT-VALUE}]")
    double l2 = TrainerConfig.DEFAULT_L2;

    @Option(names = "--seed", paramLabel = "N", description = "random seed: same seed and data, same model [default: ${DEFAULT-VALUE}]")
    long seed = TrainerConfig.DEFAULT_SEED;

    @Option(names = "--validation-fraction", paramLabel = "F", description = "last part of each file (in time) held back for validation [default: ${DEFAULT-VALUE}]")
    double validationFraction = TrainerConfig.DEFAULT_VALIDATION_FRACTION;

    @Option(names = "--patience", paramLabel = "N", description = "early stopping: epochs without validation improvement [default: ${DEFAULT-VALUE}]")
    int patience = TrainerConfig.DEFAULT_PATIENCE;

    @Option(names = "--scaler", paramLabel = "KIND", description = "standard or minmax [default: ${DEFAULT-VALUE}]")
    String scaler = TrainerConfig.DEFAULT_SCALER.id();

    @Option(names = "--denoise", paramLabel = "P", description = "masking-noise probability while training, 0 = off [default: ${DEFAULT-VALUE}]")
    double denoise = TrainerConfig.DEFAULT_DENOISE;

    @Option(names = "--smoothing", paramLabel = "ALPHA", description = "weight of the newest reading in per-sensor exponential smoothing, 1 = none; the job smooths the same way [default: ${DEFAULT-VALUE}]")
    double smoothing = TrainerConfig.DEFAULT_SMOOTHING;

    @Option(names = "--threshold-quantile", paramLabel = "Q", description = "quantile of validation scores used as threshold [default: ${DEFAULT-VALUE}]")
    double thresholdQuantile = TrainerConfig.DEFAULT_THRESHOLD_QUANTILE;

    @Option(names = "--exclude", split = ",", paramLabel = "COLUMN", description = "columns that are not features (label columns anomaly, changepoint, label, is_anomaly are always left out)")
    List<String> exclude = List.of();

    @Option(names = "--features", split = ",", paramLabel = "COLUMN", description = "use exactly these feature columns, in this order")
    List<String> features = List.of();

    @Option(names = "--time-column", paramLabel = "COLUMN", description = "time column [default: detected: datetime, timestamp, time, date, event_time]")
    String timeColumn;

    @Option(names = "--delimiter", paramLabel = "CHAR", description = "CSV delimiter: ';', ',' or 'tab' [default: detected from the header]")
    String delimiter;

    @Option(names = "--search", paramLabel = "MODE", description = "search hyper-parameters (family unless --family is given, hidden and latent sizes, learning rate, batch size, epochs, denoising) by validation loss: grid or random; the best trial's bundle is written")
    String search;

    @Option(names = "--trials", paramLabel = "N", description = "trials of --search [default: " + DEFAULT_TRIALS + "]")
    Integer trials;

    static final int DEFAULT_TRIALS = 8;

    @Option(names = "--signing-key", paramLabel = "FILE", description = "Ed25519 private key (PEM, from `anomaly keygen` or openssl) to sign the bundle with; jobs with bundle.public-key accept only bundles signed by it")
    Path signingKey;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainerConfig cfg = config();
        ModelSearch.Mode mode = searchMode();
        CsvHistory.Options options = new CsvHistory.Options(delimiter(), Optional.ofNullable(timeColumn), exclude, features);
        PrintWriter out = spec.commandLine().getOut();
        checkInputsExist();
        // Read before training: a wrong key file should cost seconds, not a training run.
        java.security.PrivateKey key = null;
        if (signingKey != null) {
            try {
                key = com.sensoranomaly.model.BundleSignature.readPrivateKey(signingKey);
            } catch (java.io.IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--signing-key: cannot read " + signingKey + ": " + e.getMessage());
            } catch (com.sensoranomaly.model.BundleException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--signing-key: " + e.getMessage());
            }
        }

        List<CsvHistory.File> files = CsvHistory.readAll(inputs, options);
        describeInputs(out, files);
        out.flush();

        AutoencoderTrainer.Result r;
        try {
            java.util.function.Consumer<String> progress = line -> {
                out.println(line);
                out.flush();
            };
            r = mode == null ? AutoencoderTrainer.train(cfg, files, outDir, progress)
                    : ModelSearch.run(mode, trials == null ? DEFAULT_TRIALS : trials, cfg, window != null,
                            // An explicit --family restricts the search to it; otherwise both families compete.
                            spec.commandLine().getParseResult().hasMatchedOption("--family") ? List.of(cfg.family()) : TrainerConfig.FAMILIES,
                            files, outDir, progress).result();
        } catch (LinkageError e) {
            // Only training needs Deeplearning4j and ND4J's native library; say so rather than print a stack trace.
            throw new DataException("training needs Deeplearning4j and ND4J's native library for " + System.getProperty("os.name")
                    + "/" + System.getProperty("os.arch") + ", which could not be loaded (" + e + "); every other command runs without them");
        }
        if (key != null) {
            com.sensoranomaly.model.BundleSignature.sign(outDir, key);
            out.println("signed: " + outDir.resolve(com.sensoranomaly.model.BundleSignature.FILE));
        }
        summary(out, r);
        return 0;
    }

    /** What was read: rows, features, missing cells, labels and columns left out, labelled faults in the history. */
    private static void describeInputs(PrintWriter out, List<CsvHistory.File> files) {
        CsvHistory.File first = files.get(0);
        long rows = files.stream().mapToLong(CsvHistory.File::size).sum();
        long missing = files.stream().mapToLong(CsvHistory.File::missingCells).sum();
        out.printf(Locale.ROOT, "read %,d rows × %d features from %d file(s): %s%n", rows, first.features().size(),
                files.size(), String.join(", ", first.features()));
        if (missing > 0) {
            out.printf(Locale.ROOT, "missing cells: %,d%n", missing);
        }
        // Files may differ in labels and unused columns (a labelled experiment next to unlabelled history).
        Set<String> labels = new LinkedHashSet<>();
        Set<String> notUsed = new LinkedHashSet<>();
        for (CsvHistory.File f : files) {
            labels.addAll(f.labels().keySet());
            for (String c : f.ignoredColumns()) {
                notUsed.add(f.nonNumericColumns().contains(c) ? c + " (not numeric)" : c);
            }
        }
        if (!labels.isEmpty()) {
            out.println("label columns kept out of the features: " + String.join(", ", labels));
        }
        if (!notUsed.isEmpty()) {
            out.println("columns not used: " + String.join(", ", notUsed));
        }
        for (CsvHistory.File f : files) {
            long anomalous = f.label("anomaly").map(a -> Arrays.stream(a).filter(v -> v > 0).count()).orElse(0L);
            if (anomalous > 0) {
                // The autoencoder learns whatever it is shown as normal; labelled faults in the history weaken it.
                out.printf(Locale.ROOT, "warning: %s has %,d rows labelled anomaly=1; they are trained on as normal data%n",
                        f.path(), anomalous);
            }
        }
    }

    /** All unreadable inputs in one line, before any is read: a typo in a long file list should cost one attempt. */
    private void checkInputsExist() {
        List<String> problems = new ArrayList<>();
        for (Path p : inputs) {
            if (!Files.exists(p)) {
                problems.add(p + ": no such file");
            } else if (!Files.isRegularFile(p)) {
                problems.add(p + ": not a regular file");
            }
        }
        if (!problems.isEmpty()) {
            throw new DataException(String.join("; ", problems));
        }
    }

    private TrainerConfig config() {
        try {
            int w = window != null ? window : "conv1d".equals(family) ? TrainerConfig.DEFAULT_CONV_WINDOW : TrainerConfig.DEFAULT_WINDOW;
            return new TrainerConfig(w, hidden, latent, Activation.parse(activation), epochs, batchSize, learningRate, l2,
                    seed, validationFraction, patience, FeatureScaler.Kind.parse(scaler), denoise, thresholdQuantile,
                    smoothing, family);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The search mode, or null without --search; bad combinations are usage errors (exit 2). */
    private ModelSearch.Mode searchMode() {
        if (search == null) {
            if (trials != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--trials needs --search grid|random");
            }
            return null;
        }
        if (trials != null && trials < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--trials must be at least 1: " + trials);
        }
        try {
            return ModelSearch.Mode.parse(search);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Optional<Character> delimiter() {
        if (delimiter == null) {
            return Optional.empty();
        }
        switch (delimiter) {
            case "tab":
            case "\\t":
            case "\t":
                return Optional.of('\t');
            default:
                if (delimiter.length() != 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--delimiter must be one character or 'tab': '" + delimiter + "'");
                }
                return Optional.of(delimiter.charAt(0));
        }
    }

    private static void summary(PrintWriter out, AutoencoderTrainer.Result r) {
        Map<String, Object> m = r.metrics();
        Map<String, Object> t = r.training();
        double mse = (double) m.get("validationMse");
        double baseline = (double) m.get("baselineMse");
        out.println();
        out.printf(Locale.ROOT, "rows: %,d used for training, %,d for validation; dropped %,d training rows with missing cells%s%n",
                t.get("trainingRows"), t.get("validationRows"), t.get("droppedRowsWithMissingCells"),
                ((Number) t.get("rowsOutsideCompleteWindows")).longValue() > 0
                        ? String.format(Locale.ROOT, ", %,d outside any complete window", t.get("rowsOutsideCompleteWindows")) : "");
        out.printf(Locale.ROOT, "validation MSE %.5f (RMSE %.4f, MAE %.4f) vs %.5f predicting the training mean: %s%n",
                mse, (double) m.get("validationRmse"), (double) m.get("validationMae"), baseline,
                mse < baseline ? String.format(Locale.ROOT, "%.1fx lower", baseline / mse)
                        : "NOT better than the mean: the model has not learned how the sensors relate");
        out.printf(Locale.ROOT, "threshold %.6g = quantile %.3f of %,d validation scores; best epoch %s of %s; %.1f s%n",
                r.model().threshold(), r.model().thresholdQuantile(), r.validationScores().length, t.get("bestEpoch"),
                t.get("epochsRun"), ((Number) t.get("durationMs")).longValue() / 1000.0);
        out.printf("bundle %s written to %s (report: %s); trainer %s%n", r.model().version(), r.bundle(),
                r.bundle().resolve("report.html"), Versions.trainer());
        out.flush();
    }

    /** {@code --version}: the trainer's and DL4J's versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Map<String, Object> libs = Versions.libraries();
            return new String[] {"model-trainer " + libs.get("modelTrainer") + " (deeplearning4j " + libs.get("deeplearning4j")
                    + ", java " + libs.get("java") + ")"};
        }
    }
}
