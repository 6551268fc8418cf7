package com.sensoranomaly.cli.forward;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sensoranomaly.cli.alerts.AlertFormatter;
import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.FeatureContribution;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Alerts in the body Prometheus Alertmanager's {@code POST /api/v2/alerts} takes.
 *
 * <p>One Alertmanager alert per episode: the labels carry the episode's {@code alert_id}, so FIRING and
 * RESOLVED of an episode update the same alert, and a redelivered alert (the forwarder is at-least-once)
 * changes nothing. A FIRING alert is sent with {@code endsAt} a TTL after its event time, so Alertmanager
 * needs no periodic re-sends and an episode whose RESOLVED never comes still ends; RESOLVED sets
 * {@code endsAt} to the episode's end. Routing to pagers, chat and mail, grouping and silences stay in
 * Alertmanager, where on-call teams already configure them.
 */
public final class AlertmanagerPayload {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertmanagerPayload() {}

    public static String json(List<AnomalyAlert> alerts, Duration firingTtl, Map<String, String> extraLabels) {
        ArrayNode body = MAPPER.createArrayNode();
        for (AnomalyAlert a : alerts) {
            body.add(alert(a, firingTtl, extraLabels));
        }
        return body.toString();
    }

    static ObjectNode alert(AnomalyAlert a, Duration firingTtl, Map<String, String> extraLabels) {
        ObjectNode n = MAPPER.createObjectNode();
        ObjectNode labels = n.putObject("labels");
        // The reading's own labels (site, line, ...) are there to route on; the alert's identity labels win.
        extraLabels.forEach(labels::put);
        a.getLabels().forEach((k, v) -> labels.put(labelName(k), v));
        labels.put("alertname", "SensorAnomaly");
        labels.put("device_id", a.getDeviceId());
        labels.put("severity", a.getSeverity().name().toLowerCase(Locale.ROOT));
        labels.put("alert_id", a.getAlertId());

        ObjectNode annotations = n.putObject("annotations");
        annotations.put("summary", a.getSummary().isEmpty() ? AlertFormatter.line(a) : a.getSummary());
        annotations.put("description", AlertFormatter.line(a));
        annotations.put("score", String.format(Locale.ROOT, "%.4g", a.getScore()));
        annotations.put("threshold", String.format(Locale.ROOT, "%.4g", a.getThreshold()));
        annotations.put("top_features", a.getTopFeatures().stream().map(FeatureContribution::getFeature)
                .collect(Collectors.joining(", ")));
        annotations.put("model_version", a.getModelVersion());

        Instant start = a.getEpisodeStart();
        n.put("startsAt", start.toString());
        Instant end = a.getStatus() == AlertStatus.RESOLVED
                ? (a.getEpisodeEnd() != null ? a.getEpisodeEnd() : a.getEventTime())
                : a.getEventTime().plus(firingTtl);
        // Alertmanager refuses an alert that ends before it starts.
        n.put("endsAt", (end.isBefore(start) ? start : end).toString());
        return n;
    }

    /** Alertmanager label names are [a-zA-Z_][a-zA-Z0-9_]*. */
    static String labelName(String key) {
        String s = key.replaceAll("[^a-zA-Z0-9_]", "_");
        return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }
}
