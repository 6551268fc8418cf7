package com.sensoranomaly.cli.serve;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The service's metrics in Prometheus' text exposition format (version 0.0.4): requests by endpoint and status,
 * latency histograms by endpoint, readings handled, errors, and the model in force with its reloads.
 */
final class ServeMetrics {
    /** Latency bucket bounds, seconds. */
    private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> items = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final LongAdder reloads = new LongAdder();
    final LongAdder reloadFailures = new LongAdder();
    private final AtomicLong loadedAtMillis = new AtomicLong();
    private final Supplier<String> version;
    private final Supplier<Boolean> lastReloadRefused;

    ServeMetrics(Supplier<String> version, Supplier<Boolean> lastReloadRefused) {
        this.version = version;
        this.lastReloadRefused = lastReloadRefused;
    }

    void modelLoaded(long atMillis) {
        loadedAtMillis.set(atMillis);
    }

    /** One answered request. */
    void request(String endpoint, int status, long nanos, int itemCount) {
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
        latency.computeIfAbsent(endpoint, k -> new Histogram()).observe(nanos / 1e9);
        if (itemCount > 0) {
            items.computeIfAbsent(endpoint, k -> new LongAdder()).add(itemCount);
        }
        if (status >= 400) {
            errors.computeIfAbsent(endpoint + "\u0000" + (status >= 500 ? "server" : "client"), k -> new LongAdder()).increment();
        }
    }

    String render() {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("# HELP anomaly_serve_requests_total HTTP requests answered, by endpoint and status.\n");
        sb.append("# TYPE anomaly_serve_requests_total counter\n");
        new TreeMap<>(requests).forEach((k, v) -> {
            String[] p = k.split("\u0000");
            sb.append("anomaly_serve_requests_total{endpoint=\"").append(p[0]).append("\",status=\"").append(p[1]).append("\"} ")
                    .append(v.sum()).append('\n');
        });
        sb.append("# HELP anomaly_serve_request_errors_total Requests answered with an error, by endpoint and kind (client: 4xx, server: 5xx).\n");
        sb.append("# TYPE anomaly_serve_request_errors_total counter\n");
        new TreeMap<>(errors).forEach((k, v) -> {
            String[] p = k.split("\u0000");
            sb.append("anomaly_serve_request_errors_total{endpoint=\"").append(p[0]).append("\",kind=\"").append(p[1]).append("\"} ")
                    .append(v.sum()).append('\n');
        });
        sb.append("# HELP anomaly_serve_request_duration_seconds Time to answer a request, by endpoint.\n");
        sb.append("# TYPE anomaly_serve_request_duration_seconds histogram\n");
        new TreeMap<>(latency).forEach((endpoint, h) -> h.render(sb, "anomaly_serve_request_duration_seconds", endpoint));
        sb.append("# HELP anomaly_serve_items_total Readings (or latent codes) handled, by endpoint.\n");
        sb.append("# TYPE anomaly_serve_items_total counter\n");
        new TreeMap<>(items).forEach((k, v) -> sb.append("anomaly_serve_items_total{endpoint=\"").append(k).append("\"} ")
                .append(v.sum()).append('\n'));
        sb.append("# HELP anomaly_serve_model_info The model in force (value 1), by content version.\n");
        sb.append("# TYPE anomaly_serve_model_info gauge\n");
        sb.append("anomaly_serve_model_info{version=\"").append(version.get()).append("\"} 1\n");
        sb.append("# HELP anomaly_serve_model_loaded_timestamp_seconds When the model in force was loaded.\n");
        sb.append("# TYPE anomaly_serve_model_loaded_timestamp_seconds gauge\n");
        sb.append("anomaly_serve_model_loaded_timestamp_seconds ").append(String.format(Locale.ROOT, "%.3f", loadedAtMillis.get() / 1000.0)).append('\n');
        sb.append("# HELP anomaly_serve_model_reloads_total New bundles loaded and put in force after start.\n");
        sb.append("# TYPE anomaly_serve_model_reloads_total counter\n");
        sb.append("anomaly_serve_model_reloads_total ").append(reloads.sum()).append('\n');
        sb.append("# HELP anomaly_serve_model_reload_failures_total Changed bundles refused (checksums, signature, sanity); the previous model kept serving.\n");
        sb.append("# TYPE anomaly_serve_model_reload_failures_total counter\n");
        sb.append("anomaly_serve_model_reload_failures_total ").append(reloadFailures.sum()).append('\n');
        sb.append("# HELP anomaly_serve_model_reload_refused 1 while the bundle at the location is one that was refused.\n");
        sb.append("# TYPE anomaly_serve_model_reload_refused gauge\n");
        sb.append("anomaly_serve_model_reload_refused ").append(lastReloadRefused.get() ? 1 : 0).append('\n');
        return sb.toString();
    }

    private static final class Histogram {
        private final LongAdder[] counts = new LongAdder[BUCKETS.length];
        private final LongAdder count = new LongAdder();
        private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    counts[i].increment();
                    break;
                }
            }
            count.increment();
            sum.add(seconds);
        }

        void render(StringBuilder sb, String name, String endpoint) {
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += counts[i].sum();
                sb.append(name).append("_bucket{endpoint=\"").append(endpoint).append("\",le=\"").append(BUCKETS[i]).append("\"} ")
                        .append(cumulative).append('\n');
            }
            long n = count.sum();
            sb.append(name).append("_bucket{endpoint=\"").append(endpoint).append("\",le=\"+Inf\"} ").append(n).append('\n');
            sb.append(name).append("_sum{endpoint=\"").append(endpoint).append("\"} ").append(String.format(Locale.ROOT, "%.6f", sum.sum())).append('\n');
            sb.append(name).append("_count{endpoint=\"").append(endpoint).append("\"} ").append(n).append('\n');
        }
    }
}
