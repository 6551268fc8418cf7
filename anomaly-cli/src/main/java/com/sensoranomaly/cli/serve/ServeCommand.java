package com.sensoranomaly.cli.serve;

import com.sensoranomaly.cli.Durations;
import com.sensoranomaly.cli.StopOnSignal;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code serve}: the job's scorer behind an HTTP JSON API (encode, decode, reconstruct, anomaly_score, model, healthz,
 * metrics, openapi.json), reloading the bundle when it changes. Runs until Ctrl-C.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a model bundle over HTTP with the job's scorer: POST /anomaly_score, /reconstruct, /encode, /decode; GET /model, /healthz, /metrics (Prometheus), /openapi.json.",
                "Stateless: it gives the fleet model's score against the bundle's threshold, as the job does for a device's first calibration.events readings. Reloads the bundle when its manifest changes, verified as the job verifies a bundle; a refused bundle leaves the old model serving. Ctrl-C stops."})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--bundle", required = true, paramLabel = "LOCATION", description = "the model bundle: a directory, file://..., or any file system Flink reads")
    String bundle;

    @Option(names = "--port", description = "port to listen on (0: any free port) [default: ${DEFAULT-VALUE}]")
    int port = 8080;

    @Option(names = "--host", description = "address to listen on (0.0.0.0: every interface) [default: ${DEFAULT-VALUE}]")
    String host = "127.0.0.1";

    @Mixin
    ScoringOptions scoring;

    @Option(names = "--poll", paramLabel = "DURATION", description = "how often the bundle's manifest is checked for a new model; 0 never [default: ${DEFAULT-VALUE}]")
    String poll = "5s";

    @Option(names = "--max-batch", description = "most readings or latent codes per request (more: 400) [default: ${DEFAULT-VALUE}]")
    int maxBatch = ServeSettings.DEFAULT_MAX_BATCH;

    @Option(names = "--max-body", paramLabel = "BYTES", description = "largest request body in bytes (more: 413) [default: ${DEFAULT-VALUE}]")
    long maxBody = ServeSettings.DEFAULT_MAX_BODY_BYTES;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut();
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(cl, "--port must be within 0..65535: " + port);
        }
        Duration every = Durations.parse(cl, "--poll", poll);
        ServeSettings s = scoring.settings(cl, maxBatch, maxBody, every);
        BundleWatcher watcher = new BundleWatcher(bundle, s);
        watcher.onEvent(e -> {
            synchronized (out) {
                out.println(java.time.LocalTime.now().withNano(0) + " " + e);
                out.flush();
            }
        });
        ScoringServer started;
        try {
            started = ScoringServer.start(watcher, s, host, port);
        } catch (RuntimeException e) {
            watcher.close();
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new java.io.IOException("cannot listen on " + host + ":" + port + ": " + root.getMessage(), e);
        }
        try (StopOnSignal stop = StopOnSignal.install(Duration.ofSeconds(5)); ScoringServer server = started) {
            var m = watcher.current().scorer().model();
            out.printf("serving model %s (%s, window %d, features %s, threshold %.4g) from %s%n", m.version(), m.network().family(),
                    m.window(), String.join(", ", m.features()), watcher.current().scorer().detector().globalThreshold(), bundle);
            out.printf("listening on http://%s:%d (POST /anomaly_score /reconstruct /encode /decode; GET /model /healthz /metrics /openapi.json); Ctrl-C stops%n",
                    host, server.port());
            out.flush();
            while (!stop.requested()) {
                Thread.sleep(200);
            }
            out.println("stopped");
        }
        return 0;
    }
}
