package com.sensoranomaly.cli.forward;

import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.format.ContractCodec;
import com.sensoranomaly.schema.format.SchemaRegistryClient;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Forwards committed alerts from Kafka to Alertmanager, at least once: a poll's alerts are posted in one
 * request and the consumer offsets are committed only after each alert was accepted by Alertmanager or, if
 * Alertmanager refuses that alert itself (HTTP 400, 413, 422: the batch is split to find which), written to the
 * forwarder's dead-letter topic with the reason. Records that are not alerts go there too. Nothing is committed
 * that is in neither place.
 *
 * <p>Every other failure (connection refused, 5xx, 408, 429, and 401/403/404, which a configuration fix cures)
 * is retried with exponential backoff, however long it lasts. Meanwhile the consumer keeps polling with its
 * partitions paused so the group does not evict it; partitions assigned by a rebalance during the backoff are
 * paused too, and anything a poll still returns is sought back, so no record is read past without being sent.
 */
public final class AlertForwarder {
    /** Statuses that refuse the alerts themselves: retrying the same request cannot help. */
    private static boolean refusesTheAlerts(int status) {
        return status == 400 || status == 413 || status == 422;
    }

    /** Where records that cannot be forwarded go (durably, before their offsets are committed). */
    public interface RefusedSink {
        /** Writes one record with the reason; throws if it could not be written (then nothing is committed). */
        void send(ConsumerRecord<byte[], byte[]> record, String reason, String message) throws Exception;
    }

    private final Consumer<byte[], byte[]> consumer;
    private final HttpClient http;
    private final URI endpoint;
    private final Map<String, String> headers;
    private final Duration firingTtl;
    private final Map<String, String> extraLabels;
    private final Duration maxBackoff;
    private final PrintWriter log;
    private final RefusedSink refusedSink;

    private long forwarded;
    private long rejected;
    private long undecodable;
    private long retries;
    /** True while backing off: partitions assigned meanwhile are paused as well. */
    private boolean backingOff;

    private ContractCodec<AnomalyAlert> codec = new ContractCodec<>(AnomalyAlert.class, null);

    /** Reads alerts with {@code codec} (e.g. one that knows the schema registry the job writes to). */
    public AlertForwarder readingWith(ContractCodec<AnomalyAlert> codec) {
        this.codec = codec;
        return this;
    }

    public AlertForwarder(Consumer<byte[], byte[]> consumer, URI alertmanager, Map<String, String> headers,
                          Duration firingTtl, Map<String, String> extraLabels, Duration maxBackoff, PrintWriter log,
                          RefusedSink refusedSink) {
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
        this.refusedSink = refusedSink;
    }

    public long forwarded() { return forwarded; }
    /** Alerts Alertmanager refused, written to the dead-letter topic. */
    public long rejected() { return rejected; }
    /** Records that were not alerts, written to the dead-letter topic. */
    public long undecodable() { return undecodable; }
    public long retries() { return retries; }

