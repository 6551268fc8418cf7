package com.sensoranomaly.cli.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.FeatureContribution;
import com.sensoranomaly.schema.Severity;
import com.sensoranomaly.schema.WindowStats;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AlertFormatterTest {

    @Test
    void shouldWriteEachAlertAsStrictJsonWithTheContractsFieldNames() throws Exception {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        AnomalyAlert a = AnomalyAlert.newBuilder().setAlertId("ep-1").setDeviceId("pump \"7\"").setStatus(AlertStatus.RESOLVED)
                .setSeverity(Severity.ERROR).setEpisodeStart(t).setEpisodeEnd(t.plusSeconds(60)).setEventTime(t.plusSeconds(60))
                .setDetectionTime(t.plusSeconds(61)).setScore(Double.NaN).setThreshold(1.5)
                .setWindow(new WindowStats(10, 0, 0.2, 0.4, 42L, 7.5))
                .setTopFeatures(List.of(new FeatureContribution("flow", 3.0, 0.71, 80.0, null)))
                .setImputedFeatures(List.of("temperature")).setModelVersion("m1").setSummary("line\nbreak")
                .setLabels(Map.of("site", "plant-2")).build();
        JsonNode j = new ObjectMapper().readTree(AlertFormatter.json(a));
        assertThat(j.path("alertId").asText()).isEqualTo("ep-1");
        assertThat(j.path("deviceId").asText()).isEqualTo("pump \"7\"");
        assertThat(j.path("status").asText()).isEqualTo("RESOLVED");
        assertThat(j.path("episodeEnd").asText()).isEqualTo("2026-12-01T10:01:00Z");
        assertThat(j.path("score").isNull()).as("JSON has no NaN").isTrue();
        assertThat(j.path("threshold").asDouble()).isEqualTo(1.5);
        assertThat(j.path("window").path("episodeEvents").asLong()).isEqualTo(42);
        assertThat(j.path("topFeatures").get(0).path("expected").isNull()).isTrue();
        assertThat(j.path("summary").asText()).isEqualTo("line\nbreak");
        assertThat(j.path("labels").path("site").asText()).isEqualTo("plant-2");
        assertThat(AlertFormatter.json(a)).doesNotContain("\n");
    }
}
