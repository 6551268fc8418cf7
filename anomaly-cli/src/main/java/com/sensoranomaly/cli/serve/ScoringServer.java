package com.sensoranomaly.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;

import io.javalin.Javalin;
import io.javalin.http.Context;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The scoring service's HTTP API (Javalin on Jetty): JSON in and out, one handler per endpoint, all of them answering
 * from the model in force at the start of the request. Described in {@code openapi.json} (served at
 * {@code /openapi.json}); errors are {@code {"status", "error", "field"}} with 400 (the field named) or 413.
 */
public final class ScoringServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScoringServer.class);
    static final String JSON = "application/json";
    /** What a stateless service can say about the job's per-device calibration, in every scoring answer. */
    static final String SCORED_BY = "fleet-model";
    static final String CALIBRATION_NOTE = "Stateless: each device's readings in this request are scored as a new device's first"
            + " readings, by the bundle's fleet model against the bundle's threshold (the job's threshold policy applied), as the"
            + " job scores a device during its first calibration.events readings. The job later scores each device with a model"
            + " it fits to that device; this service cannot, having no device history. 'exceeds' is per reading; the job alerts"
            + " only when rule.k of rule.n readings exceed.";

    private final BundleWatcher watcher;
    private final ServeSettings settings;
    private final Javalin app;
    private final byte[] openApi;

    private ScoringServer(BundleWatcher watcher, ServeSettings settings, String host, int port) {
        this.watcher = watcher;
        this.settings = settings;
        this.openApi = resource("openapi.json");
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            // The body is read (and bounded) by the handlers themselves, so an oversized one gets our JSON 413.
            cfg.http.maxRequestSize = settings.maxBodyBytes() + 1;
            cfg.routes.post("/anomaly_score", ctx -> handle(ctx, "/anomaly_score", this::anomalyScore));
            cfg.routes.post("/reconstruct", ctx -> handle(ctx, "/reconstruct", this::reconstruct));
            cfg.routes.post("/encode", ctx -> handle(ctx, "/encode", this::encode));
            cfg.routes.post("/decode", ctx -> handle(ctx, "/decode", this::decode));
            cfg.routes.get("/model", ctx -> handle(ctx, "/model", (c, s) -> new Answer(model(s), 0)));
            cfg.routes.get("/healthz", ctx -> handle(ctx, "/healthz", (c, s) -> {
                ObjectNode o = ServeJson.MAPPER.createObjectNode();
                o.put("status", "ok");
                o.put("modelVersion", s.model().version());
                return new Answer(o, 0);
            }));
            cfg.routes.get("/metrics", ctx -> {
                ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
                ctx.result(watcher.metrics().render());
            });
            cfg.routes.get("/openapi.json", ctx -> {
                ctx.contentType(JSON);
                ctx.result(openApi);
            });
        });
        app.start();
    }

    /** Starts the service on {@code host:port} (port 0: any free port) over the bundle the watcher serves. */
    public static ScoringServer start(BundleWatcher watcher, ServeSettings settings, String host, int port) {
        return new ScoringServer(watcher, settings, host, port);
    }

    public int port() {
        return app.port();
    }

    BundleWatcher watcher() {
        return watcher;
    }

    @Override
    public void close() {
        app.stop();
        watcher.close();
    }

    /** An answer and how many items (readings, latent codes) it covered, for the metrics. */
    private record Answer(JsonNode body, int items) {}

    @FunctionalInterface
    private interface Endpoint {
        Answer answer(Context ctx, FleetScorer scorer) throws Exception;
    }

    private void handle(Context ctx, String endpoint, Endpoint e) {
        long start = System.nanoTime();
        int status = 200;
        int items = 0;
        JsonNode body;
        try {
            Answer a = e.answer(ctx, watcher.current().scorer());
            body = a.body();
            items = a.items();
        } catch (ApiError err) {
            status = err.status;
            body = ServeJson.error(err.status, err.field, err.getMessage());
        } catch (FleetScorer.Rejected r) {
            status = 400;
            String field = "readings[" + r.index() + "]";
            body = ServeJson.error(400, field, field + ": " + r.getMessage());
        } catch (Exception | LinkageError x) {
            status = 500;
            LOG.error("{} failed", endpoint, x);
            body = ServeJson.error(500, null, "internal error: " + x);
        }
        ctx.status(status);
        ctx.contentType(JSON);
        try {
            ctx.result(ServeJson.MAPPER.writeValueAsBytes(body));
        } catch (IOException x) {
            throw new IllegalStateException(x);
        }
        watcher.metrics().request(endpoint, status, System.nanoTime() - start, items);
    }

    /** The request body, read up to the configured limit. */
    private byte[] body(Context ctx) throws IOException {
        long limit = settings.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw new ApiError(413, "", "the body has " + declared + " bytes, at most " + limit + " are accepted");
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] b = in.readNBytes((int) limit + 1);
            if (b.length > limit) {
                throw new ApiError(413, "", "the body exceeds " + limit + " bytes");
            }
            return b;
        }
    }

    private List<FleetScorer.Result> scoreReadings(Context ctx, FleetScorer scorer) throws IOException {
        List<FleetScorer.Input> in = ServeJson.readings(ServeJson.parse(body(ctx)), scorer.model(), settings.maxBatch());
        return scorer.score(in);
    }

    private Answer anomalyScore(Context ctx, FleetScorer scorer) throws IOException {
        List<FleetScorer.Result> results = scoreReadings(ctx, scorer);
        ObjectNode o = ServeJson.head(scorer);
        o.put("scoredBy", SCORED_BY);
        o.put("calibration", CALIBRATION_NOTE);
        ArrayNode a = o.putArray("results");
        for (FleetScorer.Result r : results) {
            a.add(ServeJson.score(scorer, r, settings.topFeatures()));
        }
        return new Answer(o, results.size());
    }

    private Answer reconstruct(Context ctx, FleetScorer scorer) throws IOException {
        List<FleetScorer.Result> results = scoreReadings(ctx, scorer);
        ObjectNode o = ServeJson.head(scorer);
        o.put("scoredBy", SCORED_BY);
        ArrayNode a = o.putArray("results");
        for (FleetScorer.Result r : results) {
            a.add(ServeJson.reconstruction(scorer, r));
        }
        return new Answer(o, results.size());
    }

    private static Autoencoder split(FleetScorer scorer) {
        return scorer.model().network();
    }

    private Answer encode(Context ctx, FleetScorer scorer) throws IOException {
        Autoencoder net = split(scorer);
        List<FleetScorer.Result> results = scoreReadings(ctx, scorer);
        ObjectNode o = ServeJson.head(scorer);
        o.put("latentSize", net.latentSize());
        ArrayNode a = o.putArray("results");
        for (FleetScorer.Result r : results) {
            a.add(ServeJson.encoding(scorer, r));
        }
        return new Answer(o, results.size());
    }

    private Answer decode(Context ctx, FleetScorer scorer) throws IOException {
        Autoencoder net = split(scorer);
        List<double[]> latents = ServeJson.latents(ServeJson.parse(body(ctx)), net.latentSize(), settings.maxBatch());
        ObjectNode o = ServeJson.head(scorer);
        ArrayNode a = o.putArray("results");
        for (double[] z : latents) {
            a.add(ServeJson.decoded(scorer.model(), net.decode(z)));
        }
        return new Answer(o, latents.size());
    }

    private ObjectNode model(FleetScorer scorer) {
        AnomalyModel m = scorer.model();
        BundleWatcher.Loaded loaded = watcher.current();
        ObjectNode o = ServeJson.MAPPER.createObjectNode();
        o.put("version", m.version());
        o.put("location", watcher.location());
        o.put("loadedAt", loaded.loadedAt().toString());
        o.put("family", m.network().family());
        ArrayNode f = o.putArray("features");
        m.features().forEach(f::add);
        o.put("window", m.window());
        try {
            o.put("latentSize", m.network().latentSize());
        } catch (IllegalStateException e) {
            o.putNull("latentSize");
        }
        o.put("parameters", m.network().parameterCount());
        o.put("smoothing", m.smoothing());
        o.put("bundleThreshold", m.threshold());
        o.put("threshold", scorer.detector().globalThreshold());
        o.put("thresholdQuantile", m.thresholdQuantile());
        ObjectNode imp = o.putObject("imputation");
        imp.put("strategy", settings.imputation().strategy().name().toLowerCase(java.util.Locale.ROOT));
        imp.put("maxAge", settings.imputation().maxAge().toString());
        imp.put("rounds", settings.imputation().rounds());
        o.put("signatureRequired", settings.policy().publicKeyPem() != null);
        o.put("scoredBy", SCORED_BY);
        o.put("calibration", CALIBRATION_NOTE);
        ObjectNode limits = o.putObject("limits");
        limits.put("maxBatch", settings.maxBatch());
        limits.put("maxBodyBytes", settings.maxBodyBytes());
        BundleWatcher.Status s = watcher.status();
        ObjectNode reload = o.putObject("reload");
        reload.put("poll", settings.poll().toString());
        reload.put("lastCheck", s.lastCheck().toString());
        reload.put("reloads", s.reloads());
        reload.put("failures", s.failures());
        reload.put("refused", s.refusedManifest() != null);
        if (s.lastError() != null) {
            reload.put("lastError", s.lastError());
            reload.put("lastErrorAt", s.lastErrorAt().toString());
        }
        return o;
    }

    private static byte[] resource(String name) {
        try (InputStream in = ScoringServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
