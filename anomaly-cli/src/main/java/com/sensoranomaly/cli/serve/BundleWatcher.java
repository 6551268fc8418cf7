package com.sensoranomaly.cli.serve;

import com.sensoranomaly.job.bundle.BundleLoader;
import com.sensoranomaly.job.scoring.Detector;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.ModelBundle;

import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The model the service scores with, and its hot reload. Every {@code poll} the bundle's {@code manifest.json} is read;
 * when its bytes differ from the last ones tried, the bundle is loaded and verified exactly as the job loads a submitted
 * bundle ({@link BundleLoader#load}: every checksum, the signature when a release key is configured, a sane threshold).
 * A bundle that verifies replaces the model in force at once (requests already running finish on the old one); one
 * that does not is refused, logged and shown in {@code /model} and {@code /metrics}, and the old model keeps serving.
 * A refused manifest is tried again every {@link #RETRY_REFUSED_EVERY} polls, in case its files were still being
 * copied.
 */
public final class BundleWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BundleWatcher.class);
    static final int RETRY_REFUSED_EVERY = 10;
    private static final int MAX_MANIFEST_BYTES = 4 << 20;

    /** The model in force with where and when it came from. */
    record Loaded(FleetScorer scorer, String manifestSha256, Instant loadedAt) {}

    /** What the last reload attempt found. */
    record Status(Instant lastCheck, String lastError, Instant lastErrorAt, String refusedManifest, long reloads, long failures) {}

    private final String location;
    private final ServeSettings settings;
    private final ServeMetrics metrics;
    private final ScheduledExecutorService poller;
    private volatile Loaded current;
    private volatile Status status;
    private String lastTried;
    private volatile java.util.function.Consumer<String> events = e -> {};
    private int pollsSinceRefused;

    /** Loads the bundle at {@code location}; throws (a BundleException naming the problem) if it does not verify. */
    public BundleWatcher(String location, ServeSettings settings) {
        this.location = location;
        this.settings = settings;
        String sha = manifestSha256();
        this.current = load(sha);
        this.lastTried = sha;
        this.status = new Status(Instant.now(), null, null, null, 0, 0);
        this.metrics = new ServeMetrics(() -> current.scorer().model().version(), () -> status.refusedManifest() != null);
        metrics.modelLoaded(current.loadedAt().toEpochMilli());
        if (settings.poll().isZero()) {
            poller = null;
        } else {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "bundle-watcher");
                t.setDaemon(true);
                return t;
            });
            long ms = settings.poll().toMillis();
            poller.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Also tells reloads and refusals to {@code listener} (besides the log), e.g. the console of {@code serve}. */
    public void onEvent(java.util.function.Consumer<String> listener) {
        this.events = listener;
    }

    Loaded current() {
        return current;
    }

    Status status() {
        return status;
    }

    ServeMetrics metrics() {
        return metrics;
    }

    String location() {
        return location;
    }

    /** One poll: reload if the manifest changed. Also callable directly (tests, a manual trigger). */
    synchronized void check() {
        Instant now = Instant.now();
        Status s = status;
        String sha;
        try {
            sha = manifestSha256();
        } catch (RuntimeException e) {
            lastTried = null; // whatever comes back is looked at afresh
            refuse(now, s, null, "cannot read the manifest: " + e.getMessage());
            return;
        }
        boolean retry = s.refusedManifest() != null && sha.equals(s.refusedManifest()) && ++pollsSinceRefused >= RETRY_REFUSED_EVERY;
        if (sha.equals(lastTried) && !retry) {
            status = new Status(now, s.lastError(), s.lastErrorAt(), s.refusedManifest(), s.reloads(), s.failures());
            return;
        }
        lastTried = sha;
        pollsSinceRefused = 0;
        if (sha.equals(current.manifestSha256())) {
            // Back to the bundle in force (e.g. a refused change was undone): nothing to load.
            status = new Status(now, s.lastError(), s.lastErrorAt(), null, s.reloads(), s.failures());
            return;
        }
        try {
            Loaded next = load(sha);
            String from = current.scorer().model().version();
            current = next;
            metrics.reloads.increment();
            metrics.modelLoaded(next.loadedAt().toEpochMilli());
            status = new Status(now, s.lastError(), s.lastErrorAt(), null, s.reloads() + 1, s.failures());
            String msg = "model bundle " + location + " changed: now serving model " + next.scorer().model().version() + " (was " + from + ")";
            LOG.info(msg);
            events.accept(msg);
        } catch (RuntimeException e) {
            refuse(now, s, sha, e.getMessage());
        }
    }

    private void refuse(Instant now, Status s, String sha, String why) {
        metrics.reloadFailures.increment();
        status = new Status(now, why, now, sha == null ? "(unreadable)" : sha, s.reloads(), s.failures() + 1);
        String msg = "model bundle " + location + " changed but is refused, model " + current.scorer().model().version()
                + " keeps serving: " + why;
        LOG.warn(msg);
        events.accept(msg);
    }

    private Loaded load(String sha) {
        AnomalyModel m = BundleLoader.load(location, settings.policy());
        Detector d = Detector.create(m, settings.detectorSettings());
        return new Loaded(new FleetScorer(d, settings.rangeFactor()), sha, Instant.now());
    }

    /** The sha256 of the bundle's manifest (read through Flink's file systems, as the job reads bundles). */
    private String manifestSha256() {
        Path p = new Path(new Path(location), ModelBundle.MANIFEST);
        try (FSDataInputStream in = p.getFileSystem().open(p)) {
            byte[] bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
            if (bytes.length > MAX_MANIFEST_BYTES) {
                throw new com.sensoranomaly.model.BundleException("model bundle " + location + ": manifest larger than " + MAX_MANIFEST_BYTES + " bytes");
            }
            return ModelBundle.sha256(bytes);
        } catch (IOException e) {
            throw new com.sensoranomaly.model.BundleException("model bundle " + location + ": cannot read " + p + ": " + e);
        }
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    Duration poll() {
        return settings.poll();
    }
}
