package com.sensoranomaly.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.sensoranomaly.job.bundle.BundlePolicy;
import com.sensoranomaly.job.ingest.Reading;
import com.sensoranomaly.job.scoring.Detector;
import com.sensoranomaly.job.scoring.ScoredReading;
import com.sensoranomaly.job.scoring.ScoringFunction;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.BundleSignature;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The scoring service as a client sees it: real HTTP against a started server on a free port. */
class ScoringServiceITCase {
    @TempDir
    Path dir;

    private ScoringServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ServeFixtures.Client start(Path bundle, ServeSettings settings) {
        server = ScoringServer.start(new BundleWatcher(bundle.toString(), settings), settings, "127.0.0.1", 0);
        return new ServeFixtures.Client(server.port());
    }

    private static ServeSettings settings(BundlePolicy policy, int maxBatch, long maxBody, Duration poll) {
        ServeSettings d = ServeSettings.jobDefaults(policy);
        return new ServeSettings(d.imputation(), d.thresholdScale(), d.thresholdValue(), d.topFeatures(), d.rangeFactor(), policy,
                maxBatch, maxBody, poll);
    }

    private static Map<String, Object> body(List<Map<String, Object>> readings) {
        return Map.of("readings", readings);
    }

    @Test
    void shouldScoreExactlyAsTheJobsScoringFunctionScoresNewDevices() throws Exception {
        // A window of 3 readings, smoothing and model imputation of missing values: every part of the job's path.
        AnomalyModel m = ServeFixtures.write(dir.resolve("b"), ServeFixtures.dense(11, 3, 0.5, 0.8));
        ServeSettings settings = ServeSettings.jobDefaults(BundlePolicy.OPEN);
        ServeFixtures.Client client = start(dir.resolve("b"), settings);
        List<Map<String, Object>> readings = ServeFixtures.readings(3, 3, 40, 0.15);

        JsonNode answer = client.post("/anomaly_score", body(readings)).json();
        assertThat(answer.get("modelVersion").asText()).isEqualTo(m.version());
        assertThat(answer.get("scoredBy").asText()).isEqualTo("fleet-model");

        // The job: its ScoringFunction, built from the same model and the same settings, fed the same readings.
        Detector detector = Detector.create(m, settings.detectorSettings());
        List<ScoredReading> job = new ArrayList<>();
        try (var h = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(
                new ScoringFunction(detector, Duration.ofHours(1), Duration.ofMinutes(1)), List.of(ScoringFunction.MODEL)),
                Reading::getDeviceId, Types.STRING, 128, 1, 0)) {
            h.open();
            for (Map<String, Object> r : readings) {
                @SuppressWarnings("unchecked")
                Map<String, Object> v = (Map<String, Object>) r.get("values");
                double[] values = new double[m.features().size()];
                for (int j = 0; j < values.length; j++) {
                    Object x = v.get(m.features().get(j));
                    values[j] = x == null ? Double.NaN : (Double) x;
                }
                long t = (Long) r.get("time");
                Reading reading = new Reading((String) r.get("deviceId"), t, values, Map.of());
                reading.sourceTopic = "readings";
                h.processElement(reading, t);
            }
            job.addAll(h.extractOutputValues());
        }

