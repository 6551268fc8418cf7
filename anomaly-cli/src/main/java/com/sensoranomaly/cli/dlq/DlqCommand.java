package com.sensoranomaly.cli.dlq;

import com.sensoranomaly.cli.kafka.KafkaOptions;
import com.sensoranomaly.schema.DeadLetter;
import com.sensoranomaly.schema.format.ContractCodec;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * {@code dlq}: what is in the dead-letter topic, and putting chosen records back. It scans the topic up to the end
 * offsets of the moment it starts (committed records only, no consumer group: it never moves anyone's offsets), counts
 * by reason, shows samples with the reason's message, and with {@code --replay} sends the original key and value of the
 * matching dead letters to their source topic (or {@code --to-topic}) once the cause is fixed.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Inspect the dead-letter topic: counts by reason, samples; --replay sends chosen records back to their input topic.",
                "Filters: --reason, --device, --from-offset/--to-offset (the dead-letter topic's offsets, as listed)."})
public final class DlqCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--topic", description = "dead-letter topic [default: ${DEFAULT-VALUE}]")
    String topic = "sensor-readings-dlq";

    @Option(names = "--reason", split = ",", paramLabel = "REASON", description = "only these reasons, e.g. UNDECODABLE,BAD_TIMESTAMP")
    List<String> reasons = new ArrayList<>();

    @Option(names = "--device", split = ",", paramLabel = "ID", description = "only dead letters of these devices")
    List<String> devices = new ArrayList<>();

    @Option(names = "--from-offset", description = "only dead letters at this offset or later (in each partition)")
    long fromOffset = 0;

    @Option(names = "--to-offset", description = "only dead letters at this offset or earlier (in each partition)")
    long toOffset = Long.MAX_VALUE;

    @Option(names = "--samples", description = "samples shown per reason [default: ${DEFAULT-VALUE}]")
    int samples = 3;

    @Option(names = "--replay", description = "send the matching dead letters' original records back (key and value as received)")
    boolean replay;

    @Option(names = "--to-topic", description = "with --replay: send them here instead of each record's source topic")
    String toTopic;

    @Option(names = "--dry-run", description = "with --replay: say what would be sent, send nothing")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One dead letter as found, with where it is. */
    record Found(int partition, long offset, DeadLetter letter) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (fromOffset < 0 || toOffset < fromOffset) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from-offset must be >= 0 and <= --to-offset");
        }
        if ((toTopic != null || dryRun) && !replay) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to-topic and --dry-run go with --replay");
        }
        Set<String> reasonFilter = reasons.stream().map(r -> r.trim().toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
        Set<String> deviceFilter = Set.copyOf(devices);
        ContractCodec<DeadLetter> codec = kafka.codec(DeadLetter.class);

        List<Found> matching = new ArrayList<>();
        Map<String, Integer> allByReason = new TreeMap<>();
        long undecodable = 0;
        long scanned = 0;
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                err.println("dlq: topic " + topic + " does not exist");
                return 1;
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, Math.max(begin.get(tp), fromOffset));
            }
            // Where each partition's scan ends: its end at start, or just past --to-offset. Transaction markers take
            // offsets too, so the consumer's position, not the last record seen, says a partition is through.
            Map<TopicPartition, Long> stopAt = new HashMap<>();
            Map<TopicPartition, Boolean> done = new HashMap<>();
            for (TopicPartition tp : partitions) {
                stopAt.put(tp, Math.min(end.get(tp), toOffset == Long.MAX_VALUE ? Long.MAX_VALUE : toOffset + 1));
                done.put(tp, consumer.position(tp) >= stopAt.get(tp));
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (done.containsValue(false) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= stopAt.get(tp)) {
                        continue;
                    }
                    scanned++;
                    DeadLetter d;
                    try {
                        d = codec.decode(r.value(), null);
                    } catch (Exception e) {
                        undecodable++;
                        err.println("dlq: record at " + tp + "@" + r.offset() + " is not a DeadLetter: " + e.getMessage());
                        continue;
                    }
                    allByReason.merge(d.getReason(), 1, Integer::sum);
                    if ((reasonFilter.isEmpty() || reasonFilter.contains(d.getReason()))
                            && (deviceFilter.isEmpty() || deviceFilter.contains(device(d)))) {
                        matching.add(new Found(r.partition(), r.offset(), d));
                    }
                }
                for (TopicPartition tp : partitions) {
                    done.put(tp, consumer.position(tp) >= stopAt.get(tp));
                }
            }
        }

        boolean filtered = !reasonFilter.isEmpty() || !deviceFilter.isEmpty() || fromOffset > 0 || toOffset != Long.MAX_VALUE;
        out.printf("%s: %,d dead letter(s) scanned%s%n", topic, scanned, undecodable > 0 ? ", " + undecodable + " undecodable" : "");
        for (Map.Entry<String, Integer> e : allByReason.entrySet()) {
            out.printf("  %-24s %,8d%n", e.getKey(), e.getValue());
        }
        if (filtered) {
            out.printf("matching the filters: %,d%n", matching.size());
        }
        printSamples(out, matching);
        if (replay) {
            return replay(out, err, matching);
        }
        out.flush();
        return 0;
    }

    private void printSamples(PrintWriter out, List<Found> matching) {
        if (samples <= 0 || matching.isEmpty()) {
            return;
        }
        out.println("samples (up to " + samples + " per reason):");
        Map<String, List<Found>> byReason = new LinkedHashMap<>();
        for (Found f : matching) {
            List<Found> l = byReason.computeIfAbsent(f.letter().getReason(), k -> new ArrayList<>());
            if (l.size() < samples) {
                l.add(f);
            }
        }
        for (List<Found> l : byReason.values()) {
            for (Found f : l) {
                DeadLetter d = f.letter();
                out.printf("  %s  dlq %d@%d  from %s %d@%d  device %s  at %s%n    %s%n", d.getReason(), f.partition(), f.offset(),
                        d.getSourceTopic(), d.getSourcePartition(), d.getSourceOffset(),
                        device(d) == null ? "-" : device(d) + (d.getDeviceId() == null ? " (key)" : ""), d.getFailedAt(),
                        oneLine(d.getErrorMessage()));
            }
        }
    }

    /**
     * The device a dead letter is about: the decoded device id, or, for a record that could not be decoded, its key
     * (producers key readings by device id).
     */
    static String device(DeadLetter d) {
        if (d.getDeviceId() != null) {
            return d.getDeviceId();
        }
        if (d.getKey() == null) {
            return null;
        }
        String key = utf8(bytes(d.getKey()));
        return key.length() <= 256 && key.chars().noneMatch(Character::isISOControl) ? key : null;
    }

    /** Why a dead letter cannot be replayed as it was received, or null if it can. */
    static String notReplayable(DeadLetter d) {
        if (d.getValue() == null) {
            return "no value (a tombstone)";
        }
        if (d.getValueSize() != null) {
            return "value kept truncated (" + d.getValueSize() + " bytes received)";
        }
        if (d.getSourceTopic() == null || d.getSourceTopic().isEmpty()) {
            return "no source topic";
        }
        return null;
    }

    private int replay(PrintWriter out, PrintWriter err, List<Found> matching) throws Exception {
        Map<String, Integer> skipped = new TreeMap<>();
        Map<String, Integer> sent = new TreeMap<>();
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        List<Future<?>> pending = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = dryRun ? null
                : new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Found f : matching) {
                DeadLetter d = f.letter();
                String why = notReplayable(d);
                if (why != null) {
                    skipped.merge(why.replaceAll(" \\(.*", ""), 1, Integer::sum);
                    continue;
                }
                String target = toTopic != null ? toTopic : d.getSourceTopic();
                if (producer != null) {
                    pending.add(producer.send(new ProducerRecord<>(target, null, bytes(d.getKey()), bytes(d.getValue()))));
                }
                sent.merge(target, 1, Integer::sum);
            }
            if (producer != null) {
                producer.flush();
                for (Future<?> p : pending) {
                    p.get(); // a failed send fails the command, naming the error
                }
            }
        }
        int total = sent.values().stream().mapToInt(Integer::intValue).sum();
        out.printf("%s %,d of %,d matching dead letter(s)%s%s%n", dryRun ? "would replay" : "replayed", total, matching.size(),
                sent.isEmpty() ? "" : " to " + sent.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                        .collect(Collectors.joining(", ")),
                skipped.isEmpty() ? "" : "; not replayable: " + skipped.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                        .collect(Collectors.joining(", ")));
        out.flush();
        err.flush();
        return 0;
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replace('\n', ' ').replace('\r', ' ');
        return one.length() > 300 ? one.substring(0, 300) + "..." : one;
    }

    static String utf8(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
