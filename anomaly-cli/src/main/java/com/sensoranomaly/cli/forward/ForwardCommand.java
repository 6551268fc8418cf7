package com.sensoranomaly.cli.forward;

import com.sensoranomaly.cli.StopOnSignal;
import com.sensoranomaly.cli.kafka.KafkaOptions;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.DeadLetter;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code forward}: committed alerts from Kafka to Prometheus Alertmanager, at least once. */
@Command(name = "forward", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Forward alerts from the alerts topic (read_committed) to Prometheus Alertmanager, at least once:",
                "offsets are committed after Alertmanager accepted the alerts; outages are retried with backoff.",
                "Run several with the same --group to share the partitions."})
public final class ForwardCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--alertmanager", required = true, paramLabel = "URL", description = "Alertmanager base URL, e.g. http://alertmanager:9093")
    URI alertmanager;

    @Option(names = "--topic", description = "alerts topic [default: ${DEFAULT-VALUE}]")
    String topic = "anomaly-alerts";

    @Option(names = "--group", description = "consumer group: its committed offsets say what was forwarded [default: ${DEFAULT-VALUE}]")
    String group = "anomaly-alert-forwarder";

    @Option(names = "--firing-ttl", description = "how long after its event time a FIRING alert stays active without its RESOLVED, e.g. 24h [default: ${DEFAULT-VALUE}]")
    String firingTtl = "24h";

    @Option(names = "--label", paramLabel = "NAME=VALUE", description = "an extra label on every forwarded alert, e.g. env=prod (repeatable)")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "an HTTP header on every request, e.g. Authorization='Bearer ...' (repeatable)")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--dead-letter-topic", paramLabel = "TOPIC", description = "where records go that cannot be forwarded (not alerts, or refused by Alertmanager as malformed), with the reason [default: ${DEFAULT-VALUE}]")
    String deadLetterTopic = "anomaly-alerts-forward-dlq";

    @Option(names = "--max-backoff", description = "longest wait between retries, e.g. 60s [default: ${DEFAULT-VALUE}]")
    String maxBackoff = "60s";

    @Option(names = "--max", description = "stop after forwarding this many alerts")
    long max;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "stop after this long without a new alert, e.g. 90s, 10m (a plain number: seconds)")
    String timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Duration ttl = duration("--firing-ttl", firingTtl);
        Duration backoff = duration("--max-backoff", maxBackoff);
        Duration idle = com.sensoranomaly.cli.Durations.parse(spec.commandLine(), "--timeout", timeout);
        String scheme = alertmanager.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--alertmanager must be an http:// or https:// URL: " + alertmanager);
        }
        for (String name : labels.keySet()) {
            if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--label name '" + name + "' is not a valid Alertmanager label name");
            }
        }
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

        AlertForwarder forwarder;
        Properties producerProps = kafka.clientProperties();
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (StopOnSignal stop = StopOnSignal.install(Duration.ofSeconds(5));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> deadLetters = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            forwarder = new AlertForwarder(consumer, alertmanager, headers, ttl, labels, backoff, err,
                    (record, reason, message) -> deadLetters.send(new ProducerRecord<>(deadLetterTopic, record.key(),
                            AvroContracts.encode(deadLetter(record, reason, message)))).get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .readingWith(kafka.codec(com.sensoranomaly.schema.AnomalyAlert.class));
            consumer.subscribe(List.of(topic), forwarder.rebalanceListener());
            err.println("forward: " + topic + " -> " + alertmanager + " (group " + group + ")");
            err.flush();
            forwarder.run(stop::requested, max, idle);
        }
        err.println("forward: " + forwarder.forwarded() + " alert(s) forwarded, " + forwarder.retries() + " retried request(s)"
                + (forwarder.rejected() > 0 ? ", " + forwarder.rejected() + " refused by Alertmanager (in " + deadLetterTopic + ")" : "")
                + (forwarder.undecodable() > 0 ? ", " + forwarder.undecodable() + " undecodable record(s) (in " + deadLetterTopic + ")" : ""));
        return forwarder.rejected() > 0 || (max > 0 && forwarder.forwarded() < max) ? 1 : 0;
    }

    /** A record that could not be forwarded, kept whole with the reason (the job's dead-letter contract). */
    static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, String message) {
        return DeadLetter.newBuilder().setReason(reason).setErrorClass(null).setErrorMessage(message)
                .setSourceTopic(r.topic()).setSourcePartition(r.partition()).setSourceOffset(r.offset())
                .setSourceTimestamp(r.timestamp() < 0 ? null : java.time.Instant.ofEpochMilli(r.timestamp()))
                .setKey(r.key() == null ? null : java.nio.ByteBuffer.wrap(r.key()))
                .setValue(r.value() == null ? null : java.nio.ByteBuffer.wrap(r.value()))
                .setDeviceId(null).setFailedAt(java.time.Instant.now()).setValueSize(null).setValueSha256(null).build();
    }

    private Duration duration(String option, String text) {
        return com.sensoranomaly.cli.Durations.parse(spec.commandLine(), option, text);
    }
}
