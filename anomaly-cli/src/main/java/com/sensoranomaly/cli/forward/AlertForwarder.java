package com.sensoranomaly.cli.forward;

import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AvroContracts;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Forwards committed alerts from Kafka to Alertmanager, at least once: a poll's alerts are posted in one
 * request and the consumer offsets are committed only after Alertmanager accepted them. While Alertmanager
 * is unreachable or failing, the same request is retried with exponential backoff (nothing is skipped), and
 * the consumer keeps polling with its partitions paused so the group does not evict it however long the
 * outage lasts. Records that are not alerts are reported and skipped (they cannot be forwarded).
 */
public final class AlertForwarder {
    /** Statuses worth retrying: the request may succeed later. Any other 4xx means the request itself is wrong. */
    private static boolean retryable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    private final Consumer<byte[], byte[]> consumer;
    private final HttpClient http;
    private final URI endpoint;
    private final Map<String, String> headers;
    private final Duration firingTtl;
    private final Map<String, String> extraLabels;
    private final Duration maxBackoff;
    private final PrintWriter log;

    private long forwarded;
    private long rejected;
    private long undecodable;
    private long retries;

    public AlertForwarder(Consumer<byte[], byte[]> consumer, URI alertmanager, Map<String, String> headers,
                          Duration firingTtl, Map<String, String> extraLabels, Duration maxBackoff, PrintWriter log) {
        this.consumer = consumer;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        // Appended, not resolved: Alertmanager behind a path prefix (a reverse proxy, --web.route-prefix) keeps it.
        String base = alertmanager.toString();
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/v2/alerts");
        this.headers = headers;
        this.firingTtl = firingTtl;
        this.extraLabels = extraLabels;
        this.maxBackoff = maxBackoff;
        this.log = log;
    }

    public long forwarded() { return forwarded; }
    public long rejected() { return rejected; }
    public long undecodable() { return undecodable; }
    public long retries() { return retries; }

    /**
     * Forwards until {@code stop} says so, {@code maxAlerts} (if positive) were forwarded, or nothing arrived
     * for {@code idleTimeout} (if not null).
     */
    public void run(BooleanSupplier stop, long maxAlerts, Duration idleTimeout) throws InterruptedException {
        long lastAlert = System.nanoTime();
        while (!stop.getAsBoolean()) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(250));
            if (!records.isEmpty()) {
                forward(records, stop);
                lastAlert = System.nanoTime();
            }
            if (maxAlerts > 0 && forwarded >= maxAlerts) {
                return;
            }
            if (idleTimeout != null && System.nanoTime() - lastAlert > idleTimeout.toNanos()) {
                return;
            }
        }
    }

    private void forward(ConsumerRecords<byte[], byte[]> records, BooleanSupplier stop) throws InterruptedException {
        List<AnomalyAlert> alerts = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            try {
                alerts.add(AvroContracts.alert(r.value()));
            } catch (Exception e) {
                undecodable++;
                log.println("forward: skipped a record at " + r.topic() + "/" + r.partition() + "@" + r.offset()
                        + " that is not an AnomalyAlert: " + e.getMessage());
            }
        }
        if (!alerts.isEmpty() && !post(alerts, stop)) {
            return; // stopped while retrying: nothing committed, the next run sends these again
        }
        try {
            consumer.commitSync(offsets);
        } catch (CommitFailedException e) {
            // The partitions moved to another forwarder meanwhile; it sends these alerts again (Alertmanager
            // takes the same alert twice as one).
            log.println("forward: offsets not committed after a rebalance; the new owner resends: " + e.getMessage());
        }
    }

    /** Posts until accepted (true), refused as malformed (true, counted and logged), or stopped (false). */
    private boolean post(List<AnomalyAlert> alerts, BooleanSupplier stop) throws InterruptedException {
        String body = AlertmanagerPayload.json(alerts, firingTtl, extraLabels);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        Duration backoff = Duration.ofSeconds(1);
        boolean paused = false;
        try {
            while (true) {
                String failure;
                try {
                    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    int status = response.statusCode();
                    if (status / 100 == 2) {
                        forwarded += alerts.size();
                        return true;
                    }
                    if (!retryable(status)) {
                        rejected += alerts.size();
                        log.println("forward: Alertmanager refused " + alerts.size() + " alert(s) with HTTP " + status + " ("
                                + response.body().strip() + "); not retried: alert ids "
                                + alerts.stream().map(AnomalyAlert::getAlertId).toList());
                        return true;
                    }
                    failure = "HTTP " + status;
                } catch (IOException e) {
                    failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                }
                retries++;
                log.println("forward: " + endpoint + " failed (" + failure + "); retrying " + alerts.size()
                        + " alert(s) in " + backoff.toSeconds() + " s");
                log.flush();
                if (!paused) {
                    consumer.pause(consumer.assignment());
                    paused = true;
                }
                long until = System.nanoTime() + backoff.toNanos();
                while (System.nanoTime() < until) {
                    if (stop.getAsBoolean()) {
                        return false;
                    }
                    consumer.poll(Duration.ofMillis(200)); // paused: returns nothing, keeps the group membership
                }
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        } finally {
            if (paused) {
                consumer.resume(consumer.paused());
            }
        }
    }
}
