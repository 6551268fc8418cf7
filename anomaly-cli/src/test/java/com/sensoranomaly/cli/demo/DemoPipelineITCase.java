package com.sensoranomaly.cli.demo;

import com.sensoranomaly.cli.simulate.FaultKind;
import com.sensoranomaly.cli.simulate.PumpSimulator;
import com.sensoranomaly.cli.simulate.SensorFeed;
import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.trainer.AutoencoderTrainer;
import com.sensoranomaly.trainer.CsvHistory;
import com.sensoranomaly.trainer.TrainerConfig;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's pieces end to end, bounded: a model trained on simulated history, the job on a local Flink
 * against a local Kafka broker, a simulated feed with one injected fault; alerts must come for the faulty
 * pump, inside its fault, and none for the clean one.
 */
class DemoPipelineITCase {
    @TempDir
    Path dir;

    @Test
    void shouldAlertForTheInjectedFaultAndStayQuietForTheCleanPump() throws Exception {
        Instant now = Instant.now();
        List<Path> history = PumpSimulator.writeHistoryCsv(dir, "history", 2, Duration.ofMinutes(20), 21, now.minus(Duration.ofMinutes(20)));
        TrainerConfig d = TrainerConfig.defaults();
        TrainerConfig quick = new TrainerConfig(1, d.hidden(), d.latent(), d.activation(), 15, d.batchSize(), d.learningRate(),
                d.l2(), d.seed(), d.validationFraction(), 4, d.scaler(), d.denoise(), d.thresholdQuantile());
        var model = AutoencoderTrainer.train(quick, CsvHistory.readAll(history, CsvHistory.Options.DEFAULT), dir.resolve("bundle"), l -> { }).model();

        // One reading per second of event time, fed 20 per second of wall time: minutes of plant time in seconds.
        PumpSimulator sim = new PumpSimulator(new PumpSimulator.Settings(2, 21, 0, EnumSet.noneOf(FaultKind.class), 0.01,
                Duration.ofSeconds(1), now));
        sim.scheduleFault(0, FaultKind.CORRELATION_BREAK, "flow", 200, 120);

        try (LocalStack stack = LocalStack.start(0, 2)) {
            stack.startJob(model, Map.of(), 2);
            AtomicBoolean stop = new AtomicBoolean();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer());
                 KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                         ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                         ConsumerConfig.GROUP_ID_CONFIG, "it", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                         ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                SensorFeed feed = new SensorFeed(sim, producer, LocalStack.READINGS, 20, 0, 2 * 500, 0, 21, stop);
                feed.run();
                consumer.subscribe(List.of(LocalStack.ALERTS));
                List<AnomalyAlert> alerts = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 60_000;
                while (System.currentTimeMillis() < deadline
                        && alerts.stream().noneMatch(a -> a.getStatus() == AlertStatus.RESOLVED)) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        alerts.add(AvroContracts.alert(r.value()));
                    }
                }
                // Let any late alert of the clean pump surface before judging silence.
                long settle = System.currentTimeMillis() + 3000;
                while (System.currentTimeMillis() < settle) {
                    consumer.poll(Duration.ofMillis(300)).forEach(r -> alerts.add(decode(r)));
                }
                var fault = sim.faults().get(0);
                assertThat(alerts).as("alerts: %s", alerts).isNotEmpty();
                assertThat(alerts).extracting(AnomalyAlert::getDeviceId).containsOnly("pump-001");
                AnomalyAlert firing = alerts.get(0);
                assertThat(firing.getStatus()).isEqualTo(AlertStatus.FIRING);
                assertThat(firing.getEventTime().toEpochMilli()).isBetween(fault.start(), fault.end());
                assertThat(firing.getTopFeatures()).isNotEmpty();
                assertThat(alerts).extracting(AnomalyAlert::getStatus).contains(AlertStatus.RESOLVED);
            }
        }
    }

    private static AnomalyAlert decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return AvroContracts.alert(r.value());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