        JsonNode results = answer.get("results");
        assertThat(results).hasSize(readings.size());
        assertThat(job).hasSize(readings.size());
        int scored = 0;
        int exceeding = 0;
        int imputed = 0;
        for (int i = 0; i < job.size(); i++) {
            ScoredReading j = job.get(i);
            JsonNode s = results.get(i);
            assertThat(s.get("deviceId").asText()).isEqualTo(j.deviceId);
            assertThat(j.deviceModel).isFalse();
            assertThat(s.get("threshold").asDouble()).isEqualTo(j.threshold);
            if (!j.isScored()) {
                assertThat(s.get("warmingUp").asBoolean()).isTrue();
                assertThat(s.get("score").isNull()).isTrue();
                continue;
            }
            scored++;
            assertThat(s.get("score").asDouble()).as("reading %d", i).isEqualTo(j.score);
            assertThat(s.get("exceeds").asBoolean()).isEqualTo(j.exceeds());
            exceeding += j.exceeds() ? 1 : 0;
            assertThat(s.get("imputed").asInt()).isEqualTo(Long.bitCount(j.imputedMask));
            imputed += Long.bitCount(j.imputedMask);
            for (JsonNode top : s.get("topFeatures")) {
                int f = m.featureIndex(top.get("feature").asText());
                assertThat(top.get("error").asDouble()).isEqualTo(j.featureErrors[f]);
                assertThat(top.get("expected").asDouble()).isEqualTo(j.expected[f]);
            }
        }
        // 3 devices × 40 readings, the first 2 of each fill the window.
        assertThat(scored).isEqualTo(114);
        assertThat(exceeding).as("the fixture has exceeding and normal readings").isBetween(1, scored - 1);
        assertThat(imputed).isPositive();
    }

    @Test
    void shouldAnswerEveryPathOfItsOpenApiDocument() throws Exception {
        ServeFixtures.write(dir.resolve("b"), ServeFixtures.dense(5, 1, 1.0, 0.8));
        ServeFixtures.Client client = start(dir.resolve("b"), ServeSettings.jobDefaults(BundlePolicy.OPEN));
        ServeFixtures.Client.Reply doc = client.get("/openapi.json");
        assertThat(doc.status()).isEqualTo(200);
        JsonNode api = doc.json();
        assertThat(api.get("openapi").asText()).startsWith("3.");
        String readings = ServeJson.MAPPER.writeValueAsString(body(ServeFixtures.readings(1, 1, 2, 0)));
        List<String> answered = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> paths = api.get("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> p = paths.next();
            Iterator<String> methods = p.getValue().fieldNames();
            while (methods.hasNext()) {
                String method = methods.next();
                ServeFixtures.Client.Reply r = switch (method) {
                    case "get" -> client.get(p.getKey());
                    case "post" -> client.post(p.getKey(), p.getKey().equals("/decode") ? "{\"latents\":[[0.1,-0.2]]}" : readings);
                    default -> throw new AssertionError("unexpected method " + method + " in the document");
                };
                assertThat(r.status()).as(method + " " + p.getKey() + ": " + r.body()).isEqualTo(200);
                answered.add(p.getKey());
            }
        }
        assertThat(answered).containsExactlyInAnyOrder("/anomaly_score", "/reconstruct", "/encode", "/decode", "/model", "/healthz",
                "/metrics", "/openapi.json");
    }

    @Test
    void shouldEncodeDecodeAndReconstructConsistentlyForDenseAndConvolutionalModels() throws Exception {
        for (AnomalyModel fixture : List.of(ServeFixtures.dense(7, 1, 1.0, 0.8), ServeFixtures.conv(9, 3, 0.8))) {
            Path b = dir.resolve(fixture.network().family());
            AnomalyModel m = ServeFixtures.write(b, fixture);
            ServeFixtures.Client client = start(b, ServeSettings.jobDefaults(BundlePolicy.OPEN));
            List<Map<String, Object>> readings = ServeFixtures.readings(2, 1, 5, 0); // nothing missing: no imputation
            JsonNode enc = client.post("/encode", body(readings)).json();
            JsonNode rec = client.post("/reconstruct", body(readings)).json();
            int latentSize = enc.get("latentSize").asInt();
            assertThat(latentSize).isEqualTo(m.network().family().equals("dense") ? 2 : 2 * 3);
            for (int i = m.window() - 1; i < readings.size(); i++) {
                JsonNode latent = enc.get("results").get(i).get("latent");
                assertThat(latent).hasSize(latentSize);
                JsonNode dec = client.post("/decode", "{\"latents\":[" + latent + "]}").json().get("results").get(0);
                assertThat(dec.get("window")).hasSize(m.window());
                JsonNode reconstruction = rec.get("results").get(i).get("reconstruction");
                for (String f : m.features()) {
                    // decode(encode(x)) is the network's reconstruction of x, in raw units.
                    assertThat(dec.get("values").get(f).asDouble()).as(f).isEqualTo(reconstruction.get(f).asDouble());
                }
                assertThat(rec.get("results").get(i).get("errors").get("flow").isNumber()).isTrue();
            }
            assertThat(enc.get("results").get(0).get("latent").isNull()).isEqualTo(m.window() > 1);
            server.close();
            server = null;
        }
    }

    @Test
    void shouldRefuseBadRequestsNamingTheOffendingField() throws Exception {
        ServeFixtures.write(dir.resolve("b"), ServeFixtures.dense(5, 1, 1.0, 0.8));
        ServeFixtures.Client client = start(dir.resolve("b"), settings(BundlePolicy.OPEN, 10, 4096, Duration.ZERO));
        record Case(String path, String body, int status, String field, String says) {}
        List<Case> cases = List.of(
                new Case("/anomaly_score", "{\"readings\":[{\"values\":{\"flow\":1}},{\"values\":{\"bogus\":2}}]}", 400,
                        "readings[1].values.bogus", "unknown feature 'bogus'"),
                new Case("/anomaly_score", "{\"readings\":[{\"values\":{\"flow\":\"high\"}}]}", 400, "readings[0].values.flow",
                        "not a number"),
                new Case("/reconstruct", "{\"readings\":[{\"values\":{}}]}", 400, "readings[0]", "usable value"),
                new Case("/encode", "{\"readings\":[{\"deviceId\":\"a\",\"time\":5,\"values\":{\"flow\":1}},"
                        + "{\"deviceId\":\"a\",\"time\":4,\"values\":{\"flow\":1}}]}", 400, "readings[1]", "time order"),
                new Case("/anomaly_score", "{\"readings\":[{\"time\":\"yesterday\",\"values\":{\"flow\":1}}]}", 400, "readings[0].time",
                        "ISO-8601"),
                new Case("/anomaly_score", "{\"readings\":[{\"value\":{\"flow\":1}}]}", 400, "readings[0].value", "unknown field"),
                new Case("/anomaly_score", "{\"rows\":[]}", 400, "rows", "unknown field"),
                new Case("/anomaly_score", "not json", 400, "", "not valid JSON"),
                new Case("/decode", "{\"latents\":[[1,2],[1,2,3]]}", 400, "latents[1]", "latent size is 2"),
                new Case("/decode", "{\"latents\":[[1,null]]}", 400, "latents[0][1]", "not a number"),
                new Case("/anomaly_score", "{\"readings\":[" + String.join(",", java.util.Collections.nCopies(11, "{\"values\":{\"flow\":1}}"))
                        + "]}", 400, "readings", "at most 10"),
                new Case("/anomaly_score", "{\"readings\":[{\"values\":{\"flow\":1" + " ".repeat(5000) + "}}]}", 413, "", "4096"));
        for (Case c : cases) {
            ServeFixtures.Client.Reply r = client.post(c.path(), c.body());
            assertThat(r.status()).as(c.toString() + " -> " + r.body()).isEqualTo(c.status());
            JsonNode e = r.json();
            assertThat(e.get("field").asText()).as(r.body()).isEqualTo(c.field());
            assertThat(e.get("error").asText()).contains(c.says());
        }
        // A body without a declared length is cut off at the limit too.
        ServeFixtures.Client.Reply chunked = client.postChunked("/anomaly_score",
                ("{\"readings\":[{\"values\":{\"flow\":1" + " ".repeat(5000) + "}}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(chunked.status()).as(chunked.body()).isEqualTo(413);
        assertThat(chunked.json().get("error").asText()).contains("exceeds 4096 bytes");
        String metrics = client.get("/metrics").body();
        assertThat(metrics).contains("anomaly_serve_requests_total{endpoint=\"/anomaly_score\",status=\"400\"} 7",
                "anomaly_serve_requests_total{endpoint=\"/anomaly_score\",status=\"413\"} 2",
                "anomaly_serve_request_errors_total{endpoint=\"/decode\",kind=\"client\"} 2");
    }

    @Test
    void shouldCountRequestsReadingsAndLatencyInPrometheusFormat() throws Exception {
        ServeFixtures.write(dir.resolve("b"), ServeFixtures.dense(5, 1, 1.0, 0.8));
        ServeFixtures.Client client = start(dir.resolve("b"), ServeSettings.jobDefaults(BundlePolicy.OPEN));
        for (int i = 0; i < 3; i++) {
            assertThat(client.post("/anomaly_score", body(ServeFixtures.readings(i, 2, 5, 0.1))).status()).isEqualTo(200);
        }
        assertThat(client.get("/healthz").status()).isEqualTo(200);
        ServeFixtures.Client.Reply r = client.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains(
                "# TYPE anomaly_serve_requests_total counter",
                "anomaly_serve_requests_total{endpoint=\"/anomaly_score\",status=\"200\"} 3",
                "anomaly_serve_items_total{endpoint=\"/anomaly_score\"} 30",
                "anomaly_serve_request_duration_seconds_count{endpoint=\"/anomaly_score\"} 3",
                "anomaly_serve_request_duration_seconds_bucket{endpoint=\"/anomaly_score\",le=\"+Inf\"} 3",
                "anomaly_serve_requests_total{endpoint=\"/healthz\",status=\"200\"} 1",
                "anomaly_serve_model_reload_failures_total 0");
        // Every sample line is "name{labels} value" or "name value" with a number.
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("#")) {
                assertThat(line).matches("[a-z_]+(\\{[^}]*\\})? -?[0-9.eE+-]+");
            }
        }
    }

    @Test
    void shouldReloadAChangedBundleAndKeepServingWhenTheNextOneIsRefused() throws Exception {
        Path b = dir.resolve("b");
        AnomalyModel v1 = ServeFixtures.write(b, ServeFixtures.dense(5, 1, 1.0, 0.8));
        ServeFixtures.Client client = start(b, settings(BundlePolicy.OPEN, 100, 1 << 20, Duration.ofMillis(100)));
        assertThat(client.get("/model").json().get("version").asText()).isEqualTo(v1.version());

        // A new model written over the bundle: served once the manifest changes.
        AnomalyModel v2 = ServeFixtures.write(b, ServeFixtures.dense(6, 1, 1.0, 0.9));
        JsonNode model = awaitModel(client, v2.version());
        assertThat(model.get("reload").get("reloads").asInt()).isEqualTo(1);
        assertThat(model.get("threshold").asDouble()).isEqualTo(0.9);

        // A tampered bundle: another model's manifest over these weights. Refused; v2 keeps serving.
        AnomalyModel v3 = ServeFixtures.write(dir.resolve("other"), ServeFixtures.dense(7, 1, 1.0, 1.0));
        Files.copy(dir.resolve("other").resolve("manifest.json"), b.resolve("manifest.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JsonNode refused = awaitRefused(client);
        assertThat(refused.get("version").asText()).isEqualTo(v2.version()).isNotEqualTo(v3.version());
        assertThat(refused.get("reload").get("lastError").asText()).contains("weights.json");
        assertThat(client.post("/anomaly_score", body(ServeFixtures.readings(1, 1, 1, 0))).json().get("modelVersion").asText())
                .isEqualTo(v2.version());
        assertThat(client.get("/metrics").body()).contains("anomaly_serve_model_reload_failures_total 1",
                "anomaly_serve_model_reload_refused 1", "anomaly_serve_model_info{version=\"" + v2.version() + "\"} 1");
    }

    @Test
    void shouldRefuseAnUnsignedBundleWhenAReleaseKeyIsRequired() throws Exception {
        KeyPair keys = BundleSignature.generate();
        BundleSignature.writeKeyPair(keys, dir.resolve("release.key"), dir.resolve("release.pub"));
        BundlePolicy policy = new BundlePolicy(Files.readString(dir.resolve("release.pub")), List.of());
        Path b = dir.resolve("b");
        AnomalyModel signed = ServeFixtures.write(b, ServeFixtures.dense(5, 1, 1.0, 0.8));
        BundleSignature.sign(b, keys.getPrivate());
        ServeFixtures.Client client = start(b, settings(policy, 100, 1 << 20, Duration.ofMillis(100)));
        assertThat(client.get("/model").json().get("signatureRequired").asBoolean()).isTrue();

        Files.delete(b.resolve(BundleSignature.FILE));
        ServeFixtures.write(b, ServeFixtures.dense(6, 1, 1.0, 0.9)); // a valid bundle, but not signed
        JsonNode refused = awaitRefused(client);
        assertThat(refused.get("version").asText()).isEqualTo(signed.version());
        assertThat(refused.get("reload").get("lastError").asText()).containsIgnoringCase("sig");
    }

    private static JsonNode awaitModel(ServeFixtures.Client client, String version) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        JsonNode m;
        do {
            m = client.get("/model").json();
            if (m.get("version").asText().equals(version)) {
                return m;
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("model " + version + " not served within 10 s: " + m);
    }

    private static JsonNode awaitRefused(ServeFixtures.Client client) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        JsonNode m;
        do {
            m = client.get("/model").json();
            if (m.get("reload").get("refused").asBoolean()) {
                return m;
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("no refused reload within 10 s: " + m);
    }
}
