package com.sensoranomaly.cli.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sensoranomaly.cli.CliRun;
import com.sensoranomaly.cli.serve.BundleWatcher;
import com.sensoranomaly.cli.serve.ScoringServer;
import com.sensoranomaly.cli.serve.ServeSettings;
import com.sensoranomaly.job.bundle.BundlePolicy;
import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.DenseLayer;
import com.sensoranomaly.model.ErrorStats;
import com.sensoranomaly.model.FeatureScaler;
import com.sensoranomaly.model.FeatureStats;
import com.sensoranomaly.model.ModelBundle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code score} end to end: run the command on CSV history, read its output, compare with the service's answers. */
class ScoreCommandITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** A nonlinear 3 → 5 → 2 → 5 → 3 autoencoder with seeded weights over a, b, c, window 2. */
    private AnomalyModel bundle(Path at) throws Exception {
        Random rnd = new Random(42);
        int[] sizes = {6, 5, 2, 5, 6};
        List<DenseLayer> layers = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            double[] w = new double[sizes[i] * sizes[i + 1]];
            double[] b = new double[sizes[i + 1]];
            for (int k = 0; k < w.length; k++) {
                w[k] = rnd.nextGaussian() * 0.5;
            }
            layers.add(new DenseLayer(sizes[i], sizes[i + 1], w, b, i + 2 == sizes.length ? Activation.IDENTITY : Activation.TANH));
        }
        double[] mean = {10, 20, 30};
        double[] std = {1, 2, 3};
        return ModelBundle.write(at, new AnomalyModel("unversioned", List.of("a", "b", "c"), 2,
                new FeatureScaler(FeatureScaler.Kind.STANDARD, mean, std), new FeatureStats(mean, std, mean, new double[] {5, 10, 15},
                new double[] {15, 30, 45}), new Autoencoder(layers), 0.7, 0.99, ErrorStats.of(new double[] {0.1, 0.2}),
                new double[] {0.2, 0.2, 0.2}), Map.of(), Instant.EPOCH);
    }

    @Test
    void shouldWriteOneRowPerInputRowWithTheServicesScoresReconstructionsAndLatentCodes() throws Exception {
        AnomalyModel m = bundle(dir.resolve("bundle"));
        Random rnd = new Random(1);
        StringBuilder csv = new StringBuilder("datetime,a,b,c,anomaly\n");
        int rows = 60;
        for (int i = 0; i < rows; i++) {
            // Row 30 repeats row 29's time: the job would dead-letter it as out of order.
            long t = 1_764_547_200_000L + (i == 30 ? 29 : i) * 1000L;
            String a = i % 9 == 4 ? "" : String.format(Locale.ROOT, "%.3f", 10 + rnd.nextGaussian() * (i > 45 ? 4 : 1));
            csv.append(Instant.ofEpochMilli(t)).append(',').append(a).append(',')
                    .append(String.format(Locale.ROOT, "%.3f", 20 + rnd.nextGaussian() * 2)).append(',')
                    .append(String.format(Locale.ROOT, "%.3f", 30 + rnd.nextGaussian() * 3)).append(",0\n");
        }
        Path input = dir.resolve("site").resolve("pump.csv");
        Files.createDirectories(input.getParent());
        Files.writeString(input, csv);
        Path output = dir.resolve("scores.csv");

        CliRun r = run("score", "--bundle", dir.resolve("bundle").toString(), "--input", input.toString(), "--output", output.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("scored 60 rows from 1 file(s) with model " + m.version(), "1 filling the window", "1 rejected");

        List<String> lines = Files.readAllLines(output);
        assertThat(lines).hasSize(rows + 1);
        assertThat(lines.get(0)).isEqualTo("device,time,score,threshold,exceeds,imputed,rejected,reconstructed_a,reconstructed_b,"
                + "reconstructed_c,latent_0,latent_1");
        List<String[]> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertThat(cells).hasSize(12);
            out.add(cells);
        }
        assertThat(out.get(0)[2]).as("the first row fills the window of 2").isEmpty();
        assertThat(out.get(30)[6]).contains("time order");
        assertThat(out.get(4)[5]).isEqualTo("a");

        // The same rows, less the rejected one, scored by the service over HTTP.
        ServeSettings settings = ServeSettings.jobDefaults(BundlePolicy.OPEN);
        try (ScoringServer server = ScoringServer.start(new BundleWatcher(dir.resolve("bundle").toString(), settings), settings,
                "127.0.0.1", 0)) {
            List<Map<String, Object>> readings = new ArrayList<>();
            List<String> csvLines = csv.toString().lines().skip(1).toList();
            for (int i = 0; i < rows; i++) {
                if (i == 30) {
                    continue;
                }
                String[] c = csvLines.get(i).split(",", -1);
                Map<String, Object> values = new java.util.HashMap<>();
                values.put("a", c[1].isEmpty() ? null : Double.parseDouble(c[1]));
                values.put("b", Double.parseDouble(c[2]));
                values.put("c", Double.parseDouble(c[3]));
                readings.add(Map.of("deviceId", "site-pump", "time", c[0], "values", values));
            }
            String body = JSON.writeValueAsString(Map.of("readings", readings));
            JsonNode scores = post(server.port(), "/anomaly_score", body).get("results");
            JsonNode recon = post(server.port(), "/reconstruct", body).get("results");
            JsonNode enc = post(server.port(), "/encode", body).get("results");
            int exceeding = 0;
            for (int i = 0, k = 0; i < rows; i++) {
                if (i == 30) {
                    continue;
                }
                String[] cells = out.get(i);
                JsonNode s = scores.get(k);
                assertThat(cells[0]).isEqualTo("site-pump");
                assertThat(cells[3]).isEqualTo(Double.toString(s.get("threshold").asDouble()));
                if (s.get("warmingUp").asBoolean()) {
                    assertThat(cells[2]).isEmpty();
                } else {
                    assertThat(Double.parseDouble(cells[2])).as("row %d", i).isEqualTo(s.get("score").asDouble());
                    assertThat(Boolean.parseBoolean(cells[4])).isEqualTo(s.get("exceeds").asBoolean());
                    exceeding += s.get("exceeds").asBoolean() ? 1 : 0;
                    List<String> features = List.of("a", "b", "c");
                    for (int j = 0; j < 3; j++) {
                        assertThat(Double.parseDouble(cells[7 + j])).isEqualTo(recon.get(k).get("reconstruction").get(features.get(j)).asDouble());
                    }
                    for (int z = 0; z < 2; z++) {
                        assertThat(Double.parseDouble(cells[10 + z])).isEqualTo(enc.get(k).get("latent").get(z).asDouble());
                    }
                }
                k++;
            }
            assertThat(exceeding).as("rows after 45 are noisier: some exceed").isPositive();
        }
    }

    @Test
    void shouldEndBadFlagsAndFilesWithOneLineNamingTheProblem() throws Exception {
        bundle(dir.resolve("bundle"));
        Path input = dir.resolve("pump.csv");
        Files.writeString(input, "datetime,a,b\n2026-12-01 00:00:00,1,2\n");
        String b = dir.resolve("bundle").toString();

        CliRun missing = run("score", "--bundle", b, "--input", input.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--output").doesNotContain("\n");

        CliRun noColumn = run("score", "--bundle", b, "--input", input.toString(), "--output", dir.resolve("o.csv").toString());
        assertThat(noColumn.code()).isEqualTo(1);
        assertThat(noColumn.err()).startsWith("score: ").contains("c").doesNotContain("\n");

        CliRun noFile = run("score", "--bundle", b, "--input", dir.resolve("nope.csv").toString(), "--output", dir.resolve("o.csv").toString());
        assertThat(noFile.code()).isEqualTo(1);
        assertThat(noFile.err()).contains("nope.csv").doesNotContain("\n");

        CliRun noBundle = run("score", "--bundle", dir.resolve("none").toString(), "--input", input.toString(), "--output",
                dir.resolve("o.csv").toString());
        assertThat(noBundle.code()).isEqualTo(1);
        assertThat(noBundle.err()).contains("none").doesNotContain("\n");

        CliRun badImpute = run("score", "--bundle", b, "--input", input.toString(), "--output", dir.resolve("o.csv").toString(),
                "--impute.strategy", "median");
        assertThat(badImpute.code()).isEqualTo(2);
        assertThat(badImpute.err()).contains("median");
    }

    private static JsonNode post(int port, String path, String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
