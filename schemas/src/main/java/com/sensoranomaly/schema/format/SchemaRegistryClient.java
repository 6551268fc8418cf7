package com.sensoranomaly.schema.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client of the Confluent-compatible schema registry REST API (Confluent, Apicurio's {@code /apis/ccompat/v7},
 * Karapace, Redpanda): fetches writer schemas by id, cached for good (an id never changes its schema), and registers
 * the job's output schemas. Thread-safe.
 *
 * <p>Two kinds of failure are kept apart because they call for opposite handling: the registry answering that an
 * id does not exist or a schema is refused ({@link RegistryRefusal}: the record or the setup is wrong, a dead letter or
 * a clear error) and the registry being unreachable or failing ({@link RegistryUnavailable}, after retrying within
 * {@code patience}: nothing is wrong with the record, so it must not be dead-lettered; the caller fails and is retried).
 */
public final class SchemaRegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final RegistryConfig config;
    private final HttpClient http;
    private final Duration patience;
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private final Map<String, Integer> registered = new ConcurrentHashMap<>();

    /** The registry answered, and said no: an unknown id, an unparseable schema, a refused registration. */
    public static final class RegistryRefusal extends IOException {
        public RegistryRefusal(String message) {
            super(message);
        }
    }

    /** The registry could not be reached or failed (5xx, 429, timeouts) for longer than the client's patience. */
    public static final class RegistryUnavailable extends IOException {
        public RegistryUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public SchemaRegistryClient(RegistryConfig config) {
        this(config, Duration.ofSeconds(60));
    }

    public SchemaRegistryClient(RegistryConfig config, Duration patience) {
        this.config = config;
        this.patience = patience;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (config.truststore() != null && !config.truststore().isEmpty()) {
            b.sslContext(sslContext(config));
        }
        this.http = b.build();
    }

    public RegistryConfig config() {
        return config;
    }

    /** The schema registered under {@code id}. */
    public Schema schemaById(int id) throws IOException {
        Schema cached = byId.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode body = call(HttpRequest.newBuilder(uri("/schemas/ids/" + id)).GET(), "schema id " + id);
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw new RegistryRefusal("schema id " + id + " is a " + type + " schema, not Avro");
        }
        Schema schema;
        try {
            schema = new Schema.Parser().setValidateDefaults(false).parse(body.path("schema").asText());
        } catch (SchemaParseException e) {
            throw new RegistryRefusal("schema id " + id + " is not a valid Avro schema: " + e.getMessage());
        }
        byId.putIfAbsent(id, schema);
        return schema;
    }

    /**
     * Registers {@code schema} under {@code subject} (or finds it registered already) and returns its id. Registration is
     * idempotent on every compatible registry, so each writer may call it when it starts.
     */
    public int register(String subject, Schema schema) throws IOException {
        String key = subject + "\u0000" + schema;
        Integer known = registered.get(key);
        if (known != null) {
            return known;
        }
        String body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
        JsonNode answer = call(HttpRequest.newBuilder(uri("/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions"))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)), "registering " + schema.getFullName() + " under subject " + subject);
        if (!answer.path("id").canConvertToInt()) {
            throw new RegistryRefusal("registry answered without an id when registering under subject " + subject + ": " + answer);
        }
        int id = answer.path("id").asInt();
        registered.put(key, id);
        byId.putIfAbsent(id, schema);
        return id;
    }

    private URI uri(String path) {
        return URI.create(config.url() + path);
    }

    private JsonNode call(HttpRequest.Builder request, String what) throws IOException {
        request.timeout(Duration.ofSeconds(30)).header("Accept", CONTENT_TYPE + ", application/json");
        config.credentials().ifPresent(c ->
                request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(c.getBytes(StandardCharsets.UTF_8))));
        HttpRequest built = request.build();
        long deadline = System.nanoTime() + patience.toNanos();
        long backoffMs = 200;
        Exception last = null;
        while (true) {
            try {
                HttpResponse<String> r = http.send(built, HttpResponse.BodyHandlers.ofString());
                int status = r.statusCode();
                if (status / 100 == 2) {
                    return JSON.readTree(r.body());
                }
                if (status != 429 && status / 100 == 4) {
                    throw new RegistryRefusal(what + ": registry " + config.url() + " answered " + status + " " + errorOf(r.body()));
                }
                last = new IOException("HTTP " + status + " " + errorOf(r.body()));
            } catch (RegistryRefusal e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailable(what + ": interrupted", e);
            } catch (IOException e) {
                last = e;
            }
            if (System.nanoTime() + backoffMs * 1_000_000L > deadline) {
                throw new RegistryUnavailable(what + ": registry " + config.url() + " unavailable for " + patience.toSeconds()
                        + " s: " + last, last);
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailable(what + ": interrupted", e);
            }
            backoffMs = Math.min(backoffMs * 2, 5_000);
        }
    }

    private static String errorOf(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n.has("error_code") || n.has("message")) {
                return "(error " + n.path("error_code").asText("?") + ": " + n.path("message").asText("") + ")";
            }
        } catch (IOException ignored) {
            // not JSON: show its start
        }
        return body == null ? "" : body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

    private static SSLContext sslContext(RegistryConfig config) {
        try (InputStream in = Files.newInputStream(Path.of(config.truststore()))) {
            KeyStore ks = KeyStore.getInstance(config.truststoreType() == null || config.truststoreType().isEmpty()
                    ? KeyStore.getDefaultType() : config.truststoreType());
            ks.load(in, config.truststorePassword() == null ? null : config.truststorePassword().toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the schema registry trust store " + config.truststore() + ": " + e.getMessage(), e);
        }
    }
}