    /** Subscribe with this listener: it pauses partitions assigned while the forwarder backs off. */
    public ConsumerRebalanceListener rebalanceListener() {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (backingOff && !partitions.isEmpty()) {
                    consumer.pause(partitions);
                }
            }
        };
    }

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

    private record Pending(ConsumerRecord<byte[], byte[]> record, AnomalyAlert alert) {}

    private void forward(ConsumerRecords<byte[], byte[]> records, BooleanSupplier stop) throws InterruptedException {
        List<Pending> alerts = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            try {
                alerts.add(new Pending(r, codec.decode(r.value(), null)));
            } catch (SchemaRegistryClient.RegistryUnavailable e) {
                // Not the record's fault: stop without committing; it is read again on the next start.
                throw new java.io.UncheckedIOException(e);
            } catch (Exception e) {
                String why = "not an AnomalyAlert: " + e.getMessage();
                log.println("forward: record at " + r.topic() + "/" + r.partition() + "@" + r.offset() + " is " + why
                        + "; to the dead-letter topic");
                if (!retrying(stop, "dead-letter write", () -> deadLetter(r, "UNDECODABLE", why))) {
                    return;
                }
                undecodable++;
            }
        }
        if (!alerts.isEmpty()) {
            Integer refusal = post(alerts, stop);
            if (refusal == null) {
                return; // stopped while retrying: nothing committed, the next run sends these again
            }
            if (refusal != 0) {
                // Alertmanager refused the batch: send one by one, so only the alerts it refuses stay behind.
                for (Pending p : alerts) {
                    Integer one = alerts.size() == 1 ? refusal : post(List.of(p), stop);
                    if (one == null) {
                        return;
                    }
                    if (one != 0) {
                        String why = "Alertmanager refused it with HTTP " + one;
                        log.println("forward: alert " + p.alert().getAlertId() + ": " + why + "; to the dead-letter topic");
                        if (!retrying(stop, "dead-letter write", () -> deadLetter(p.record(), "ALERTMANAGER_REFUSED", why))) {
                            return;
                        }
                        rejected++;
                    }
                }
            }
        }
        try {
            consumer.commitSync(offsets);
        } catch (CommitFailedException e) {
            // The partitions moved to another forwarder meanwhile; it sends these alerts again (Alertmanager
            // takes the same alert twice as one).
            log.println("forward: offsets not committed after a rebalance; the new owner resends: " + e.getMessage());
        }
    }

    private String deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, String message) {
        try {
            refusedSink.send(r, reason, message);
            return null;
        } catch (Exception e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    /**
     * Posts until accepted (0, counted as forwarded), refused for what the alerts are (the HTTP status), or stopped
     * (null).
     */
    private Integer post(List<Pending> alerts, BooleanSupplier stop) throws InterruptedException {
        String body = AlertmanagerPayload.json(alerts.stream().map(Pending::alert).toList(), firingTtl, extraLabels);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        int[] refused = {0};
        boolean done = retrying(stop, alerts.size() + " alert(s) to " + endpoint, () -> {
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    forwarded += alerts.size();
                    return null;
                }
                if (refusesTheAlerts(status)) {
                    log.println("forward: Alertmanager refused " + alerts.size() + " alert(s) with HTTP " + status + " ("
                            + response.body().strip() + ")");
                    refused[0] = status;
                    return null;
                }
                return "HTTP " + status;
            } catch (IOException e) {
                return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        });
        return done ? refused[0] : null;
    }

    /**
     * Runs {@code attempt} (null: done; else what failed) until it succeeds, backing off exponentially between tries
     * with the partitions paused. False if stopped first.
     */
    private boolean retrying(BooleanSupplier stop, String what, java.util.function.Supplier<String> attempt) throws InterruptedException {
        Duration backoff = Duration.ofSeconds(1);
        try {
            while (true) {
                String failure = attempt.get();
                if (failure == null) {
                    return true;
                }
                retries++;
                log.println("forward: " + what + " failed (" + failure + "); retrying in " + backoff.toSeconds() + " s");
                log.flush();
                if (!backingOff) {
                    consumer.pause(consumer.assignment());
                    backingOff = true;
                }
                long until = System.nanoTime() + backoff.toNanos();
                while (System.nanoTime() < until) {
                    if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                        return false;
                    }
                    keepMembership();
                }
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        } finally {
            if (backingOff) {
                backingOff = false;
                consumer.resume(consumer.paused());
            }
        }
    }

    /**
     * Polls with every partition paused, so the group keeps the forwarder. A partition assigned between the listener
     * and this poll may still return records: they are sought back and read again after the backoff.
     */
    private void keepMembership() {
        ConsumerRecords<byte[], byte[]> stray = consumer.poll(Duration.ofMillis(200));
        for (TopicPartition tp : stray.partitions()) {
            consumer.seek(tp, stray.records(tp).get(0).offset());
        }
        if (!stray.isEmpty()) {
            consumer.pause(consumer.assignment());
        }
    }
}
