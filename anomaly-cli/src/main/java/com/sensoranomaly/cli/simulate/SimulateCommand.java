package com.sensoranomaly.cli.simulate;

import com.sensoranomaly.cli.kafka.KafkaOptions;
import com.sensoranomaly.job.config.JobConfig;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code simulate}: a live feed of simulated pumps with injected faults, or normal history as CSV. */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Produce simulated pump readings (correlated sensors, noise, drift, gaps, injected faults) to Kafka,"
                + " or write normal history as CSV with --history-out.")
public final class SimulateCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--topic", description = "readings topic [default: ${DEFAULT-VALUE}]")
    String topic = "sensor-readings";

    @Option(names = "--devices", description = "number of pumps [default: ${DEFAULT-VALUE}]")
    int devices = 10;

    @Option(names = "--rate", description = "readings per second per pump (wall clock) [default: ${DEFAULT-VALUE}]")
    double rate = 1;

    @Option(names = "--speedup", description = "event time runs this many times faster than the wall clock [default: ${DEFAULT-VALUE}]")
    double speedup = 1;

    @Option(names = "--duration", description = "stop after this long, e.g. 10m (default: until Ctrl-C)")
    String duration;

    @Option(names = "--count", description = "stop after this many readings")
    long count;

    @Option(names = "--fault-rate", description = "probability per reading that a fault starts on a pump [default: ${DEFAULT-VALUE}]")
    double faultRate = 0.002;

    @Option(names = "--fault-kinds", split = ",", description = "fault kinds to inject: ${COMPLETION-CANDIDATES} [default: all]")
    Set<FaultKind> faultKinds = EnumSet.allOf(FaultKind.class);

    @Option(names = "--missing-rate", description = "probability that a sensor value is missing [default: ${DEFAULT-VALUE}]")
    double missingRate = 0.01;

    @Option(names = "--malformed-rate", description = "probability that a record is not a valid reading [default: ${DEFAULT-VALUE}]")
    double malformedRate = 0;

    @Option(names = "--seed", description = "random seed [default: ${DEFAULT-VALUE}]")
    long seed = 7;

    @Option(names = "--ground-truth", paramLabel = "FILE", description = "write each injected fault as a JSON line")
    Path groundTruth;

    @Option(names = "--history-out", paramLabel = "DIR", description = "instead of producing: write normal history, one CSV per pump, into DIR")
    Path historyOut;

    @Option(names = "--history-span", description = "span of --history-out, e.g. 6h [default: ${DEFAULT-VALUE}]")
    String historySpan = "6h";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        validate();
        if (historyOut != null) {
            Duration span = JobConfig.parseDuration("--history-span", historySpan);
            List<Path> files = PumpSimulator.writeHistoryCsv(historyOut, "history", devices, span, seed, Instant.now().minus(span));
            out.printf(Locale.ROOT, "wrote %s of normal history for %d pump(s) to %s (%d files)%n", historySpan, devices, historyOut, files.size());
            return 0;
        }
        long durationMs = duration == null ? 0 : JobConfig.parseDuration("--duration", duration).toMillis();
        PumpSimulator sim = new PumpSimulator(new PumpSimulator.Settings(devices, seed, faultRate, faultKinds, missingRate,
                Duration.ofMillis(Math.max(1, Math.round(1000 * speedup / rate))), Instant.now()));
        Properties props = kafka.clientProperties();
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "20");
        AtomicBoolean stop = new AtomicBoolean();
        Thread hook = new Thread(() -> stop.set(true));
        Runtime.getRuntime().addShutdownHook(hook);
        long started = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            SensorFeed feed = new SensorFeed(sim, producer, topic, rate, malformedRate, count, durationMs, seed, stop);
            Thread t = new Thread(feed, "sensor-feed");
            t.start();
            out.printf(Locale.ROOT, "producing %d pumps × %.1f readings/s to %s on %s (Ctrl-C stops)%n", devices, rate, topic, kafka.bootstrapServers);
            out.flush();
            while (t.isAlive()) {
                t.join(5000);
                out.printf(Locale.ROOT, "  %,d readings sent, %,d malformed, %d faults injected%n", feed.sent(), feed.malformed(), sim.faults().size());
                out.flush();
            }
            writeGroundTruth(sim.faults());
            out.printf(Locale.ROOT, "done: %,d readings (%,d malformed) in %.1f s, %d faults injected%s%n", feed.sent(), feed.malformed(),
                    (System.currentTimeMillis() - started) / 1000.0, sim.faults().size(), groundTruth == null ? "" : ", ground truth in " + groundTruth);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running already.
            }
        }
        return 0;
    }

    private void validate() {
        CommandLine cl = spec.commandLine();
        if (devices < 1) {
            throw new CommandLine.ParameterException(cl, "--devices must be at least 1: " + devices);
        }
        if (!(rate > 0)) {
            throw new CommandLine.ParameterException(cl, "--rate must be positive: " + rate);
        }
        if (!(speedup > 0)) {
            throw new CommandLine.ParameterException(cl, "--speedup must be positive: " + speedup);
        }
        for (double p : List.of(faultRate, missingRate, malformedRate)) {
            if (p < 0 || p > 1) {
                throw new CommandLine.ParameterException(cl, "rates must be within 0..1: " + p);
            }
        }
    }

    private void writeGroundTruth(List<Fault> faults) throws java.io.IOException {
        if (groundTruth != null) {
            Files.write(groundTruth, faults.stream().map(Fault::toJson).toList());
        }
    }
}
