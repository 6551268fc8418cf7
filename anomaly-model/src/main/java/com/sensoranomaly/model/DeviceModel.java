package com.sensoranomaly.model;

import java.util.Arrays;

/**
 * A device's own model of normal, fitted from its first readings: a linear autoencoder over a window of the
 * last W readings. The encoder projects the device-standardised window (W × F values) onto the r directions
 * in which the device's warm-up windows varied most, the decoder maps back; the score is the mean squared
 * reconstruction error over the observed entries, as for the fleet model.
 *
 * <p>Why linear and closed form: a linear autoencoder trained to convergence on squared error spans the
 * principal subspace of its training data, so fitting it by an eigendecomposition of the warm-up windows'
 * covariance gives the trained optimum exactly, deterministically and in milliseconds, with no epochs to
 * bound inside a stream operator. A non-linear one fitted on a few hundred windows over-fits them (its
 * in-sample errors set a threshold that normal readings soon exceed); see docs/detection-quality.md.
 *
 * <p>Why a window: in a window of consecutive readings a slowly moving sensor (a temperature) changes all its
 * W entries together, which lies in the learnt subspace, while a broken relation between sensors or an
 * abrupt change does not. The level of slow sensors may wander; how the sensors move together may not.
 *
 * <p>A plain mutable POJO: the streaming job keeps one per device in keyed state (Flink's POJO serializer).
 */
public class DeviceModel {
    /** Fraction of the window's dimensions kept as latent code: the fleet trainer's own bottleneck rule. */
    public static final double LATENT_FRACTION = 1.0 / 3.0;
    /**
     * Control limit: this factor times the {@link #LIMIT_QUANTILE} quantile of the warm-up's own scores. In-sample
     * errors understate out-of-sample ones; the margin is the upper control limit published with SKAB's
     * convolutional autoencoder (4/3 × the 0.999 quantile of the training residuals).
     */
    public static final double LIMIT_QUANTILE = 0.999;
    public static final double LIMIT_FACTOR = 4.0 / 3.0;
    /** Reconstruction rounds that fill missing entries of the window from the model itself. */
    static final int IMPUTE_ROUNDS = 3;

    /** Readings per window. */
    public int window;
    /** Sensors per reading. */
    public int features;
    /** Latent size r. */
    public int latent;
    /** Per sensor: warm-up mean and spread (raw units), the device's standardisation. */
    public double[] mean;
    public double[] std;
    /** W·F: mean of the standardised warm-up windows. */
    public double[] centre;
    /** W·F × r, row-major: orthonormal basis of the latent subspace (the encoder; its transpose decodes). */
    public float[] basis;
    /** The device's control limit on its score. */
    public double limit;
    /** Per sensor: mean squared error of the warm-up windows, to rank which sensors drive an alert. */
    public double[] featureErrorMean;
    /** Ring of the last W raw readings (W·F, NaN = missing), oldest at {@link #next}. */
    public double[] recent;
    public int next;

    public DeviceModel() {}

    /**
     * A sensor's spread is floored at this fraction of the fleet's (the training data's) spread: only a sensor that is
     * flat for practical purposes is floored, since a device's own normal may be far quieter than the fleet's.
     */
    public static final double MIN_SPREAD_OF_FLEET = 0.01;

    /** The per-sensor spread floor for {@link #fit}, from the fleet model's training spread. */
    public static double[] spreadFloor(double[] fleetStd) {
        double[] floor = new double[fleetStd.length];
        for (int j = 0; j < floor.length; j++) {
            floor[j] = MIN_SPREAD_OF_FLEET * fleetStd[j];
        }
        return floor;
    }

    /** Warm-up windows per model dimension that {@link #autoWindow} keeps at least. */
    public static final int WINDOWS_PER_DIMENSION = 5;
    public static final int MAX_WINDOW = 64;

    /**
     * The longest window a warm-up of {@code events} readings of {@code features} sensors supports: a covariance of
     * W·F dimensions estimated from about {@code events} windows needs several windows per dimension, else the model
     * fits the warm-up's noise and its limit understates later readings' errors. Five per dimension is the usual
     * rule of thumb for principal components; it gives 10 readings for 400 readings of 8 sensors.
     */
    public static int autoWindow(int events, int features) {
        return Math.max(1, Math.min(MAX_WINDOW, events / (WINDOWS_PER_DIMENSION * Math.max(1, features))));
    }

    public int dimensions() {
        return window * features;
    }

