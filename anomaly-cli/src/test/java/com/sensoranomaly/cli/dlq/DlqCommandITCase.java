package com.sensoranomaly.cli.dlq;

import com.sensoranomaly.cli.CliRun;
import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.output.Encoders;
import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.schema.DeadLetter;
import com.sensoranomaly.schema.format.ContractCodec;
import com.sensoranomaly.schema.format.WireFormat;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dlq} against a real broker: counts and samples by reason, and replays exactly the chosen records. */
class DlqCommandITCase {
    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static DeadLetterEvent letter(String reason, String device, long sourceOffset, String key, byte[] value) {
        DeadLetterEvent d = DeadLetterEvent.of(reason, reason + " because of record " + sourceOffset, null, "dlq-readings", 0,
                sourceOffset, 1_000L, key == null ? null : utf8(key), value);
        d.deviceId = device;
        return d;
    }

    @BeforeAll
    static void deadLetters() throws Exception {
        kafka.createTopics(1, "dlq-topic", "dlq-readings", "dlq-fixed");
        byte[] big = new byte[Encoders.MAX_DEAD_LETTER_PAYLOAD + 10];
        List<DeadLetterEvent> letters = List.of(
                letter("UNDECODABLE", null, 10, "pump-1", utf8("{\"deviceId\":\"pump-1\"}")),
                letter("UNDECODABLE", "pump-2", 11, "pump-2", utf8("{\"deviceId\":\"pump-2\"}")),
                letter("BAD_TIMESTAMP", "pump-1", 12, "pump-1", utf8("old")),
                letter("OVERSIZED", null, 13, "pump-3", big),
                letter("UNDECODABLE", "pump-2", 14, "pump-2", utf8("{\"deviceId\":\"pump-2\",\"n\":2}")));
        ContractCodec<DeadLetter> codec = new ContractCodec<>(DeadLetter.class, null);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < letters.size(); i++) {
                // The last one as a job with output.format=json writes it: the command reads every format.
                WireFormat f = i == letters.size() - 1 ? WireFormat.JSON : WireFormat.AVRO;
                p.send(new ProducerRecord<>("dlq-topic", utf8("k"), codec.encode(Encoders.toAvro(letters.get(i)), f, 0))).get();
            }
        }
    }

    private static CliRun run(String... args) {
        List<String> all = new ArrayList<>(List.of("dlq", "--bootstrap-server", kafka.bootstrapServers(), "--topic", "dlq-topic"));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "check-" + System.nanoTime(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long end = System.currentTimeMillis() + 4000;
            while (System.currentTimeMillis() < end) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void shouldCountDeadLettersByReasonAndShowSamples() {
        CliRun r = run("--samples", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("dlq-topic: 5 dead letter(s) scanned");
        assertThat(r.out()).containsPattern("UNDECODABLE\\s+3").containsPattern("BAD_TIMESTAMP\\s+1").containsPattern("OVERSIZED\\s+1");
        assertThat(r.out()).contains("UNDECODABLE  dlq 0@0  from dlq-readings 0@10  device pump-1 (key)", "UNDECODABLE because of record 10");
        assertThat(r.out()).doesNotContain("record 11"); // one sample per reason
    }

    @Test
    void shouldReplayOnlyTheChosenRecordsWithTheirOriginalKeyAndValue() {
        CliRun dry = run("--reason", "undecodable", "--device", "pump-2", "--replay", "--to-topic", "dlq-fixed", "--dry-run");
        assertThat(dry.out()).contains("matching the filters: 2", "would replay 2 of 2 matching dead letter(s) to dlq-fixed (2)");

        CliRun r = run("--reason", "UNDECODABLE", "--device", "pump-2", "--replay", "--to-topic", "dlq-fixed");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("replayed 2 of 2 matching dead letter(s) to dlq-fixed (2)");
        List<ConsumerRecord<byte[], byte[]>> fixed = read("dlq-fixed");
        assertThat(fixed).extracting(c -> new String(c.value(), StandardCharsets.UTF_8))
                .containsExactly("{\"deviceId\":\"pump-2\"}", "{\"deviceId\":\"pump-2\",\"n\":2}");
        assertThat(fixed).extracting(c -> new String(c.key(), StandardCharsets.UTF_8)).containsOnly("pump-2");
    }

    @Test
    void shouldMatchAnUndecodedRecordsDeviceByItsKey() {
        CliRun r = run("--device", "pump-1", "--reason", "UNDECODABLE");
        assertThat(r.out()).contains("matching the filters: 1", "from dlq-readings 0@10  device pump-1 (key)");
    }

    @Test
    void shouldReplayAnOffsetRangeToTheSourceTopicAndSkipTruncatedValues() {
        CliRun r = run("--from-offset", "2", "--to-offset", "3", "--replay");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("replayed 1 of 2 matching dead letter(s) to dlq-readings (1); not replayable: 1 value kept truncated");
        assertThat(read("dlq-readings")).extracting(c -> new String(c.value(), StandardCharsets.UTF_8)).containsExactly("old");
    }

    @Test
    void shouldRefuseReplayOptionsWithoutReplay() {
        CliRun r = run("--dry-run");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--to-topic and --dry-run go with --replay");
    }
}
