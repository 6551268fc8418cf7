package com.sensoranomaly.cli.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.trainer.CsvHistory;
import com.sensoranomaly.trainer.DataException;
import com.sensoranomaly.trainer.SvgCharts;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code evaluate}: replays labelled experiments through the real job and scores its decisions the way
 * SKAB's leaderboard does, under two protocols: per-device warm-up (the job's default calibration: each
 * device fits its own model of normal on its first {@code --warmup} readings, scored by the bundle's model
 * meanwhile) and strict (one global model and threshold, nothing per device).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Replay labelled CSV experiments (SKAB format) through the streaming job and report F1, FAR, MAR and NAB scores.")
public final class EvaluateCommand implements Callable<Integer> {

    public enum Protocol { PER_DEVICE, STRICT, BOTH }

    @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "model bundle to evaluate")
    Path bundle;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "FILE",
            description = "labelled CSV files (anomaly and changepoint columns); each file is one device")
    List<Path> inputs;

    @Option(names = "--warmup", description = "rows of each file not scored (and used for per-device calibration) [default: ${DEFAULT-VALUE}]")
    int warmup = 400;

    @Option(names = "--protocol", description = "per-device, strict or both [default: both]")
    String protocol = "both";

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a job setting for the run, e.g. --set rule.k=5 (repeatable)")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--report", paramLabel = "FILE", description = "write the results as JSON")
    Path report;

    @Option(names = "--plots", paramLabel = "DIR", description = "write per-file timelines (SVG) and an index.html")
    Path plots;

    @Option(names = "--predictions", paramLabel = "DIR",
            description = "write the job's decisions per file, DIR/<protocol>/<file>.csv: datetime;anomaly;changepoint;score;threshold, one row per input row (for SKAB's own scorer)")
    Path predictions;

    @Option(names = "--parallelism", description = "job parallelism [default: ${DEFAULT-VALUE}]")
    int parallelism = 2;

    @Option(names = "--missing-rate", description = "blank this share of sensor values before replay (seeded), to test imputation [default: ${DEFAULT-VALUE}]")
    double missingRate = 0;

    @Option(names = "--nab-window", paramLabel = "SECONDS", description = "NAB window after each true changepoint [default: ${DEFAULT-VALUE}]")
    int nabWindowSeconds = 60;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One protocol's outcome. */
    public record Outcome(String protocol, DetectionMetrics pooled, Map<String, DetectionMetrics> perFile,
                          Map<NabScore.Profile, Double> nab, Map<String, JobDecisions> decisions) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Protocol p;
        try {
            p = Protocol.valueOf(protocol.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--protocol must be per-device, strict or both: " + protocol);
        }
        AnomalyModel model = ModelBundle.load(bundle);
        if (missingRate < 0 || missingRate >= 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--missing-rate must be within [0, 1): " + missingRate);
        }
        List<LabelledSeries> series = withGaps(load(inputs), missingRate, 17);
        for (LabelledSeries s : series) {
            if (s.size() <= warmup) {
                throw new DataException(s.deviceId() + ": " + s.size() + " rows, not more than the warm-up of " + warmup);
            }
        }
        out.printf(Locale.ROOT, "evaluating model %s (window %d, threshold %.4g) on %d file(s), %,d rows, warm-up %d%n",
                model.version(), model.window(), model.threshold(), series.size(), series.stream().mapToInt(LabelledSeries::size).sum(), warmup);

        List<Outcome> outcomes = new ArrayList<>();
        if (p != Protocol.STRICT) {
            // The job's own per-device calibration (its default mode), learning from the warm-up rows.
            Map<String, String> s = new LinkedHashMap<>(Map.of("calibration.events", String.valueOf(warmup)));
            s.putAll(settings);
            outcomes.add(run("per-device", model, series, s, out));
        }
        if (p != Protocol.PER_DEVICE) {
            Map<String, String> s = new LinkedHashMap<>(Map.of("calibration.mode", "none"));
            s.putAll(settings);
            outcomes.add(run("strict", model, series, s, out));
        }
        DetectionMetrics allAnomaly = DetectionMetrics.of(new boolean[0], new boolean[0], 0);
        for (LabelledSeries s : series) {
            boolean[] all = new boolean[s.size()];
            java.util.Arrays.fill(all, true);
            allAnomaly = allAnomaly.plus(DetectionMetrics.of(s.anomaly(), all, warmup));
        }
        out.println();
        out.printf(Locale.ROOT, "%-22s %6s %7s %7s %9s %9s %9s%n", "", "F1", "FAR", "MAR", "NAB std", "NAB lowFP", "NAB lowFN");
        for (Outcome o : outcomes) {
            out.printf(Locale.ROOT, "%-22s %6.3f %6.2f%% %6.2f%% %9.1f %9.1f %9.1f%n", o.protocol(), o.pooled().f1(), 100 * o.pooled().far(),
                    100 * o.pooled().mar(), o.nab().get(NabScore.Profile.STANDARD), o.nab().get(NabScore.Profile.LOW_FP),
                    o.nab().get(NabScore.Profile.LOW_FN));
        }
        out.printf(Locale.ROOT, "%-22s %6.3f %6.2f%% %6.2f%%%n", "all-anomaly baseline", allAnomaly.f1(), 100 * allAnomaly.far(), 100 * allAnomaly.mar());
        out.println();
        out.printf(Locale.ROOT, "%-16s", "file");
        for (Outcome o : outcomes) {
            out.printf(Locale.ROOT, " %28s", o.protocol() + " F1 / FAR / MAR");
        }
        out.println();
        for (LabelledSeries s : series) {
            out.printf(Locale.ROOT, "%-16s", s.deviceId());
            for (Outcome o : outcomes) {
                DetectionMetrics m = o.perFile().get(s.deviceId());
                out.printf(Locale.ROOT, " %12.3f / %5.1f%% / %5.1f%%", m.f1(), 100 * m.far(), 100 * m.mar());
            }
            out.println();
        }
        if (report != null) {
            writeReport(report, model, series, outcomes, allAnomaly);
            out.println("report: " + report);
        }
        if (predictions != null) {
            for (Outcome o : outcomes) {
                for (LabelledSeries s : series) {
                    PredictionFiles.write(predictions.resolve(o.protocol()), s, o.decisions().get(s.deviceId()));
                }
            }
            out.println("predictions: " + predictions + "/{" + String.join(",", outcomes.stream().map(Outcome::protocol).toList()) + "}/*.csv");
        }
        if (plots != null) {
            writePlots(plots, series, outcomes);
            out.println("plots: " + plots.resolve("index.html"));
        }
        out.flush();
        return 0;
    }

    private Outcome run(String name, AnomalyModel model, List<LabelledSeries> series, Map<String, String> jobSettings,
                        PrintWriter out) throws Exception {
        long start = System.currentTimeMillis();
        out.printf("%s: replaying through the job (%s)...%n", name, jobSettings);
        out.flush();
        Map<String, JobDecisions> decisions = StreamingEvaluation.run(model, series, jobSettings, parallelism);
        Outcome o = score(name, series, decisions, warmup, nabWindowSeconds * 1000L);
        int missing = decisions.values().stream().mapToInt(JobDecisions::missing).sum();
        out.printf(Locale.ROOT, "%s: F1 %.3f, FAR %.2f%%, MAR %.2f%% (%.1f s%s)%n", name, o.pooled().f1(), 100 * o.pooled().far(),
                100 * o.pooled().mar(), (System.currentTimeMillis() - start) / 1000.0,
                missing > 0 ? ", " + missing + " rows without a decision" : "");
        return o;
    }

    /** Scores the job's decisions against the labels, skipping each file's warm-up rows. */
    public static Outcome score(String name, List<LabelledSeries> series, Map<String, JobDecisions> decisions, int warmup, long nabWindowMs) {
        DetectionMetrics pooled = new DetectionMetrics(0, 0, 0, 0);
        Map<String, DetectionMetrics> perFile = new LinkedHashMap<>();
        Map<NabScore.Profile, NabScore.Raw> nab = new LinkedHashMap<>();
        for (NabScore.Profile pr : NabScore.Profile.values()) {
            nab.put(pr, new NabScore.Raw(0, 0, 0));
        }
        for (LabelledSeries s : series) {
            boolean[] predicted = decisions.get(s.deviceId()).inEpisode();
            DetectionMetrics m = DetectionMetrics.of(s.anomaly(), predicted, warmup);
            perFile.put(s.deviceId(), m);
            pooled = pooled.plus(m);
            long from = s.times()[warmup];
            long[] cps = java.util.Arrays.stream(s.changepointTimes()).filter(t -> t >= from).toArray();
            long[] detections = NabScore.flips(s.times(), predicted, warmup);
            for (NabScore.Profile pr : NabScore.Profile.values()) {
                nab.put(pr, nab.get(pr).plus(NabScore.score(cps, detections, nabWindowMs, pr)));
            }
        }
        Map<NabScore.Profile, Double> normalised = new LinkedHashMap<>();
        nab.forEach((k, v) -> normalised.put(k, v.normalised()));
        return new Outcome(name, pooled, perFile, normalised, decisions);
    }

    /** Blanks each value with probability {@code rate} (a fixed seed, so runs compare); rate 0 returns the input. */
    static List<LabelledSeries> withGaps(List<LabelledSeries> series, double rate, long seed) {
        if (rate <= 0) {
            return series;
        }
        java.util.Random rnd = new java.util.Random(seed);
        List<LabelledSeries> out = new ArrayList<>();
        for (LabelledSeries s : series) {
            double[][] v = new double[s.size()][];
            for (int i = 0; i < s.size(); i++) {
                v[i] = s.values()[i].clone();
                for (int j = 0; j < v[i].length; j++) {
                    if (rnd.nextDouble() < rate) {
                        v[i][j] = Double.NaN;
                    }
                }
            }
            out.add(new LabelledSeries(s.deviceId(), s.features(), s.times(), v, s.anomaly(), s.changepoint()));
        }
        return out;
    }

    /** Each labelled file becomes one device: "valve1-0" for valve1/0.csv. */
    public static List<LabelledSeries> load(List<Path> files) {
        List<LabelledSeries> out = new ArrayList<>();
        for (CsvHistory.File f : CsvHistory.readAll(files, CsvHistory.Options.DEFAULT)) {
            double[] anomaly = f.label("anomaly").orElseThrow(() -> new DataException(f.path() + ": no 'anomaly' label column"));
            double[] cp = f.label("changepoint").orElse(new double[f.size()]);
            boolean[] a = new boolean[f.size()];
            boolean[] c = new boolean[f.size()];
            for (int i = 0; i < f.size(); i++) {
                a[i] = anomaly[i] > 0.5;
                c[i] = cp[i] > 0.5;
            }
            out.add(new LabelledSeries(deviceId(f.path()), f.features(), f.times(), f.rows(), a, c));
        }
        return out;
    }

    /** The device id a replayed file gets: "valve1-0" for valve1/0.csv. */
    public static String deviceId(Path p) {
        String file = p.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Path parent = p.toAbsolutePath().getParent();
        return parent == null || parent.getFileName() == null ? file : parent.getFileName() + "-" + file;
    }

    private void writeReport(Path file, AnomalyModel model, List<LabelledSeries> series, List<Outcome> outcomes,
                             DetectionMetrics allAnomaly) throws Exception {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model_version", model.version());
        root.put("window", model.window());
        root.put("warmup", warmup);
        root.put("files", series.stream().map(LabelledSeries::deviceId).toList());
        root.put("settings", settings);
        root.put("missing_rate", missingRate);
        for (Outcome o : outcomes) {
            Map<String, Object> m = metrics(o.pooled());
            m.put("nab_standard", o.nab().get(NabScore.Profile.STANDARD));
            m.put("nab_low_fp", o.nab().get(NabScore.Profile.LOW_FP));
            m.put("nab_low_fn", o.nab().get(NabScore.Profile.LOW_FN));
            Map<String, Object> perFile = new LinkedHashMap<>();
            o.perFile().forEach((k, v) -> perFile.put(k, metrics(v)));
            m.put("per_file", perFile);
            root.put(o.protocol().replace('-', '_'), m);
        }
        // The headline keys are the per-device protocol's (the first run), as the leaderboard reports.
        Outcome head = outcomes.get(0);
        root.put("protocol", head.protocol());
        root.put("f1", head.pooled().f1());
        root.put("far", head.pooled().far());
        root.put("mar", head.pooled().mar());
        root.put("nab_standard", head.nab().get(NabScore.Profile.STANDARD));
        root.put("nab_low_fp", head.nab().get(NabScore.Profile.LOW_FP));
        root.put("nab_low_fn", head.nab().get(NabScore.Profile.LOW_FN));
        Map<String, Object> perFile = new LinkedHashMap<>();
        head.perFile().forEach((k, v) -> perFile.put(k, metrics(v)));
        root.put("per_file", perFile);
        root.put("all_anomaly_baseline", metrics(allAnomaly));
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }

    private static Map<String, Object> metrics(DetectionMetrics m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("f1", m.f1());
        r.put("far", m.far());
        r.put("mar", m.mar());
        r.put("tp", m.tp());
        r.put("fp", m.fp());
        r.put("tn", m.tn());
        r.put("fn", m.fn());
        return r;
    }

    private void writePlots(Path dir, List<LabelledSeries> series, List<Outcome> outcomes) throws Exception {
        Files.createDirectories(dir);
        StringBuilder index = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>Evaluation timelines</title></head>"
                + "<body style='font-family:sans-serif'><h1>Score, threshold, labels and alert episodes</h1>"
                + "<p>Grey: labelled anomaly. Orange: the job's alert episodes. Log scale.</p>");
        for (Outcome o : outcomes) {
            for (LabelledSeries s : series) {
                JobDecisions d = o.decisions().get(s.deviceId());
                double[] x = new double[s.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (s.times()[i] - s.times()[0]) / 1000.0;
                }
                List<SvgCharts.Band> bands = new ArrayList<>();
                bands.addAll(runs(x, s.anomaly(), "#888888", 0.5, 1.0));
                bands.addAll(runs(x, d.inEpisode(), "#ff7f0e", 0.0, 0.5));
                bands.add(new SvgCharts.Band(x[0], x[Math.min(warmup, x.length - 1)], "#bbddff", 0.0, 1.0));
                String svg = SvgCharts.lines(s.deviceId() + " (" + o.protocol() + ")", "seconds", "score",
                        List.of(new SvgCharts.Series("score", x, d.score()), new SvgCharts.Series("threshold", x, d.threshold())),
                        bands, true);
                String name = o.protocol() + "-" + s.deviceId() + ".svg";
                Files.writeString(dir.resolve(name), svg);
                index.append("<img src='").append(name).append("'/>");
            }
        }
        Files.writeString(dir.resolve("index.html"), index.append("</body></html>").toString());
    }

    private static List<SvgCharts.Band> runs(double[] x, boolean[] on, String color, double y0, double y1) {
        List<SvgCharts.Band> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= on.length; i++) {
            boolean v = i < on.length && on[i];
            if (v && start < 0) {
                start = i;
            } else if (!v && start >= 0) {
                out.add(new SvgCharts.Band(x[start], x[i - 1], color, y0, y1));
                start = -1;
            }
        }
        return out;
    }

}
