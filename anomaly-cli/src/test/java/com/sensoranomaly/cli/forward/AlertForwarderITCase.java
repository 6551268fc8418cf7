package com.sensoranomaly.cli.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.FeatureContribution;
import com.sensoranomaly.schema.Severity;
import com.sensoranomaly.schema.WindowStats;
import com.sun.net.httpserver.HttpServer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forwarder between a real broker and an HTTP endpoint standing in for Alertmanager's API: alerts are
 * posted at least once through an outage, offsets are committed only once accepted, junk is skipped.
 */
class AlertForwarderITCase {
    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();
    private HttpServer alertmanager;
    private final List<String> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final StringWriter log = new StringWriter();
    /** What the forwarder dead-lettered: reason and the original record's offset. */
    private final List<String> deadLettered = new CopyOnWriteArrayList<>();
    /** While set, the stand-in Alertmanager answers 503. */
    private final java.util.concurrent.atomic.AtomicBoolean outage = new java.util.concurrent.atomic.AtomicBoolean();
    /** Alert ids the stand-in Alertmanager refuses with 400 (as it does a malformed alert). */
    private final java.util.Set<String> malformed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @AfterEach
    void stopAlertmanager() {
        if (alertmanager != null) {
            alertmanager.stop(0);
        }
    }

    /** An endpoint that fails the first {@code failures} requests with 503, then accepts. */
    private URI alertmanager(int failures) throws Exception {
        alertmanager = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        alertmanager.createContext("/prefix/api/v2/alerts", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = requests.incrementAndGet() <= failures || outage.get() ? 503 : 200;
            if (status == 200 && malformed.stream().anyMatch(id -> body.contains("\"alert_id\":\"" + id + "\""))) {
                status = 400;
            }
            if (status == 200) {
                accepted.add(body);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        alertmanager.start();
        return URI.create("http://127.0.0.1:" + alertmanager.getAddress().getPort() + "/prefix/");
    }

    private static AnomalyAlert alert(String id, AlertStatus status, Instant start, Instant at) {
        return AnomalyAlert.newBuilder().setAlertId(id).setDeviceId("pump-7").setStatus(status)
                .setSeverity(Severity.CRITICAL).setEpisodeStart(start).setEpisodeEnd(status == AlertStatus.RESOLVED ? at : null)
                .setEventTime(at).setDetectionTime(at).setScore(4.2).setThreshold(1.0)
                .setWindow(new WindowStats(5, 5, 4.0, 4.2, 1L, 4.2))
                .setTopFeatures(List.of(new FeatureContribution("flow", 3.0, 0.71, 80.0, 120.0)))
                .setImputedFeatures(List.of()).setModelVersion("m1").setSummary("flow dropped")
                .setLabels(Map.of("site", "plant-2", "severity", "ignored")).build();
    }

    private static void produce(String topic, List<byte[]> values) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "forward-test-" + topic), new ByteArraySerializer(), new ByteArraySerializer())) {
            p.initTransactions();
            p.beginTransaction();
            for (byte[] v : values) {
                p.send(new ProducerRecord<>(topic, "pump-7".getBytes(StandardCharsets.UTF_8), v));
            }
            p.commitTransaction();
        }
    }

    private AlertForwarder forward(URI endpoint, String topic, long max, Duration idle) throws Exception {
        return forward(endpoint, topic, max, idle, Duration.ofMinutes(2));
    }

    /** Runs a forwarder until max alerts, idle, or (as Ctrl-C would) the give-up time. */
    private AlertForwarder forward(URI endpoint, String topic, long max, Duration idle, Duration giveUp) throws Exception {
        long deadline = System.nanoTime() + giveUp.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "forwarder", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            AlertForwarder f = new AlertForwarder(consumer, endpoint, Map.of(), Duration.ofHours(24), Map.of("env", "test"),
                    Duration.ofSeconds(2), new PrintWriter(log, true), (r, reason, message) -> deadLettered.add(reason + "@" + r.offset()));
            consumer.subscribe(List.of(topic), f.rebalanceListener());
            f.run(() -> System.nanoTime() > deadline, max, idle);
            return f;
        }
    }

    @Test
    void shouldForwardEveryAlertThroughAnOutageAndCommitOnlyWhatWasAccepted() throws Exception {
        kafka.createTopics(1, "alerts-forward");
        Instant start = Instant.parse("2026-11-30T10:00:00Z");
        Instant end = start.plusSeconds(90);
        produce("alerts-forward", List.of(
                AvroContracts.encode(alert("ep-1", AlertStatus.FIRING, start, start.plusSeconds(3))),
                "not an alert".getBytes(StandardCharsets.UTF_8),
                AvroContracts.encode(alert("ep-1", AlertStatus.RESOLVED, start, end)),
                AvroContracts.encode(alert("ep-2", AlertStatus.FIRING, end, end))));
        URI endpoint = alertmanager(2);

        AlertForwarder first = forward(endpoint, "alerts-forward", 3, Duration.ofSeconds(60));

        assertThat(first.forwarded()).isEqualTo(3);
        assertThat(first.retries()).as("two 503s retried, nothing skipped").isEqualTo(2);
        assertThat(first.undecodable()).isEqualTo(1);
        assertThat(deadLettered).as("the junk record is kept, not skipped").containsExactly("UNDECODABLE@1");
        assertThat(log.toString()).contains("HTTP 503", "not an AnomalyAlert");
        JsonNode sent = new ObjectMapper().readTree(accepted.get(0));
        assertThat(sent).hasSize(3);
        JsonNode resolved = sent.get(1);
        assertThat(resolved.path("labels").path("alert_id").asText()).isEqualTo("ep-1");
        assertThat(resolved.path("labels").path("device_id").asText()).isEqualTo("pump-7");
        assertThat(resolved.path("labels").path("severity").asText()).as("identity labels win over reading labels").isEqualTo("critical");
        assertThat(resolved.path("labels").path("site").asText()).isEqualTo("plant-2");
        assertThat(resolved.path("labels").path("env").asText()).isEqualTo("test");
        assertThat(resolved.path("startsAt").asText()).isEqualTo(start.toString());
        assertThat(resolved.path("endsAt").asText()).isEqualTo(end.toString());
        assertThat(sent.get(2).path("endsAt").asText()).as("firing: ends a TTL after its event time").isEqualTo(end.plus(Duration.ofHours(24)).toString());
        assertThat(sent.get(0).path("annotations").path("summary").asText()).isEqualTo("flow dropped");

        // Committed: a restarted forwarder in the same group sends nothing again.
        int before = requests.get();
        AlertForwarder second = forward(endpoint, "alerts-forward", 0, Duration.ofSeconds(4));
        assertThat(second.forwarded()).isZero();
        assertThat(requests.get()).isEqualTo(before);
    }

    @Test
    void shouldNotCommitWhatAlertmanagerNeverAcceptedSoTheNextRunSendsIt() throws Exception {
        kafka.createTopics(1, "alerts-outage");
        Instant t = Instant.parse("2026-11-30T11:00:00Z");
        produce("alerts-outage", List.of(AvroContracts.encode(alert("ep-9", AlertStatus.FIRING, t, t))));
        URI down = alertmanager(Integer.MAX_VALUE);
        AlertForwarder during = forward(down, "alerts-outage", 1, null, Duration.ofSeconds(6));
        assertThat(during.forwarded()).isZero();
        assertThat(during.retries()).isPositive();
        stopAlertmanager();

        requests.set(0);
        URI up = alertmanager(0);
        AlertForwarder after = forward(up, "alerts-outage", 1, Duration.ofSeconds(30));
        assertThat(after.forwarded()).isEqualTo(1);
        assertThat(accepted).hasSize(1);
        assertThat(new ObjectMapper().readTree(accepted.get(0)).get(0).path("labels").path("alert_id").asText()).isEqualTo("ep-9");
    }

    @Test
    void shouldDeadLetterOnlyTheAlertAlertmanagerRefusesAndForwardTheRestOfItsBatch() throws Exception {
        kafka.createTopics(1, "alerts-refused");
        Instant t = Instant.parse("2026-11-30T12:00:00Z");
        produce("alerts-refused", List.of(
                AvroContracts.encode(alert("ok-1", AlertStatus.FIRING, t, t)),
                AvroContracts.encode(alert("bad-2", AlertStatus.FIRING, t, t)),
                AvroContracts.encode(alert("ok-3", AlertStatus.FIRING, t, t))));
        malformed.add("bad-2");
        URI endpoint = alertmanager(0);

        AlertForwarder f = forward(endpoint, "alerts-refused", 0, Duration.ofSeconds(5));

        assertThat(f.forwarded()).isEqualTo(2);
        assertThat(f.rejected()).isEqualTo(1);
        assertThat(deadLettered).containsExactly("ALERTMANAGER_REFUSED@1");
        assertThat(accepted).as("the batch refused, then each alert alone").hasSize(2)
                .allSatisfy(body -> assertThat(body).doesNotContain("bad-2"));
        // Committed: everything is either in Alertmanager or in the dead-letter topic, and a restart sends nothing.
        int before = requests.get();
        assertThat(forward(endpoint, "alerts-refused", 0, Duration.ofSeconds(4)).forwarded()).isZero();
        assertThat(requests.get()).isEqualTo(before);
    }

    @Test
    void shouldCommitNothingWhileTheDeadLetterTopicCannotBeWritten() throws Exception {
        kafka.createTopics(1, "alerts-dlq-down");
        produce("alerts-dlq-down", List.of("junk".getBytes(StandardCharsets.UTF_8)));
        URI endpoint = alertmanager(0);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "forwarder", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            AlertForwarder f = new AlertForwarder(consumer, endpoint, Map.of(), Duration.ofHours(24), Map.of(),
                    Duration.ofSeconds(1), new PrintWriter(log, true), (r, reason, message) -> {
                        throw new IllegalStateException("dead-letter topic unavailable");
                    });
            consumer.subscribe(List.of("alerts-dlq-down"), f.rebalanceListener());
            f.run(() -> System.nanoTime() > deadline, 0, null);
            assertThat(f.retries()).isPositive();
        }
        assertThat(log.toString()).contains("dead-letter topic unavailable");
        // Not committed: the next run gets the record again and now keeps it.
        forward(endpoint, "alerts-dlq-down", 0, Duration.ofSeconds(4));
        assertThat(deadLettered).containsExactly("UNDECODABLE@0");
    }

    private static KafkaConsumer<byte[], byte[]> member(String instance) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "forwarders", ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Test
    void shouldNotReadPastAlertsOfAPartitionAssignedWhileBackingOff() throws Exception {
        kafka.createTopics(2, "alerts-rebalance");
        Instant t = Instant.parse("2026-11-30T13:00:00Z");
        send(0, alert("p0-first", AlertStatus.FIRING, t, t));
        outage.set(true);
        URI endpoint = alertmanager(0);
        java.util.concurrent.atomic.AtomicBoolean stopA = new java.util.concurrent.atomic.AtomicBoolean();
        // A (instance "b") owns both partitions, reads p0's alert, and backs off: Alertmanager is down.
        KafkaConsumer<byte[], byte[]> consumerA = member("b");
        AlertForwarder a = new AlertForwarder(consumerA, endpoint, Map.of(), Duration.ofHours(24), Map.of(), Duration.ofSeconds(1),
                new PrintWriter(log, true), (r, reason, message) -> deadLettered.add(reason));
        consumerA.subscribe(List.of("alerts-rebalance"), a.rebalanceListener());
        Thread threadA = new Thread(() -> {
            try {
                a.run(stopA::get, 0, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        threadA.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (a.retries() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(a.retries()).as("A is backing off").isPositive();
            // Meanwhile an alert lands on p1, and B (instance "a": the range assignor gives it p0) joins, so A owns p1 only.
            send(1, alert("p1-during-outage", AlertStatus.FIRING, t, t));
            try (KafkaConsumer<byte[], byte[]> b = member("a")) {
                b.subscribe(List.of("alerts-rebalance"));
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (b.assignment().isEmpty() && System.nanoTime() < until) {
                    b.poll(Duration.ofMillis(100));
                }
                assertThat(b.assignment()).extracting(TopicPartitionName::of).containsExactly("alerts-rebalance-0");
                b.pause(b.assignment()); // B only holds p0 here
                Thread.sleep(3000);      // A backs off a few more rounds on its new partition
                outage.set(false);       // Alertmanager is back: A sends its batch, then reads on in p1
                send(1, alert("p1-after", AlertStatus.FIRING, t, t.plusSeconds(1)));
                until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!String.join("", accepted).contains("p1-after") && System.nanoTime() < until) {
                    b.poll(Duration.ofMillis(100));
                }
            }
        } finally {
            stopA.set(true);
            threadA.join(10_000);
            consumerA.close();
        }
        String sent = String.join("", accepted);
        assertThat(sent).contains("p0-first", "p1-after");
        assertThat(sent).as("the alert of the partition A got during its backoff was sent, not read past").contains("p1-during-outage");
    }

    private static void send(int partition, AnomalyAlert alert) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>("alerts-rebalance", partition, null, AvroContracts.encode(alert))).get();
        }
    }

    private static final class TopicPartitionName {
        static String of(org.apache.kafka.common.TopicPartition tp) {
            return tp.topic() + "-" + tp.partition();
        }
    }
}
