package com.sensoranomaly.cli.serve;

import com.sensoranomaly.job.bundle.BundlePolicy;
import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.job.scoring.Detector;
import com.sensoranomaly.model.Imputation;
import com.sensoranomaly.model.Reconstructor;

import java.time.Duration;

/**
 * What the scoring service scores with and how much it accepts. The scoring settings are the job's (same names, same
 * defaults, taken from {@link JobConfig#SETTINGS}), so a service started without options scores as a job submitted
 * without them.
 *
 * @param imputation     the job's {@code impute.*}
 * @param thresholdScale the job's {@code threshold.scale}
 * @param thresholdValue the job's {@code threshold.value} (NaN: the bundle's threshold × scale)
 * @param topFeatures    the job's {@code alert.top-features}
 * @param rangeFactor    the job's {@code validation.range-factor}: values this many training ranges outside it are missing
 * @param policy         bundle verification: the release key ({@code --public-key}, the job's {@code bundle.public-key})
 * @param maxBatch       most readings (or latent codes) per request
 * @param maxBodyBytes   largest request body
 * @param poll           how often the bundle's manifest is checked for a new model (zero: never)
 */
public record ServeSettings(Imputation imputation, double thresholdScale, double thresholdValue, int topFeatures,
                            double rangeFactor, BundlePolicy policy, int maxBatch, long maxBodyBytes, Duration poll) {

    public static final int DEFAULT_MAX_BATCH = 4096;
    public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;

    public ServeSettings {
        if (!(thresholdScale > 0)) {
            throw new IllegalArgumentException("threshold.scale must be positive: " + thresholdScale);
        }
        if (!Double.isNaN(thresholdValue) && !(thresholdValue > 0)) {
            throw new IllegalArgumentException("threshold.value must be positive: " + thresholdValue);
        }
        if (topFeatures < 0) {
            throw new IllegalArgumentException("alert.top-features must not be negative: " + topFeatures);
        }
        if (!(rangeFactor > 0)) {
            throw new IllegalArgumentException("validation.range-factor must be positive: " + rangeFactor);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("--max-batch must be at least 1: " + maxBatch);
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > (1L << 30)) {
            throw new IllegalArgumentException("--max-body must be within 1024 bytes .. 1 GiB: " + maxBodyBytes);
        }
        if (poll.isNegative()) {
            throw new IllegalArgumentException("--poll must not be negative: " + poll);
        }
    }

    /** The job's defaults, the given bundle policy and limits. */
    public static ServeSettings jobDefaults(BundlePolicy policy) {
        Imputation imputation = new Imputation(Imputation.Strategy.parse(jobDefault("impute.strategy")),
                JobConfig.parseDuration("impute.max-age", jobDefault("impute.max-age")), Integer.parseInt(jobDefault("impute.rounds")));
        return new ServeSettings(imputation, Double.parseDouble(jobDefault("threshold.scale")), Double.NaN,
                Integer.parseInt(jobDefault("alert.top-features")), Double.parseDouble(jobDefault("validation.range-factor")),
                policy, DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY_BYTES, Duration.ofSeconds(5));
    }

    /** The job's default for one of its settings. */
    public static String jobDefault(String setting) {
        String[] s = JobConfig.SETTINGS.get(setting);
        if (s == null) {
            throw new IllegalStateException("the job has no setting " + setting);
        }
        return s[0];
    }

    /**
     * The detector settings the job builds from the same values. The calibration settings are the job's defaults: the
     * service never calibrates (it is stateless), it scores as the job does while a device calibrates.
     */
    public Detector.Settings detectorSettings() {
        return new Detector.Settings(imputation, JobConfig.Calibration.valueOf(
                jobDefault("calibration.mode").toUpperCase(java.util.Locale.ROOT).replace('-', '_')),
                Integer.parseInt(jobDefault("calibration.events")), 0, thresholdScale, thresholdValue, Reconstructor.PLAIN_JAVA);
    }
}
