package com.sensoranomaly.trainer;

import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.FeatureScaler;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code train}: sensor history CSV → model bundle. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Learn normal behaviour from sensor history (CSV) and write a model bundle.",
        sortOptions = false)
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "FILE", description = "CSV history files (header row, a time column)")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "bundle directory to write")
    Path out;

    @Option(names = "--window", paramLabel = "W", description = "readings per model input (temporal context) [default: ${DEFAULT-VALUE}]")
    int window = TrainerConfig.DEFAULT_WINDOW;

    @Option(names = "--hidden", split = ",", paramLabel = "N", description = "encoder hidden sizes, e.g. 32,16 [default: derived from the input size]")
    List<Integer> hidden = List.of();

    @Option(names = "--latent", paramLabel = "N", description = "bottleneck size [default: derived]")
    int latent;

    @Option(names = "--activation", paramLabel = "NAME", description = "hidden activation: tanh, relu, leakyrelu, sigmoid, elu [default: tanh]")
    String activation = TrainerConfig.DEFAULT_ACTIVATION.name().toLowerCase(Locale.ROOT);

    @Option(names = "--epochs", description = "maximum epochs [default: ${DEFAULT-VALUE}]")
    int epochs = TrainerConfig.DEFAULT_EPOCHS;

    @Option(names = "--batch-size", description = "minibatch size [default: ${DEFAULT-VALUE}]")
    int batchSize = TrainerConfig.DEFAULT_BATCH_SIZE;

    @Option(names = "--learning-rate", description = "Adam learning rate [default: ${DEFAULT-VALUE}]")
    double learningRate = TrainerConfig.DEFAULT_LEARNING_RATE;

    @Option(names = "--l2", description = "L2 weight penalty [default: ${DEFAULT-VALUE}]")
    double l2 = TrainerConfig.DEFAULT_L2;

    @Option(names = "--seed", description = "random seed [default: ${DEFAULT-VALUE}]")
    long seed = TrainerConfig.DEFAULT_SEED;

    @Option(names = "--validation-fraction", description = "last part of each file held back for validation [default: ${DEFAULT-VALUE}]")
    double validationFraction = TrainerConfig.DEFAULT_VALIDATION_FRACTION;

    @Option(names = "--patience", description = "early stopping: epochs without validation improvement [default: ${DEFAULT-VALUE}]")
    int patience = TrainerConfig.DEFAULT_PATIENCE;

    @Option(names = "--scaler", description = "standard or minmax [default: standard]")
    String scaler = "standard";

    @Option(names = "--denoise", description = "masking-noise probability while training, 0 = off [default: ${DEFAULT-VALUE}]")
    double denoise = TrainerConfig.DEFAULT_DENOISE;

    @Option(names = "--threshold-quantile", description = "quantile of validation scores used as threshold [default: ${DEFAULT-VALUE}]")
    double thresholdQuantile = TrainerConfig.DEFAULT_THRESHOLD_QUANTILE;

    @Option(names = "--exclude", split = ",", paramLabel = "COLUMN", description = "columns that are not features (label columns anomaly, changepoint, label, is_anomaly are always excluded)")
    List<String> exclude = List.of();

    @Option(names = "--features", split = ",", paramLabel = "COLUMN", description = "use exactly these feature columns")
    List<String> features = List.of();

    @Option(names = "--time-column", paramLabel = "COLUMN", description = "time column [default: detected: datetime, timestamp, time]")
    String timeColumn;

    @Option(names = "--delimiter", paramLabel = "CHAR", description = "CSV delimiter [default: detected, ; or ,]")
    Character delimiter;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainerConfig cfg;
        try {
            cfg = new TrainerConfig(window, hidden, latent, Activation.parse(activation), epochs, batchSize, learningRate, l2,
                    seed, validationFraction, patience, FeatureScaler.Kind.parse(scaler), denoise, thresholdQuantile);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        var out = spec.commandLine().getOut();
        List<CsvHistory.File> files = CsvHistory.readAll(inputs,
                new CsvHistory.Options(Optional.ofNullable(delimiter), Optional.ofNullable(timeColumn), exclude, features));
        long rows = files.stream().mapToLong(CsvHistory.File::size).sum();
        out.printf(Locale.ROOT, "read %,d rows × %d features from %d file(s): %s%n", rows, files.get(0).features().size(),
                files.size(), String.join(", ", files.get(0).features()));
        if (!files.get(0).labels().isEmpty()) {
            out.println("label columns kept out of the features: " + String.join(", ", files.get(0).labels().keySet()));
        }
        AutoencoderTrainer.Result r = AutoencoderTrainer.train(cfg, files, out(), line -> {
            out.println(line);
            out.flush();
        });
        Map<String, Object> m = r.metrics();
        Map<String, Object> t = r.training();
        out.println();
        out.printf(Locale.ROOT, "rows used %,d for training, %,d for validation; dropped %,d training rows with missing cells%n",
                t.get("trainingRows"), t.get("validationRows"), t.get("droppedRowsWithMissingCells"));
        out.printf(Locale.ROOT, "validation MSE %.5f (RMSE %.4f, MAE %.4f) vs %.5f predicting the training mean (%.1fx better)%n",
                m.get("validationMse"), m.get("validationRmse"), m.get("validationMae"), m.get("baselineMse"),
                (double) m.get("baselineMse") / (double) m.get("validationMse"));
        out.printf(Locale.ROOT, "threshold %.6g = quantile %.3f of %,d validation scores; best epoch %s of %s; %.1f s%n",
                r.model().threshold(), r.model().thresholdQuantile(), r.validationScores().length, t.get("bestEpoch"),
                t.get("epochsRun"), ((Number) t.get("durationMs")).longValue() / 1000.0);
        out.printf("bundle %s written to %s (report: %s)%n", r.model().version(), r.bundle(), r.bundle().resolve("report.html"));
        return 0;
    }

    private Path out() {
        return out;
    }
}