    /**
     * Fits a device model to its warm-up: {@code readings} raw values, row-major n × F (NaN = missing), oldest
     * first. The last W readings of the warm-up fill the model's window, so scoring starts with the next reading.
     * {@code minStd} (per sensor, may be null) floors each sensor's spread: a sensor that happened to be flat during
     * warm-up must not turn every later wiggle into a huge error.
     *
     * @throws IllegalArgumentException if there are not more readings than twice the window
     */
    public static DeviceModel fit(double[] readings, int n, int features, int window, double[] minStd) {
        if (window < 1 || features < 1 || n < 2 * window + 1 || readings.length < n * features) {
            throw new IllegalArgumentException("a device model of window " + window + " needs more than " + (2 * window)
                    + " readings of " + features + " features: " + n);
        }
        DeviceModel m = new DeviceModel();
        m.window = window;
        m.features = features;
        int d = window * features;
        m.latent = Math.max(1, Math.min(d - 1, (int) Math.round(d * LATENT_FRACTION)));

        // Standardise each sensor by its warm-up mean and spread (missing values left out).
        m.mean = new double[features];
        m.std = new double[features];
        for (int j = 0; j < features; j++) {
            double sum = 0, sq = 0;
            int seen = 0;
            for (int i = 0; i < n; i++) {
                double v = readings[i * features + j];
                if (!Double.isNaN(v)) {
                    sum += v;
                    sq += v * v;
                    seen++;
                }
            }
            double mu = seen == 0 ? 0 : sum / seen;
            double var = seen < 2 ? 0 : Math.max(0, sq / seen - mu * mu);
            m.mean[j] = mu;
            double floor = minStd == null ? 0 : minStd[j];
            m.std[j] = Math.max(Math.sqrt(var), floor > 0 ? floor : 1e-9 * Math.max(1, Math.abs(mu)));
        }

        // The warm-up's windows, standardised. A missing entry starts at the sensor's mean and is then filled from the
        // model itself, refitting after each round (iterative PCA imputation), so gaps neither shrink the learnt
        // variances nor count as errors.
        int windows = n - window + 1;
        double[][] x = new double[windows][d];
        boolean[][] observed = new boolean[windows][d];
        boolean gaps = false;
        for (int w = 0; w < windows; w++) {
            for (int i = 0; i < window; i++) {
                for (int j = 0; j < features; j++) {
                    double v = readings[(w + i) * features + j];
                    int k = i * features + j;
                    observed[w][k] = !Double.isNaN(v);
                    x[w][k] = observed[w][k] ? (v - m.mean[j]) / m.std[j] : 0;
                    gaps |= !observed[w][k];
                }
            }
        }
        double[] unexplained = m.fitSubspace(x);
        double[] residual = new double[d];
        for (int round = 0; gaps && round < IMPUTE_ROUNDS; round++) {
            for (int w = 0; w < windows; w++) {
                m.residual(x[w], residual);
                for (int k = 0; k < d; k++) {
                    if (!observed[w][k]) {
                        x[w][k] -= residual[k];
                    }
                }
            }
            unexplained = m.fitSubspace(x);
        }

        // Control limit and per-sensor normal errors from the warm-up's own windows, scored as later windows are:
        // missing entries filled from the model, only observed ones counted.
        double[] scores = new double[windows];
        int scored = 0;
        double[] errorSums = new double[features];
        int[] counts = new int[features];
        double[] code = new double[m.latent];
        for (int w = 0; w < windows; w++) {
            double score;
            if (!gaps) {
                // As a complete later window is scored (the projection identity), so the limit fits what it is compared to.
                score = m.scoreComplete(x[w], code);
            } else {
                score = m.scoreStandardised(x[w].clone(), observed[w], residual);
                m.addFeatureErrors(residual, observed[w], errorSums, counts);
            }
            if (Double.isNaN(score)) {
                continue;
            }
            scores[scored++] = score;
        }
        if (!gaps) {
            // Without gaps the warm-up's residual per entry summed over its windows is the covariance the kept
            // directions leave unexplained (its diagonal): no second pass over the windows to decode them.
            for (int k = 0; k < d; k++) {
                errorSums[k % features] += unexplained[k];
                counts[k % features] += windows;
            }
        }
        m.featureErrorMean = means(errorSums, counts, 0);
        if (scored == 0) {
            throw new IllegalArgumentException("a device model needs observed values in its warm-up: none of " + n + " readings had any");
        }
        m.limit = LIMIT_FACTOR * Quantiles.of(Arrays.copyOf(scores, scored), LIMIT_QUANTILE);

        m.recent = new double[d];
        for (int i = 0; i < window; i++) {
            System.arraycopy(readings, (n - window + i) * features, m.recent, i * features, features);
        }
        m.next = 0;
        return m;
    }

