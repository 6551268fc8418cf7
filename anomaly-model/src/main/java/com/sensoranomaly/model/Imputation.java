package com.sensoranomaly.model;

import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How a missing measurement is filled before the reading is scored. Imputed entries feed the network
 * but never count toward the reconstruction error: the score only judges what was observed.
 *
 * @param strategy   MEAN: the training mean; LAST: the device's last observed value while it is younger than
 *                   {@code maxAge}, else the mean; MODEL: start like LAST, then replace the missing entries with
 *                   the autoencoder's own reconstruction, {@code rounds} times (denoising-autoencoder imputation).
 * @param maxAge     how old a last observed value may be for LAST and MODEL's starting point
 * @param rounds     reconstruction rounds for MODEL
 */
public record Imputation(Strategy strategy, Duration maxAge, int rounds) implements Serializable {

    public enum Strategy {
        MEAN, LAST, MODEL;

        public static Strategy parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown imputation strategy '" + s + "' (known: mean, last, model)");
            }
        }
    }

    public static final Imputation DEFAULT = new Imputation(Strategy.MODEL, Duration.ofMinutes(5), 3);

    public Imputation {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("imputation max age must not be negative: " + maxAge);
        }
        if (rounds < 0 || rounds > 50) {
            throw new IllegalArgumentException("imputation rounds must be within 0..50: " + rounds);
        }
    }
}
