package com.sensoranomaly.cli.serve;

import com.sensoranomaly.cli.Durations;
import com.sensoranomaly.job.bundle.BundlePolicy;
import com.sensoranomaly.model.BundleException;
import com.sensoranomaly.model.Imputation;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The job's scoring settings as options of {@code serve} and {@code score}: same names, same defaults as the job's. */
public final class ScoringOptions {

    @Option(names = {"--public-key", "--bundle.public-key"}, paramLabel = "FILE",
            description = "load only bundles signed by this release key (PEM, from `keygen`), as the job's bundle.public-key")
    Path publicKey;

    @Option(names = "--impute.strategy", paramLabel = "mean|last|model", description = "as the job's setting [default: ${DEFAULT-VALUE}]")
    String imputeStrategy = ServeSettings.jobDefault("impute.strategy");

    @Option(names = "--impute.max-age", paramLabel = "DURATION", description = "as the job's setting [default: ${DEFAULT-VALUE}]")
    String imputeMaxAge = ServeSettings.jobDefault("impute.max-age");

    @Option(names = "--impute.rounds", paramLabel = "N", description = "as the job's setting [default: ${DEFAULT-VALUE}]")
    int imputeRounds = Integer.parseInt(ServeSettings.jobDefault("impute.rounds"));

    @Option(names = "--threshold.scale", paramLabel = "X", description = "as the job's setting [default: ${DEFAULT-VALUE}]")
    double thresholdScale = Double.parseDouble(ServeSettings.jobDefault("threshold.scale"));

    @Option(names = "--threshold.value", paramLabel = "X", description = "as the job's setting: an absolute threshold overriding the bundle's")
    Double thresholdValue;

    @Option(names = "--alert.top-features", paramLabel = "N", description = "features listed per score, as the job's setting [default: ${DEFAULT-VALUE}]")
    int topFeatures = Integer.parseInt(ServeSettings.jobDefault("alert.top-features"));

    /** The settings these options give; usage errors name the option, an unreadable key file is unusable input. */
    public ServeSettings settings(CommandLine cl, int maxBatch, long maxBody, Duration poll) {
        Imputation imputation;
        try {
            imputation = new Imputation(Imputation.Strategy.parse(imputeStrategy), Durations.parse(cl, "--impute.max-age", imputeMaxAge),
                    imputeRounds);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--impute.*: " + e.getMessage());
        }
        BundlePolicy policy = BundlePolicy.OPEN;
        if (publicKey != null) {
            try {
                policy = new BundlePolicy(Files.readString(publicKey), List.of());
            } catch (IOException e) {
                throw new BundleException("--public-key: cannot read " + publicKey + ": " + e.getMessage());
            } catch (RuntimeException e) {
                throw new BundleException("--public-key " + publicKey + ": " + e.getMessage());
            }
        }
        try {
            return new ServeSettings(imputation, thresholdScale, thresholdValue == null ? Double.NaN : thresholdValue, topFeatures,
                    Double.parseDouble(ServeSettings.jobDefault("validation.range-factor")), policy, maxBatch, maxBody, poll);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }
}
