package com.sensoranomaly.cli.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sensoranomaly.job.detection.TopFeatures;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.FeatureScaler;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The service's JSON: requests in, answers out. Every refusal names the offending field as a JSON path
 * ({@code readings[3].values.flow}). Numbers the model could not produce (NaN) are written as null.
 */
final class ServeJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Device of readings sent without a device id. */
    static final String DEFAULT_DEVICE = "default";
    private static final Set<String> READING_FIELDS = Set.of("deviceId", "time", "values");

    private ServeJson() {}

    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ApiError.badRequest("", "the request has no body; send a JSON object");
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiError.badRequest("", "the body cannot be read: " + e.getMessage());
        }
    }

    private static ArrayNode list(JsonNode root, String name, int maxBatch) {
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest("", "the body must be a JSON object with a '" + name + "' array");
        }
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!n.equals(name)) {
                throw ApiError.badRequest(n, "unknown field '" + n + "' (expected only '" + name + "')");
            }
        }
        JsonNode a = root.get(name);
        if (a == null || !a.isArray()) {
            throw ApiError.badRequest(name, "'" + name + "' must be an array");
        }
        if (a.isEmpty()) {
            throw ApiError.badRequest(name, "'" + name + "' is empty");
        }
        if (a.size() > maxBatch) {
            throw ApiError.badRequest(name, "'" + name + "' has " + a.size() + " entries, at most " + maxBatch + " are accepted per request");
        }
        return (ArrayNode) a;
    }

    /**
     * Readings: {@code {"readings":[{"deviceId":"pump-1","time":"2026-12-01T00:00:00Z","values":{"flow":1.2,"pressure":null}}]}}.
     * {@code deviceId} is optional ({@value #DEFAULT_DEVICE}); {@code time} is optional (epoch milliseconds or ISO-8601;
     * without it a device's readings are taken 1 ms apart after its previous one); a feature left out or null is missing.
     */
    static List<FleetScorer.Input> readings(JsonNode root, AnomalyModel model, int maxBatch) {
        ArrayNode a = list(root, "readings", maxBatch);
        int f = model.features().size();
        Map<String, Long> lastTime = new HashMap<>();
        List<FleetScorer.Input> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            String at = "readings[" + i + "]";
            JsonNode r = a.get(i);
            if (!r.isObject()) {
                throw ApiError.badRequest(at, at + " must be an object {\"deviceId\", \"time\", \"values\"}");
            }
            Iterator<String> names = r.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (!READING_FIELDS.contains(n)) {
                    throw ApiError.badRequest(at + "." + n, "unknown field '" + n + "' (a reading has deviceId, time, values)");
                }
            }
            String device = DEFAULT_DEVICE;
            JsonNode d = r.get("deviceId");
            if (d != null && !d.isNull()) {
                if (!d.isTextual() || d.asText().isBlank()) {
                    throw ApiError.badRequest(at + ".deviceId", "deviceId must be a non-empty string");
                }
                device = d.asText();
            }
            JsonNode t = r.get("time");
            long time;
            if (t == null || t.isNull()) {
                Long prev = lastTime.get(device);
                time = prev == null ? 0 : prev + 1;
            } else {
                time = time(t, at + ".time");
            }
            lastTime.put(device, time);
            JsonNode v = r.get("values");
            if (v == null || !v.isObject()) {
                throw ApiError.badRequest(at + ".values", "values must be an object of feature name to number (features: "
                        + model.features() + ")");
            }
            double[] values = new double[f];
            Arrays.fill(values, Double.NaN);
            Iterator<Map.Entry<String, JsonNode>> fields = v.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                String field = at + ".values." + e.getKey();
                int j = model.featureIndex(e.getKey());
                if (j < 0) {
                    throw ApiError.badRequest(field, "unknown feature '" + e.getKey() + "' (the model's features: " + model.features() + ")");
                }
                JsonNode x = e.getValue();
                if (x.isNull()) {
                    continue;
                }
                if (!x.isNumber()) {
                    throw ApiError.badRequest(field, "'" + e.getKey() + "' is not a number: " + x);
                }
                values[j] = x.asDouble();
            }
            out.add(new FleetScorer.Input(device, time, values));
        }
        return out;
    }

    private static long time(JsonNode t, String field) {
        if (t.isIntegralNumber()) {
            return t.asLong();
        }
        if (t.isTextual()) {
            try {
                return Instant.parse(t.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw ApiError.badRequest(field, "time must be epoch milliseconds or an ISO-8601 instant such as 2026-12-01T00:00:00Z: " + t);
            }
        }
        throw ApiError.badRequest(field, "time must be epoch milliseconds or an ISO-8601 instant such as 2026-12-01T00:00:00Z: " + t);
    }

    /** Latent codes: {@code {"latents":[[0.1, -0.3, ...], ...]}}, each of the model's latent size. */
    static List<double[]> latents(JsonNode root, int latentSize, int maxBatch) {
        ArrayNode a = list(root, "latents", maxBatch);
        List<double[]> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            String at = "latents[" + i + "]";
            JsonNode l = a.get(i);
            if (!l.isArray()) {
                throw ApiError.badRequest(at, at + " must be an array of " + latentSize + " numbers");
            }
            if (l.size() != latentSize) {
                throw ApiError.badRequest(at, at + " has " + l.size() + " values, the model's latent size is " + latentSize);
            }
            double[] z = new double[latentSize];
            for (int k = 0; k < latentSize; k++) {
                JsonNode x = l.get(k);
                if (!x.isNumber()) {
                    throw ApiError.badRequest(at + "[" + k + "]", "not a number: " + x);
                }
                z[k] = x.asDouble();
            }
            out.add(z);
        }
        return out;
    }

    // ---- answers

    static void number(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }

    static ArrayNode numbers(double[] v) {
        ArrayNode a = MAPPER.createArrayNode();
        for (double x : v) {
            if (Double.isFinite(x)) {
                a.add(x);
            } else {
                a.addNull();
            }
        }
        return a;
    }

    static ObjectNode byFeature(List<String> features, double[] v) {
        ObjectNode o = MAPPER.createObjectNode();
        for (int j = 0; j < features.size(); j++) {
            number(o, features.get(j), v[j]);
        }
        return o;
    }

    /** The head every answer about readings starts with. */
    static ObjectNode head(FleetScorer scorer) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("modelVersion", scorer.model().version());
        return o;
    }

    static ObjectNode reading(FleetScorer.Result r, List<String> features) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("deviceId", r.input().deviceId());
        o.put("time", r.input().time());
        o.put("warmingUp", r.warmingUp());
        ArrayNode imputed = o.putArray("imputedFeatures");
        boolean[] mask = r.scored().imputed();
        for (int j = 0; j < features.size(); j++) {
            if (mask[j]) {
                imputed.add(features.get(j));
            }
        }
        if (r.absurd() > 0) {
            o.put("absurdValues", r.absurd());
        }
        return o;
    }

    static ObjectNode score(FleetScorer scorer, FleetScorer.Result r, int topFeatures) {
        List<String> features = scorer.model().features();
        ObjectNode o = reading(r, features);
        number(o, "score", r.scored().score());
        number(o, "threshold", r.threshold());
        o.put("exceeds", r.exceeds());
        o.put("imputed", r.scored().imputedCount());
        ArrayNode top = o.putArray("topFeatures");
        for (TopFeatures.Contribution c : scorer.topFeatures(r, topFeatures)) {
            ObjectNode t = top.addObject();
            t.put("feature", features.get(c.index()));
            number(t, "error", c.error());
            number(t, "share", c.share());
            number(t, "observed", c.observed());
            number(t, "expected", c.expected());
        }
        return o;
    }

    static ObjectNode reconstruction(FleetScorer scorer, FleetScorer.Result r) {
        List<String> features = scorer.model().features();
        ObjectNode o = reading(r, features);
        o.set("values", byFeature(features, r.values()));
        o.set("reconstruction", byFeature(features, r.scored().expected()));
        o.set("errors", byFeature(features, r.scored().featureErrors()));
        number(o, "score", r.scored().score());
        return o;
    }

    static ObjectNode encoding(FleetScorer scorer, FleetScorer.Result r) {
        ObjectNode o = reading(r, scorer.model().features());
        double[] z = scorer.latent(r);
        if (z == null) {
            o.putNull("latent");
        } else {
            o.set("latent", numbers(z));
        }
        return o;
    }

    /** A decoded latent code: the model's output window in raw units, oldest reading first; {@code values} is the newest. */
    static ObjectNode decoded(AnomalyModel model, double[] output) {
        List<String> features = model.features();
        FeatureScaler scaler = model.scaler();
        int f = features.size();
        ObjectNode o = MAPPER.createObjectNode();
        ArrayNode window = MAPPER.createArrayNode();
        ObjectNode newest = null;
        for (int t = 0; t < model.window(); t++) {
            double[] raw = new double[f];
            for (int j = 0; j < f; j++) {
                raw[j] = scaler.unscale(j, output[t * f + j]);
            }
            newest = byFeature(features, raw);
            window.add(newest);
        }
        o.set("values", newest.deepCopy());
        o.set("window", window);
        return o;
    }

    static ObjectNode error(int status, String field, String message) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("status", status);
        o.put("error", message);
        if (field != null) {
            o.put("field", field);
        }
        return o;
    }
}
