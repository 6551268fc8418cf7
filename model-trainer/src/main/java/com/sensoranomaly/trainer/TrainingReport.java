package com.sensoranomaly.trainer;

import com.sensoranomaly.model.AnomalyModel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.html of a bundle: the training run at a glance for whoever decides whether to deploy it.
 *
 * <p>One self-contained file (inline CSS and SVG, no scripts, no external resources), so it opens offline and
 * can be attached to a ticket: the summary, the loss curves (did it converge, did it overfit), the validation
 * score histogram with the threshold (how much normal data sits near it), and the mean error per feature
 * (which sensors the model reconstructs worst).
 */
final class TrainingReport {
    private TrainingReport() {}

    static void write(Path file, AnomalyModel model, Map<String, Object> metrics, Map<String, Object> training,
                      List<double[]> curve, double[] scores) throws IOException {
        write(file, model, metrics, training, curve, scores, "");
    }

    /** As above, with {@code extraHtml} (e.g. a hyper-parameter search's results) placed before the settings. */
    static void write(Path file, AnomalyModel model, Map<String, Object> metrics, Map<String, Object> training,
                      List<double[]> curve, double[] scores, String extraHtml) throws IOException {
        double[] epochs = curve.stream().mapToDouble(c -> c[0]).toArray();
        double[] trainLoss = curve.stream().mapToDouble(c -> c[1]).toArray();
        double[] validLoss = curve.stream().mapToDouble(c -> c[2]).toArray();
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>Model training report</title>"
                + "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}td,th{padding:2px 12px;text-align:left}"
                + "table{border-collapse:collapse;margin-bottom:1.5em}tr:nth-child(even){background:#f4f4f4}h2{margin-top:1.5em}"
                + "svg{display:block;margin:1em 0}</style></head><body>");
        sb.append("<h1>Autoencoder training report</h1>");

        sb.append("<h2>Summary</h2><table>");
        row(sb, "features", String.join(", ", model.features()));
        row(sb, "window (readings per model input)", model.window());
        boolean conv = "conv1d".equals(training.get("family"));
        row(sb, "network", (conv ? "1-D convolutional, channels " : "dense, ") + AutoencoderTrainer.layerString(cast(training.get("layers")))
                + (conv ? ", kernel " + TrainerConfig.CONV_KERNEL : "") + " (" + training.get("parameters") + " parameters)");
        row(sb, "threshold", String.format(Locale.ROOT, "%.6g (quantile %.3f of %d validation scores)", model.threshold(),
                model.thresholdQuantile(), scores.length));
        row(sb, "validation MSE (scaled)", String.format(Locale.ROOT, "%.5f vs %.5f predicting the training mean (ratio %.3f)",
                (double) metrics.get("validationMse"), (double) metrics.get("baselineMse"), (double) metrics.get("mseVsBaseline")));
        row(sb, "validation RMSE / MAE", String.format(Locale.ROOT, "%.5f / %.5f",
                (double) metrics.get("validationRmse"), (double) metrics.get("validationMae")));
        row(sb, "epochs", training.get("epochsRun") + " run, best " + training.get("bestEpoch")
                + (Boolean.TRUE.equals(training.get("earlyStopped")) ? " (early stop)" : ""));
        row(sb, "duration", String.format(Locale.ROOT, "%.1f s", ((Number) training.get("durationMs")).longValue() / 1000.0));
        sb.append("</table>");

        sb.append("<h2>Data</h2><table>");
        for (String k : List.of("trainingRows", "droppedRowsWithMissingCells", "rowsOutsideCompleteWindows", "missingCells",
                "validationRows", "validationRowsWithMissingCells", "trainingWindows", "validationWindows", "validationScores")) {
            row(sb, k, training.get(k));
        }
        sb.append("</table><table><tr><th>input file</th><th>rows</th><th>sha256</th></tr>");
        for (Object o : (Collection<?>) training.get("inputFiles")) {
            Map<?, ?> m = (Map<?, ?>) o;
            sb.append("<tr><td>").append(SvgCharts.esc(String.valueOf(m.get("path")))).append("</td><td>").append(m.get("rows"))
                    .append("</td><td><code>").append(SvgCharts.esc(String.valueOf(m.get("sha256")))).append("</code></td></tr>");
        }
        sb.append("</table>");

        sb.append(SvgCharts.lines("Loss per epoch (MSE on scaled values; lower is better)", "epoch", "MSE", List.of(
                new SvgCharts.Series("train", epochs, trainLoss), new SvgCharts.Series("validation", epochs, validLoss)), List.of(), true));
        sb.append(SvgCharts.histogram("Validation scores (normal data) and the threshold", scores, 50, model.threshold(), "threshold"));
        sb.append(SvgCharts.bars("Mean validation error per feature", model.features(), model.featureErrorMean()));

        sb.append(extraHtml);
        sb.append("<h2>Settings</h2><table>");
        ((Map<?, ?>) training.get("hyperParameters")).forEach((k, v) -> row(sb, String.valueOf(k), v));
        sb.append("</table>");
        sb.append("<h2>Error per feature</h2><table><tr><th>feature</th><th>mean validation error</th></tr>");
        for (int j = 0; j < model.features().size(); j++) {
            row(sb, model.features().get(j), String.format(Locale.ROOT, "%.5f", model.featureErrorMean()[j]));
        }
        sb.append("</table></body></html>");
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> cast(Object o) {
        return (List<Integer>) o;
    }

    private static void row(StringBuilder sb, String k, Object v) {
        String text = v instanceof Double d ? number(d) : String.valueOf(v);
        sb.append("<tr><td>").append(SvgCharts.esc(k)).append("</td><td>").append(SvgCharts.esc(text)).append("</td></tr>");
    }

    /** Six significant digits without trailing zeros: 0.001, 1e-05, 0.445503. */
    static String number(double d) {
        String s = String.format(Locale.ROOT, "%.6g", d);
        int e = s.indexOf('e');
        String mantissa = e >= 0 ? s.substring(0, e) : s;
        String exponent = e >= 0 ? s.substring(e) : "";
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "");
            if (mantissa.endsWith(".")) {
                mantissa = mantissa.substring(0, mantissa.length() - 1);
            }
        }
        return mantissa + exponent;
    }
}
