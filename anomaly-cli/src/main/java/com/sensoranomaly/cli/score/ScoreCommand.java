package com.sensoranomaly.cli.score;

import com.sensoranomaly.cli.Progress;
import com.sensoranomaly.cli.evaluate.EvaluateCommand;
import com.sensoranomaly.cli.serve.FleetScorer;
import com.sensoranomaly.cli.serve.ScoringOptions;
import com.sensoranomaly.cli.serve.ServeSettings;
import com.sensoranomaly.job.bundle.BundleLoader;
import com.sensoranomaly.job.scoring.Detector;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.trainer.CsvHistory;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code score}: batch scoring of CSV history with the scoring service's scorer (the job's, fleet model): one output row
 * per input row with score, threshold, decision, the reconstruction of each feature and the latent code.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score CSV sensor history (the format `train` reads; one device per file) with a model bundle, as the job's fleet model scores a device's readings (what `serve` answers): one output CSV row per input row with the score, threshold, decision, per-feature reconstruction and latent code.",
                "Rows the job would dead-letter (no usable value, out of time order) are kept with an empty score and the reason."})
public final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--bundle", required = true, paramLabel = "LOCATION", description = "the model bundle (directory, file://...)")
    String bundle;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "FILE", description = "CSV files; each file is one device (id: <dir>-<file name>)")
    List<Path> inputs;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "the CSV to write")
    Path output;

    @Mixin
    ScoringOptions scoring;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        ServeSettings settings = scoring.settings(cl, ServeSettings.DEFAULT_MAX_BATCH, ServeSettings.DEFAULT_MAX_BODY_BYTES, Duration.ZERO);
        if (output.getParent() != null && !Files.isDirectory(output.getParent())) {
            throw new java.nio.file.NoSuchFileException(output.getParent().toString(), null, "no such directory for --output");
        }
        AnomalyModel model = BundleLoader.load(bundle, settings.policy());
        FleetScorer scorer = new FleetScorer(Detector.create(model, settings.detectorSettings()), settings.rangeFactor());
        // Exactly the model's features, in its order: a file without one of them is refused naming it.
        List<CsvHistory.File> files = CsvHistory.readAll(inputs,
                new CsvHistory.Options(Optional.empty(), Optional.empty(), List.of(), model.features()));
        long total = files.stream().mapToLong(CsvHistory.File::size).sum();
        int latentSize = latentSize(model);
        List<String> features = model.features();
        boolean interactive = Progress.onTerminal();
        long started = System.currentTimeMillis();
        long done = 0;
        long exceeding = 0;
        long warming = 0;
        long rejected = 0;
        try (BufferedWriter w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            w.write(String.join(",", header(features, latentSize)));
            w.newLine();
            for (CsvHistory.File f : files) {
                String device = EvaluateCommand.deviceId(f.path());
                FleetScorer.Stream stream = scorer.stream();
                for (int i = 0; i < f.size(); i++) {
                    List<String> row = new ArrayList<>();
                    row.add(csv(device));
                    row.add(Instant.ofEpochMilli(f.times()[i]).toString());
                    try {
                        FleetScorer.Result r = stream.score(new FleetScorer.Input(device, f.times()[i], f.rows()[i]));
                        row.add(num(r.scored().score()));
                        row.add(num(r.threshold()));
                        row.add(r.warmingUp() ? "" : Boolean.toString(r.exceeds()));
                        row.add(imputed(features, r.scored().imputed()));
                        row.add("");
                        for (double e : r.scored().expected()) {
                            row.add(num(e));
                        }
                        double[] z = latentSize == 0 ? null : scorer.latent(r);
                        for (int k = 0; k < latentSize; k++) {
                            row.add(z == null ? "" : num(z[k]));
                        }
                        exceeding += !r.warmingUp() && r.exceeds() ? 1 : 0;
                        warming += r.warmingUp() ? 1 : 0;
                    } catch (FleetScorer.Rejected x) {
                        rejected++;
                        row.add("");
                        row.add(num(scorer.detector().globalThreshold()));
                        row.add("");
                        row.add("");
                        row.add(csv(x.getMessage()));
                        for (int k = 0; k < features.size() + latentSize; k++) {
                            row.add("");
                        }
                    }
                    w.write(String.join(",", row));
                    w.newLine();
                    done++;
                    if (interactive && (done % 2000 == 0 || done == total)) {
                        Progress.draw(err, done, total, started);
                    }
                }
            }
        }
        if (interactive) {
            err.println();
        }
        double secs = (System.currentTimeMillis() - started) / 1000.0;
        out.printf(Locale.ROOT, "scored %,d rows from %d file(s) with model %s (%s, window %d): %,d above threshold %.4g, %,d filling the"
                        + " window, %,d rejected; wrote %s in %.1f s (%,.0f rows/s)%n", done, files.size(), model.version(),
                model.network().family(), model.window(), exceeding, scorer.detector().globalThreshold(), warming, rejected, output, secs,
                done / Math.max(secs, 1e-3));
        return 0;
    }

    /** The output's columns: device, time, score, threshold, exceeds, imputed, rejected, one per feature, one per latent entry. */
    public static List<String> header(List<String> features, int latentSize) {
        List<String> h = new ArrayList<>(List.of("device", "time", "score", "threshold", "exceeds", "imputed", "rejected"));
        for (String f : features) {
            h.add("reconstructed_" + f);
        }
        for (int k = 0; k < latentSize; k++) {
            h.add("latent_" + k);
        }
        return h;
    }

    private static int latentSize(AnomalyModel model) {
        try {
            return model.network().latentSize();
        } catch (IllegalStateException noSplit) {
            return 0;
        }
    }

    private static String imputed(List<String> features, boolean[] mask) {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < mask.length; j++) {
            if (mask[j]) {
                names.add(features.get(j));
            }
        }
        return csv(String.join(" ", names));
    }

    /** Shortest text that reads back as the same double; empty for NaN (not scored). */
    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
