package com.sensoranomaly.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.Conv1DLayer;
import com.sensoranomaly.model.DenseLayer;
import com.sensoranomaly.model.ErrorStats;
import com.sensoranomaly.model.FeatureScaler;
import com.sensoranomaly.model.FeatureStats;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.model.NetworkLayer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Bundles with small nonlinear networks, and an HTTP client, for the scoring service's tests. */
final class ServeFixtures {
    static final List<String> FEATURES = List.of("flow", "pressure", "current", "temperature");

    private ServeFixtures() {}

    private static double[] gaussian(Random rnd, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian() * scale;
        }
        return v;
    }

    /**
     * A dense autoencoder (F·W → 8 → 2 → 8 → F·W, tanh then linear) with seeded random weights over the four features,
     * scaled from pump-like units; {@code smoothing} as a trained model would carry it.
     */
    static AnomalyModel dense(long seed, int window, double smoothing, double threshold) {
        Random rnd = new Random(seed);
        int d = FEATURES.size() * window;
        List<NetworkLayer> layers = List.of(
                new DenseLayer(d, 8, gaussian(rnd, d * 8, 0.5), gaussian(rnd, 8, 0.1), Activation.TANH),
                new DenseLayer(8, 2, gaussian(rnd, 16, 0.5), gaussian(rnd, 2, 0.1), Activation.TANH),
                new DenseLayer(2, 8, gaussian(rnd, 16, 0.5), gaussian(rnd, 8, 0.1), Activation.TANH),
                new DenseLayer(8, d, gaussian(rnd, 8 * d, 0.5), gaussian(rnd, d, 0.1), Activation.IDENTITY));
        return model(new Autoencoder(layers), window, smoothing, threshold);
    }

    /** A conv1d autoencoder over a window of {@code window}: 4 channels → 2 → 4, kernel 3. */
    static AnomalyModel conv(long seed, int window, double threshold) {
        Random rnd = new Random(seed);
        List<NetworkLayer> layers = List.of(
                new Conv1DLayer(window, 4, 2, 3, gaussian(rnd, 2 * 4 * 3, 0.4), gaussian(rnd, 2, 0.1), Activation.TANH),
                new Conv1DLayer(window, 2, 4, 3, gaussian(rnd, 4 * 2 * 3, 0.4), gaussian(rnd, 4, 0.1), Activation.IDENTITY));
        return model(new Autoencoder(layers), window, 1.0, threshold);
    }

    private static AnomalyModel model(Autoencoder net, int window, double smoothing, double threshold) {
        double[] mean = {12.0, 3.1, 5.2, 66.0};
        double[] std = {1.5, 0.2, 0.4, 2.5};
        double[] min = {8.0, 2.5, 4.0, 60.0};
        double[] max = {16.0, 3.7, 6.5, 72.0};
        FeatureScaler scaler = new FeatureScaler(FeatureScaler.Kind.STANDARD, mean, std);
        return new AnomalyModel("unversioned", FEATURES, window, scaler, new FeatureStats(mean, std, mean, min, max), net,
                threshold, 0.999, ErrorStats.of(new double[] {0.2, 0.3, 0.25, 0.4}), new double[] {0.3, 0.2, 0.25, 0.1}, smoothing);
    }

    /** Writes the bundle (as `train` writes one) and returns its model with the content version. */
    static AnomalyModel write(Path dir, AnomalyModel m) throws IOException {
        return ModelBundle.write(dir, m, Map.of("training", Map.of("note", "test fixture")), Instant.EPOCH);
    }

    /** Pump-like readings of {@code devices} devices, interleaved, 1 s apart, with some values missing (null). */
    static List<Map<String, Object>> readings(long seed, int devices, int perDevice, double missingRate) {
        Random rnd = new Random(seed);
        double[] mean = {12.0, 3.1, 5.2, 66.0};
        double[] std = {1.5, 0.2, 0.4, 2.5};
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < perDevice; i++) {
            for (int d = 0; d < devices; d++) {
                Map<String, Object> values = new java.util.LinkedHashMap<>();
                boolean any = false;
                for (int j = 0; j < FEATURES.size(); j++) {
                    boolean missing = rnd.nextDouble() < missingRate && (any || j < FEATURES.size() - 1);
                    // Every 7th reading of a device drifts: scores that exceed as well as ones that do not.
                    double shift = i % 7 == 6 ? 4 * std[j] : 0;
                    values.put(FEATURES.get(j), missing ? null : mean[j] + shift + std[j] * rnd.nextGaussian());
                    any |= !missing;
                }
                Map<String, Object> r = new java.util.LinkedHashMap<>();
                r.put("deviceId", "pump-" + d);
                r.put("time", 1_764_547_200_000L + i * 1000L);
                r.put("values", values);
                out.add(r);
            }
        }
        return out;
    }

    /** A minimal HTTP client of the service. */
    static final class Client {
        private final HttpClient http = HttpClient.newHttpClient();
        private final String base;

        Client(int port) {
            this.base = "http://127.0.0.1:" + port;
        }

        record Reply(int status, String body) {
            JsonNode json() throws IOException {
                return ServeJson.MAPPER.readTree(body);
            }
        }

        Reply get(String path) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        }

        Reply post(String path, String json) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        }

        /** Posts without a Content-Length (chunked), so the server learns the size only by reading. */
        Reply postChunked(String path, byte[] body) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        }

        Reply post(String path, Object body) throws Exception {
            return post(path, ServeJson.MAPPER.writeValueAsString(body));
        }
    }
}
