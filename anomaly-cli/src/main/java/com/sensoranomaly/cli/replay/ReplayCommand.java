package com.sensoranomaly.cli.replay;

import com.sensoranomaly.cli.Progress;
import com.sensoranomaly.cli.evaluate.EvaluateCommand;
import com.sensoranomaly.cli.kafka.KafkaOptions;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.SensorReading;
import com.sensoranomaly.trainer.CsvHistory;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code replay}: sensor history CSV → SensorReading records with the rows' own event times. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Replay CSV sensor history to the readings topic: one device per file, at recorded speed × factor or as fast as possible.")
public final class ReplayCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "FILE", description = "CSV files; each file is one device (id: <dir>-<file name>)")
    List<Path> inputs;

    @Option(names = "--topic", description = "readings topic [default: ${DEFAULT-VALUE}]")
    String topic = "sensor-readings";

    @Option(names = "--speed", description = "replay at this multiple of the recorded speed (default: as fast as possible)")
    Double speed;

    @Option(names = "--exclude", split = ",", description = "columns that are not measurements (label columns are always excluded)")
    List<String> exclude = List.of();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (speed != null && !(speed > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--speed must be positive: " + speed);
        }
        List<CsvHistory.File> files = CsvHistory.readAll(inputs, new CsvHistory.Options(Optional.empty(), Optional.empty(), exclude, List.of()));
        long total = files.stream().mapToLong(CsvHistory.File::size).sum();
        Properties props = kafka.clientProperties();
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        long started = System.currentTimeMillis();
        // A progress bar redrawn with \r is for a person at a terminal; in logs and pipes it is noise.
        boolean interactive = Progress.onTerminal();
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (CsvHistory.File f : files) {
                String device = EvaluateCommand.deviceId(f.path());
                byte[] key = device.getBytes(StandardCharsets.UTF_8);
                long fileStart = System.currentTimeMillis();
                for (int i = 0; i < f.size(); i++) {
                    if (speed != null) {
                        long due = fileStart + (long) ((f.times()[i] - f.times()[0]) / speed);
                        long wait = due - System.currentTimeMillis();
                        if (wait > 0) {
                            Thread.sleep(wait);
                        }
                    }
                    Map<String, Double> m = new HashMap<>();
                    for (int j = 0; j < f.features().size(); j++) {
                        double v = f.rows()[i][j];
                        m.put(f.features().get(j), Double.isNaN(v) ? null : v);
                    }
                    producer.send(new ProducerRecord<>(topic, key, AvroContracts.encode(
                            new SensorReading(device, Instant.ofEpochMilli(f.times()[i]), m, Map.of("source", f.path().getFileName().toString())))));
                    sent++;
                    if (interactive && (sent % 1000 == 0 || sent == total)) {
                        Progress.draw(err, sent, total, started);
                    }
                }
            }
            producer.flush();
        }
        if (interactive) {
            err.println();
        }
        double secs = (System.currentTimeMillis() - started) / 1000.0;
        out.printf(Locale.ROOT, "replayed %,d readings from %d file(s) to %s in %.1f s (%,.0f readings/s)%n", sent, files.size(), topic,
                secs, sent / Math.max(secs, 1e-3));
        return 0;
    }
}
