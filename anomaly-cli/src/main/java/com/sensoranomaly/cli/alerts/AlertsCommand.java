package com.sensoranomaly.cli.alerts;

import com.sensoranomaly.cli.StopOnSignal;
import com.sensoranomaly.cli.kafka.KafkaOptions;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.format.ContractCodec;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code alerts}: tails the alerts topic as on-call sees it (committed alerts only). */
@Command(name = "alerts", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Tail the alerts topic (read_committed): one readable line per alert, or --json.")
public final class AlertsCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--topic", description = "alerts topic [default: ${DEFAULT-VALUE}]")
    String topic = "anomaly-alerts";

    @Option(names = "--from-beginning", description = "start at the oldest alert instead of new ones")
    boolean fromBeginning;

    @Option(names = "--json", description = "one JSON object per line")
    boolean json;

    @Option(names = "--max", description = "stop after this many alerts")
    long max;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "stop after this long without a new alert, e.g. 90s, 10m (a plain number: seconds)")
    String timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration idle = com.sensoranomaly.cli.Durations.parse(spec.commandLine(), "--timeout", timeout);
        long timeoutMs = idle == null ? 0 : idle.toMillis();
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "anomaly-alerts-tail-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        props.putIfAbsent(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        ContractCodec<AnomalyAlert> codec = kafka.codec(AnomalyAlert.class); // whichever output.format the job writes
        long seen = 0;
        long undecodable = 0;
        try (StopOnSignal stop = StopOnSignal.install(Duration.ofSeconds(3));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long lastAlert = System.currentTimeMillis();
            while (!stop.requested()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    try {
                        AnomalyAlert a = codec.decode(r.value(), null);
                        out.println(json ? AlertFormatter.json(a) : AlertFormatter.line(a));
                        seen++;
                        lastAlert = System.currentTimeMillis();
                    } catch (Exception e) {
                        undecodable++;
                        err.println("alerts: skipped a record at " + r.topic() + "/" + r.partition() + "@" + r.offset()
                                + " that is not an AnomalyAlert: " + e.getMessage());
                    }
                    if (max > 0 && seen >= max) {
                        stop.request();
                        break;
                    }
                }
                out.flush();
                if (timeoutMs > 0 && System.currentTimeMillis() - lastAlert > timeoutMs) {
                    break;
                }
            }
        }
        err.println("alerts: " + seen + " alert(s)" + (undecodable > 0 ? ", " + undecodable + " undecodable record(s) skipped" : ""));
        return max > 0 && seen < max ? 1 : 0;
    }
}
