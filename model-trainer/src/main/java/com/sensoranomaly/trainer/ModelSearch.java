package com.sensoranomaly.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * {@code train --search grid|random --trials N}: trains N variants of the base settings and keeps the one with the
 * lowest validation loss.
 *
 * <p>Searched: model family (dense and conv1d, or only the one {@code --family} names), encoder hidden sizes, bottleneck size, learning rate, batch size, epochs
 * and masking-noise probability (denoising). Everything else (window, scaler, smoothing, validation fraction, seed,
 * patience) comes from the base settings, so every trial is split the same way: each file's last
 * {@code validationFraction} of rows validates, whatever the trial. A conv1d trial needs a window of at least
 * {@link TrainerConfig#CONV_KERNEL} readings: without an explicit {@code --window}, conv1d trials use
 * {@link TrainerConfig#DEFAULT_CONV_WINDOW} as plain conv1d training does, dense ones the base window. The score is
 * the validation loss early stopping kept: the mean squared error per scaled value over the validation rows' complete
 * windows.
 *
 * <ul>
 *   <li>{@code grid}: the product of a few values per parameter ({@link #GRID_POINTS_PER_FAMILY} points per family); N trials take N distinct
 *       points in an order shuffled with the seed (N ≥ the grid's size runs all of it).</li>
 *   <li>{@code random}: each parameter drawn on its own from a range (learning rate log-uniform), with the seed.</li>
 * </ul>
 *
 * <p>Trials run one after another, on purpose: ND4J already spreads each operation over the machine's cores
 * (OpenMP), so trials in parallel threads would compete for the same cores, and the seed's promise (same seed and
 * data, same result) is only established for one training per thread at a time. The trials' order and settings
 * depend only on the seed, so the same seed gives the same trials and the same winner.
 */
public final class ModelSearch {

    public enum Mode {
        GRID, RANDOM;

        public static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--search must be grid or random: " + s);
        }
    }

    /** The grid's values per parameter; hidden sizes and bottleneck are per reading for conv1d (channels). */
    static final List<List<Integer>> GRID_HIDDEN = List.of(List.of(16), List.of(32));
    static final List<Integer> GRID_LATENT = List.of(2, 4, 6);
    static final List<Double> GRID_LEARNING_RATES = List.of(1e-3, 3e-3, 1e-2);
    static final List<Integer> GRID_BATCH_SIZES = List.of(32, 128);
    static final List<Double> GRID_DENOISE = List.of(0.0, 0.1, 0.2);
    /** Epochs: half the base epochs, or all of them. */
    static final int GRID_EPOCH_CHOICES = 2;
    /** Points of the grid per model family searched. */
    static final int GRID_POINTS_PER_FAMILY = GRID_HIDDEN.size() * GRID_LATENT.size() * GRID_LEARNING_RATES.size()
            * GRID_BATCH_SIZES.size() * GRID_DENOISE.size() * GRID_EPOCH_CHOICES;

    /** One trial's outcome. */
    public record Trial(int number, TrainerConfig config, double validationLoss, int bestEpoch, int epochsRun,
                        long parameters, double seconds) {

        /** The searched settings, for the progress line, the report and the manifest. */
        public Map<String, Object> params() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("family", config.family());
            p.put("window", config.window());
            p.put("hidden", config.hidden());
            p.put("latent", config.latent());
            p.put("learningRate", config.learningRate());
            p.put("batchSize", config.batchSize());
            p.put("epochs", config.epochs());
            p.put("denoise", config.denoise());
            return p;
        }

        String describe() {
            return String.format(Locale.ROOT, "%-6s W=%-2d hidden=%-5s latent=%d lr=%-6s batch=%-3d epochs=%-3d denoise=%.2f",
                    config.family(), config.window(), AutoencoderTrainer.layerString(config.hidden()), config.latent(),
                    TrainingReport.number(config.learningRate()), config.batchSize(), config.epochs(), config.denoise());
        }

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("trial", number);
            m.putAll(params());
            m.put("validationLoss", validationLoss);
            m.put("bestEpoch", bestEpoch);
            m.put("epochsRun", epochsRun);
            m.put("parameters", parameters);
            m.put("seconds", seconds);
            return m;
        }
    }

    /** What a search produced: every trial, the best one, and the best trial's bundle. */
    public record Outcome(List<Trial> trials, Trial best, AutoencoderTrainer.Result result, double seconds) {}

    private ModelSearch() {}

    /**
     * The N trial settings of a search around {@code base}; {@code windowGiven} says whether the base window was chosen
     * (then every trial uses it) or is the default (then conv1d trials use their own default).
     */
    static List<TrainerConfig> trials(Mode mode, int n, TrainerConfig base, boolean windowGiven) {
        return trials(mode, n, base, windowGiven, TrainerConfig.FAMILIES);
    }

    /** As above, over the given model families only. */
    static List<TrainerConfig> trials(Mode mode, int n, TrainerConfig base, boolean windowGiven, List<String> families) {
        if (families.isEmpty()) {
            throw new IllegalArgumentException("a search needs at least one model family");
        }
        if (n < 1) {
            throw new IllegalArgumentException("--trials must be at least 1: " + n);
        }
        Random random = new Random(base.seed());
        List<TrainerConfig> out = new ArrayList<>();
        if (mode == Mode.GRID) {
            // A seeded shuffle of the grid's indices; the first N are the trials (distinct points).
            int gridSize = GRID_POINTS_PER_FAMILY * families.size();
            int[] order = new int[gridSize];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i = 0; i < Math.min(n, gridSize); i++) {
                int k = order[i];
                String family = families.get(k % families.size());
                k /= families.size();
                List<Integer> hidden = GRID_HIDDEN.get(k % GRID_HIDDEN.size());
                k /= GRID_HIDDEN.size();
                int latent = GRID_LATENT.get(k % GRID_LATENT.size());
                k /= GRID_LATENT.size();
                double lr = GRID_LEARNING_RATES.get(k % GRID_LEARNING_RATES.size());
                k /= GRID_LEARNING_RATES.size();
                int batch = GRID_BATCH_SIZES.get(k % GRID_BATCH_SIZES.size());
                k /= GRID_BATCH_SIZES.size();
                double denoise = GRID_DENOISE.get(k % GRID_DENOISE.size());
                k /= GRID_DENOISE.size();
                int epochs = k % GRID_EPOCH_CHOICES == 0 ? Math.max(1, (base.epochs() + 1) / 2) : base.epochs();
                out.add(variant(base, windowGiven, family, hidden, latent, lr, batch, epochs, denoise));
            }
        } else {
            for (int i = 0; i < n; i++) {
                String family = families.get(random.nextInt(families.size()));
                List<Integer> hidden = List.of(8 + random.nextInt(57)); // 8..64
                int latent = 2 + random.nextInt(7); // 2..8
                double lr = Math.pow(10, -3.5 + 1.5 * random.nextDouble()); // 3.2e-4 .. 1e-2
                int batch = 16 << random.nextInt(4); // 16, 32, 64, 128
                int epochs = Math.max(1, base.epochs() / 2 + random.nextInt(base.epochs() - base.epochs() / 2 + 1));
                double denoise = 0.3 * random.nextDouble();
                out.add(variant(base, windowGiven, family, hidden, latent, round(lr), batch, epochs, round(denoise)));
            }
        }
        return out;
    }

    /** Four significant digits: settings that read well in the table and reproduce exactly from the manifest. */
    private static double round(double v) {
        return v == 0 ? 0 : Double.parseDouble(String.format(Locale.ROOT, "%.4g", v));
    }

    private static TrainerConfig variant(TrainerConfig b, boolean windowGiven, String family, List<Integer> hidden, int latent,
                                         double lr, int batch, int epochs, double denoise) {
        int window = "conv1d".equals(family) && !windowGiven ? TrainerConfig.DEFAULT_CONV_WINDOW : b.window();
        return new TrainerConfig(window, hidden, latent, b.activation(), epochs, batch, lr, b.l2(), b.seed(),
                b.validationFraction(), b.patience(), b.scaler(), denoise, b.thresholdQuantile(), b.smoothing(), family);
    }

    /**
     * Runs the search and writes the best trial's bundle to {@code outDir}, its report with the search's table and
     * plot, its manifest's metrics with every trial ({@code metrics.search}).
     *
     * @param progress one line per trial, then one naming the winner
     */
    public static Outcome run(Mode mode, int n, TrainerConfig base, boolean windowGiven, List<String> families,
                              List<CsvHistory.File> files, Path outDir, Consumer<String> progress) throws IOException {
        BundleDirectory.check(outDir);
        List<TrainerConfig> configs = trials(mode, n, base, windowGiven, families);
        long started = System.nanoTime();
        List<Trial> trials = new ArrayList<>();
        AutoencoderTrainer.Fitted bestFit = null;
        Trial best = null;
        progress.accept(String.format(Locale.ROOT, "%s search: %d trial(s)%s, seed %d, scored on validation loss (MSE, scaled)",
                mode.name().toLowerCase(Locale.ROOT), configs.size(),
                mode == Mode.GRID ? " of a " + GRID_POINTS_PER_FAMILY * families.size() + "-point grid" : "", base.seed()));
        for (int i = 0; i < configs.size(); i++) {
            TrainerConfig cfg = configs.get(i);
            long t0 = System.nanoTime();
            AutoencoderTrainer.Fitted fitted;
            try {
                fitted = AutoencoderTrainer.fitted(cfg, files, line -> { });
            } catch (DataException e) {
                // A diverged trial (learning rate too high for its size) is a result, not the end of the search.
                double s = (System.nanoTime() - t0) / 1e9;
                Trial failed = new Trial(i + 1, cfg, Double.NaN, 0, 0, 0, s);
                trials.add(failed);
                progress.accept(String.format(Locale.ROOT, "trial %d/%d  %s  failed: %s  %.1f s", i + 1, configs.size(),
                        failed.describe(), e.getMessage(), s));
                continue;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            Trial t = new Trial(i + 1, cfg, fitted.validationLoss(), fitted.bestEpoch(), fitted.epochsRun(), fitted.parameterCount(), s);
            trials.add(t);
            boolean better = best == null || t.validationLoss() < best.validationLoss();
            if (better) {
                best = t;
                bestFit = fitted; // only the best network is kept in memory
            }
            progress.accept(String.format(Locale.ROOT, "trial %d/%d  %s  val loss %.5f  %.1f s%s", i + 1, configs.size(),
                    t.describe(), t.validationLoss(), s, better ? "  *" : ""));
        }
        if (best == null) {
            throw new DataException("every trial of the search failed; see the lines above");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        progress.accept(String.format(Locale.ROOT, "best: trial %d (val loss %.5f) of %d in %.1f s; writing its bundle",
                best.number(), best.validationLoss(), trials.size(), seconds));
        Map<String, Object> search = new LinkedHashMap<>();
        search.put("mode", mode.name().toLowerCase(Locale.ROOT));
        search.put("trials", trials.size());
        search.put("families", families);
        search.put("seed", base.seed());
        search.put("score", "validation loss: MSE per scaled value on the validation windows (lower is better)");
        search.put("bestTrial", best.number());
        search.put("bestValidationLoss", best.validationLoss());
        search.put("seconds", seconds);
        search.put("results", trials.stream().map(Trial::asMap).toList());
        AutoencoderTrainer.Result result = bestFit.write(outDir, Map.of("search", search), reportHtml(mode, trials, best, seconds));
        return new Outcome(List.copyOf(trials), best, result, seconds);
    }

    /** The report's search section: a table of every trial and a plot of their validation losses. */
    static String reportHtml(Mode mode, List<Trial> trials, Trial best, double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append("<h2>Hyper-parameter search</h2><p>")
                .append(SvgCharts.esc(String.format(Locale.ROOT, "%s search, %d trials in %.1f s; this bundle is trial %d, "
                        + "the lowest validation loss (%.5f).", mode.name().toLowerCase(Locale.ROOT), trials.size(), seconds,
                        best.number(), best.validationLoss())))
                .append("</p>");
        List<String> names = new ArrayList<>();
        double[] losses = new double[trials.size()];
        for (int i = 0; i < trials.size(); i++) {
            names.add(String.valueOf(trials.get(i).number()));
            losses[i] = Double.isNaN(trials.get(i).validationLoss()) ? 0 : trials.get(i).validationLoss();
        }
        sb.append(SvgCharts.bars("Validation loss per trial (lower is better; failed trials at 0)", "validation MSE", names, losses));
        sb.append("<table id='search-results'><tr><th>trial</th><th>family</th><th>window</th><th>hidden</th><th>latent</th>"
                + "<th>learning rate</th><th>batch</th><th>epochs</th><th>denoise</th><th>validation loss</th><th>best epoch</th>"
                + "<th>parameters</th><th>seconds</th></tr>");
        for (Trial t : trials) {
            TrainerConfig c = t.config();
            sb.append(t == best ? "<tr style='font-weight:bold'>" : "<tr>");
            for (Object v : new Object[] {t.number(), c.family(), c.window(), AutoencoderTrainer.layerString(c.hidden()), c.latent(),
                    TrainingReport.number(c.learningRate()), c.batchSize(), c.epochs(), TrainingReport.number(c.denoise()),
                    Double.isNaN(t.validationLoss()) ? "failed" : String.format(Locale.ROOT, "%.5f", t.validationLoss()),
                    t.bestEpoch(), t.parameters(), String.format(Locale.ROOT, "%.1f", t.seconds())}) {
                sb.append("<td>").append(SvgCharts.esc(String.valueOf(v))).append("</td>");
            }
            sb.append("</tr>");
        }
        return sb.append("</table>").toString();
    }
}