    /**
     * Sets {@link #centre} and {@link #basis} from standardised windows: the top {@link #latent} principal directions.
     * Returns, per entry, the squared residual the windows leave outside the subspace, summed over them: the diagonal of
     * their scatter matrix minus its part along the kept directions.
     */
    private double[] fitSubspace(double[][] x) {
        int d = dimensions();
        int windows = x.length;
        centre = new double[d];
        for (double[] row : x) {
            for (int k = 0; k < d; k++) {
                centre[k] += row[k] / windows;
            }
        }
        double[][] cov = new double[d][d];
        double[] c = new double[d];
        for (double[] row : x) {
            for (int k = 0; k < d; k++) {
                c[k] = row[k] - centre[k];
            }
            for (int a = 0; a < d; a++) {
                double ca = c[a];
                if (ca == 0) {
                    continue;
                }
                double[] ra = cov[a];
                for (int b = a; b < d; b++) {
                    ra[b] += ca * c[b];
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                cov[a][b] /= Math.max(1, windows - 1);
                cov[b][a] = cov[a][b];
            }
        }
        SymmetricEigen eig = SymmetricEigen.of(cov);
        basis = new float[d * latent];
        double[] unexplained = new double[d];
        double scatter = Math.max(1, windows - 1);
        for (int k = 0; k < d; k++) {
            double kept = 0;
            for (int r = 0; r < latent; r++) {
                double v = eig.vectors()[k][r];
                basis[k * latent + r] = (float) v;
                kept += eig.values()[r] * v * v;
            }
            unexplained[k] = Math.max(0, cov[k][k] - kept) * scatter;
        }
        return unexplained;
    }

    /**
     * Scores a standardised window in place: unobserved entries of {@code x} are filled from the model's
     * reconstruction ({@link #IMPUTE_ROUNDS} rounds, starting from the centre), {@code residual} receives the final
     * residual, and the score is the mean squared residual over the observed entries (NaN if none).
     */
    double scoreStandardised(double[] x, boolean[] observed, double[] residual) {
        int d = dimensions();
        int seen = 0;
        for (int k = 0; k < d; k++) {
            if (observed[k]) {
                seen++;
            } else {
                x[k] = centre[k];
            }
        }
        for (int round = 0; round < IMPUTE_ROUNDS && seen < d; round++) {
            residual(x, residual);
            for (int k = 0; k < d; k++) {
                if (!observed[k]) {
                    x[k] -= residual[k]; // x ← its reconstruction
                }
            }
        }
        residual(x, residual);
        if (seen == 0) {
            return Double.NaN;
        }
        double total = 0;
        for (int k = 0; k < d; k++) {
            if (observed[k]) {
                total += residual[k] * residual[k];
            }
        }
        return total / seen;
    }

    /** Adds each observed entry's squared residual to its sensor's sum and count. */
    private void addFeatureErrors(double[] residual, boolean[] observed, double[] sums, int[] counts) {
        for (int k = 0; k < residual.length; k++) {
            if (observed[k]) {
                sums[k % features] += residual[k] * residual[k];
                counts[k % features]++;
            }
        }
    }

    private static double[] means(double[] sums, int[] counts, double none) {
        double[] m = new double[sums.length];
        for (int j = 0; j < m.length; j++) {
            m[j] = counts[j] == 0 ? none : sums[j] / counts[j];
        }
        return m;
    }

    /** residual = x − decode(encode(x)), with x standardised (not modified). */
    void residual(double[] x, double[] residual) {
        double[] code = new double[latent];
        encode(x, code);
        residualOfCode(x, code, residual);
    }

    /** code = encode(x), the coordinates of x − centre in the basis; returns ‖x − centre‖². */
    private double encode(double[] x, double[] code) {
        int d = dimensions();
        java.util.Arrays.fill(code, 0);
        double norm = 0;
        for (int k = 0; k < d; k++) {
            double v = x[k] - centre[k];
            norm += v * v;
            int base = k * latent;
            for (int r = 0; r < latent; r++) {
                code[r] += v * basis[base + r];
            }
        }
        return norm;
    }

    /** residual = x − decode(code). */
    private void residualOfCode(double[] x, double[] code, double[] residual) {
        int d = dimensions();
        for (int k = 0; k < d; k++) {
            residual[k] = x[k] - decodeEntry(code, k);
        }
    }

    /** Entry k of decode(code). */
    private double decodeEntry(double[] code, int k) {
        double rec = centre[k];
        int base = k * latent;
        for (int r = 0; r < latent; r++) {
            rec += code[r] * basis[base + r];
        }
        return rec;
    }

    /**
     * The score of a complete standardised window (every entry observed), with {@code code} set to its encoding. The
     * basis is orthonormal, so the squared residual is the squared distance from the centre minus the squared code:
     * one product with the basis instead of two (an encode and a decode), which halves a device's scoring cost. The
     * basis is held as floats, so this differs from the decoded residual by about 1e-7 per unit of the window's mean
     * squared standardised value: far below any control limit.
     */
    double scoreComplete(double[] x, double[] code) {
        double norm = encode(x, code);
        double projected = 0;
        for (double c : code) {
            projected += c * c;
        }
        return Math.max(0, norm - projected) / dimensions();
    }

    private static boolean complete(boolean[] observed) {
        for (boolean o : observed) {
            if (!o) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes a raw reading (NaN = missing) into the model's own window ({@link #recent}) and scores the window, with
     * per-sensor errors: see {@link #score(double[], double[], int, double)}.
     */
    public Scored score(double[] raw) {
        Scored s = score(raw, recent, next, Double.NEGATIVE_INFINITY);
        next = (next + 1) % window;
        return s;
    }

    /**
     * Takes a raw reading (NaN = missing) into a window ring kept by the caller and scores the window: missing entries
     * are filled from the model's own reconstruction and never count toward the score, as with the fleet model.
     *
     * <p>The ring holds the last W raw readings (W·F values); the reading is written at {@code slot}, after which the
     * oldest one is at {@code slot + 1} (mod W): the caller advances its slot. Keeping the ring outside the model lets a
     * stream keep the fitted model, which never changes, apart from the few hundred bytes each reading does change.
     *
     * <p>Per-sensor errors ({@link Scored#featureErrors}) take a second product with the basis; they are computed only
     * when the score is above {@code explainAbove} (null otherwise): they explain an anomaly, and a normal reading has
     * none to explain. Pass {@link Double#NEGATIVE_INFINITY} to always have them.
     */
    public Scored score(double[] raw, double[] ring, int slot, double explainAbove) {
        int d = dimensions();
        System.arraycopy(raw, 0, ring, slot * features, features);
        int oldest = (slot + 1) % window;

        double[] x = new double[d];
        boolean[] observed = new boolean[d];
        boolean complete = true;
        for (int i = 0; i < window; i++) {
            int at = ((oldest + i) % window) * features;
            for (int j = 0; j < features; j++) {
                double v = ring[at + j];
                int k = i * features + j;
                observed[k] = !Double.isNaN(v);
                x[k] = observed[k] ? (v - mean[j]) / std[j] : 0;
                complete &= observed[k];
            }
        }
        double[] residual = null;
        double score;
        double[] code = new double[latent];
        if (complete) {
            score = scoreComplete(x, code);
        } else {
            residual = new double[d];
            score = scoreStandardised(x, observed, residual);
        }

        double[] featureErrors = null;
        if (residual != null || score > explainAbove) {
            if (residual == null) {
                residual = new double[d];
                residualOfCode(x, code, residual);
            }
            double[] errorSums = new double[features];
            int[] counts = new int[features];
            addFeatureErrors(residual, observed, errorSums, counts);
            featureErrors = means(errorSums, counts, Double.NaN);
        }
        double[] expected = new double[features];
        boolean[] imputed = new boolean[features];
        int imputedCount = 0;
        int newest = (window - 1) * features;
        for (int j = 0; j < features; j++) {
            double reconstructed = residual != null ? x[newest + j] - residual[newest + j] : decodeEntry(code, newest + j);
            expected[j] = mean[j] + reconstructed * std[j];
            imputed[j] = !observed[newest + j];
            imputedCount += imputed[j] ? 1 : 0;
        }
        return new Scored(score, featureErrors, expected, imputed, imputedCount);
    }

    @Override
    public String toString() {
        return "DeviceModel{window=" + window + ", features=" + features + ", latent=" + latent + ", limit=" + limit
                + ", mean=" + Arrays.toString(mean) + "}";
    }
}
