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

    /** The alert as one JSON object (Avro's JSON form of the contract). */
    public static String json(AnomalyAlert a) {
        return a.toString();
    }
}
