package com.sensoranomaly.cli.alerts;

import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.FeatureContribution;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.stream.Collectors;

/** One readable line per alert for a terminal, and a JSON object per line for scripts. */
public final class AlertFormatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private AlertFormatter() {}

    /** e.g. {@code 2026-11-22 10:15:03 pump-004 FIRING   ERROR    score 2.31 > 0.712  flow 61%, pressure 30%  imputed: vibration}. */
    public static String line(AnomalyAlert a) {
        String top = a.getTopFeatures().stream()
                .map(f -> f.getFeature() + " " + Math.round(f.getShare() * 100) + "%" + observedVsExpected(f))
                .collect(Collectors.joining(", "));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s %-10s %-8s %-8s",
                TIME.format(a.getEventTime()), a.getDeviceId(), a.getStatus(), a.getSeverity()));
        if (a.getStatus() == AlertStatus.FIRING) {
            sb.append(String.format(Locale.ROOT, " score %.3g > %.3g", a.getScore(), a.getThreshold()));
        } else {
            sb.append(String.format(Locale.ROOT, " after %d readings, peak %.3g", a.getWindow().getEpisodeEvents(),
                    a.getWindow().getEpisodePeakScore()));
        }
        if (!top.isEmpty()) {
            sb.append("  ").append(top);
        }
        if (!a.getImputedFeatures().isEmpty()) {
            sb.append("  imputed: ").append(String.join(", ", a.getImputedFeatures()));
        }
        return sb.toString();
    }

    private static String observedVsExpected(FeatureContribution f) {
        if (f.getObserved() == null || f.getExpected() == null) {
            return "";
        }
        return String.format(Locale.ROOT, " (%.3g, expected %.3g)", f.getObserved(), f.getExpected());
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * The alert as one JSON object, written by a JSON library: the contract's field names, times as ISO-8601 instants,
     * scores as numbers (null where not finite, as JSON has no NaN).
     */
    public static String json(AnomalyAlert a) {
        var o = JSON.createObjectNode();
        o.put("alertId", a.getAlertId());
        o.put("deviceId", a.getDeviceId());
        o.put("status", a.getStatus().name());
        o.put("severity", a.getSeverity().name());
        o.put("episodeStart", instant(a.getEpisodeStart()));
        o.put("episodeEnd", instant(a.getEpisodeEnd()));
        o.put("eventTime", instant(a.getEventTime()));
        o.put("detectionTime", instant(a.getDetectionTime()));
        number(o, "score", a.getScore());
        number(o, "threshold", a.getThreshold());
        var w = o.putObject("window");
        w.put("size", a.getWindow().getSize());
        w.put("exceeding", a.getWindow().getExceeding());
        number(w, "meanScore", a.getWindow().getMeanScore());
        number(w, "maxScore", a.getWindow().getMaxScore());
        w.put("episodeEvents", a.getWindow().getEpisodeEvents());
        number(w, "episodePeakScore", a.getWindow().getEpisodePeakScore());
        var top = o.putArray("topFeatures");
        for (FeatureContribution f : a.getTopFeatures()) {
            var t = top.addObject();
            t.put("feature", f.getFeature());
            number(t, "error", f.getError());
            number(t, "share", f.getShare());
            number(t, "observed", f.getObserved());
            number(t, "expected", f.getExpected());
        }
        var imputed = o.putArray("imputedFeatures");
        a.getImputedFeatures().forEach(imputed::add);
        o.put("modelVersion", a.getModelVersion());
        o.put("summary", a.getSummary());
        var labels = o.putObject("labels");
        new java.util.TreeMap<>(a.getLabels()).forEach(labels::put);
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String instant(java.time.Instant t) {
        return t == null ? null : t.toString();
    }

    private static void number(com.fasterxml.jackson.databind.node.ObjectNode o, String name, Double v) {
        if (v == null || !Double.isFinite(v)) {
            o.putNull(name);
        } else {
            o.put(name, v);
        }
    }
}
