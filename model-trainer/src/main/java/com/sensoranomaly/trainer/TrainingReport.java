package com.sensoranomaly.trainer;

import com.sensoranomaly.model.AnomalyModel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** report.html of a bundle: the training run at a glance, plots inline (SVG), readable offline. */
final class TrainingReport {
    private TrainingReport() {}

    static void write(Path file, AnomalyModel model, Map<String, Object> metrics, Map<String, Object> training,
                      List<double[]> curve, double[] scores) throws IOException {
        double[] epochs = curve.stream().mapToDouble(c -> c[0]).toArray();
        double[] trainLoss = curve.stream().mapToDouble(c -> c[1]).toArray();
        double[] validLoss = curve.stream().mapToDouble(c -> c[2]).toArray();
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>Model training report</title>"
                + "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}td{padding:2px 12px}"
                + "table{border-collapse:collapse}tr:nth-child(even){background:#f4f4f4}</style></head><body>");
        sb.append("<h1>Autoencoder training report</h1><table>");
        row(sb, "features", String.join(", ", model.features()));
        row(sb, "window (readings per input)", model.window());
        row(sb, "threshold", String.format(Locale.ROOT, "%.6g (quantile %.3f of %d validation scores)", model.threshold(),
                model.thresholdQuantile(), scores.length));
        metrics.forEach((k, v) -> row(sb, k, v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : v));
        training.forEach((k, v) -> {
            if (!k.equals("inputFiles") && !k.equals("config")) {
                row(sb, k, v);
            }
        });
        row(sb, "settings", training.get("config"));
        sb.append("</table>");
        sb.append(SvgCharts.lines("Loss per epoch", "epoch", "MSE (scaled)", List.of(
                new SvgCharts.Series("train", epochs, trainLoss), new SvgCharts.Series("validation", epochs, validLoss)), List.of(), true));
        sb.append(SvgCharts.histogram("Validation scores and the threshold", scores, 50, model.threshold(), "threshold"));
        sb.append(SvgCharts.bars("Mean validation error per feature", model.features(), model.featureErrorMean()));
        sb.append("</body></html>");
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    private static void row(StringBuilder sb, String k, Object v) {
        sb.append("<tr><td>").append(SvgCharts.esc(k)).append("</td><td>").append(SvgCharts.esc(String.valueOf(v))).append("</td></tr>");
    }
}
