package com.sensoranomaly.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sensoranomaly.cli.alerts.AlertFormatter;
import com.sensoranomaly.cli.simulate.FaultKind;
import com.sensoranomaly.cli.simulate.PumpSimulator;
import com.sensoranomaly.cli.simulate.SensorFeed;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.ModelBundle;
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

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code demo}: the product end to end on one machine. A Kafka broker and the Flink job start in this
 * JVM, a model is trained on simulated normal history (or given), simulated pumps stream readings with
 * injected faults, and alerts print as on-call would see them. Ctrl-C stops everything.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run it all locally: Kafka + Flink (web UI on localhost:8081) + simulated pumps + the alert stream. Ctrl-C stops.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--bundle", paramLabel = "DIR", description = "use this model bundle instead of training one")
    Path bundle;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "where the demo keeps history and its bundle [default: ${DEFAULT-VALUE}]")
    Path workDir = Path.of("target", "demo");

    @Option(names = "--devices", description = "simulated pumps [default: ${DEFAULT-VALUE}]")
    int devices = 8;

    @Option(names = "--rate", description = "readings per second per pump [default: ${DEFAULT-VALUE}]")
    double rate = 2;

    @Option(names = "--fault-rate", description = "probability per reading that a fault starts on a pump [default: ${DEFAULT-VALUE}]")
    double faultRate = 0.002;

    @Option(names = "--malformed-rate", description = "share of records sent as garbage, to show dead letters [default: ${DEFAULT-VALUE}]")
    double malformedRate = 0.001;

    @Option(names = "--duration", description = "stop by itself after this many seconds (default: until Ctrl-C)")
    long durationSeconds;

    @Option(names = "--ui-port", description = "Flink web UI port, if free [default: ${DEFAULT-VALUE}]")
    int uiPort = 8081;

    @Option(names = "--seed", description = "simulation seed [default: ${DEFAULT-VALUE}]")
    long seed = 7;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final Duration HISTORY = Duration.ofMinutes(15);

    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long started = System.currentTimeMillis();
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(out, started);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is waiting for us; it may now return.
            }
        }
    }

    private int run(PrintWriter out, long started) throws Exception {
        AnomalyModel model = bundle != null ? ModelBundle.load(bundle) : trainModel(out);
        out.printf(Locale.ROOT, "model %s: %s, threshold %.4g%n", model.version(), String.join(", ", model.features()), model.threshold());
        out.println("starting Kafka and Flink...");
        out.flush();
        try (LocalStack stack = LocalStack.start(uiPort, 2)) {
            stack.startJob(model, Map.of(), 2);
            out.printf("Kafka on %s | Flink web UI %s | topics %s -> %s (dead letters: %s)%n", stack.bootstrapServers(),
                    stack.restPort() > 0 ? "http://localhost:" + stack.restPort() : "(port busy, UI off)",
                    LocalStack.READINGS, LocalStack.ALERTS, LocalStack.DEAD_LETTERS);
            out.printf("in another terminal: ./anomaly alerts --bootstrap-servers %s --from-beginning%n", stack.bootstrapServers());
            out.println("Ctrl-C stops everything.");
            out.flush();

            PumpSimulator sim = new PumpSimulator(new PumpSimulator.Settings(devices, seed, faultRate, EnumSet.allOf(FaultKind.class),
                    0.01, Duration.ofMillis(Math.round(1000 / rate)), Instant.now()));
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, "5"),
                    new ByteArraySerializer(), new ByteArraySerializer());
                 KafkaConsumer<byte[], byte[]> alerts = consumer(stack.bootstrapServers(), LocalStack.ALERTS);
                 KafkaConsumer<byte[], byte[]> dead = consumer(stack.bootstrapServers(), LocalStack.DEAD_LETTERS)) {
                SensorFeed feed = new SensorFeed(sim, producer, LocalStack.READINGS, rate, malformedRate, 0,
                        durationSeconds * 1000, seed, stop);
                Thread feedThread = new Thread(feed, "sensor-feed");
                feedThread.setDaemon(true);
                feedThread.start();
                long firing = 0, resolved = 0, deadLetters = 0, lastStatus = System.currentTimeMillis(), lastSent = 0;
                long firstAlertMs = -1;
                while (!stop.get() && feedThread.isAlive()) {
                    for (ConsumerRecord<byte[], byte[]> r : alerts.poll(Duration.ofMillis(200))) {
                        AnomalyAlert a = AvroContracts.alert(r.value());
                        if (a.getStatus().name().equals("FIRING")) {
                            firing++;
                            if (firstAlertMs < 0) {
                                firstAlertMs = System.currentTimeMillis() - started;
                            }
                        } else {
                            resolved++;
                        }
                        out.println(AlertFormatter.line(a));
                    }
                    deadLetters += dead.poll(Duration.ZERO).count();
                    long now = System.currentTimeMillis();
                    if (now - lastStatus >= 5000) {
                        long sent = feed.sent();
                        out.printf(Locale.ROOT, "[status] readings sent %,d (%.0f/s) | scored by the job %s | dead letters %d | alerts %d firing, %d resolved | faults injected %d%n",
                                sent, (sent - lastSent) * 1000.0 / (now - lastStatus), scored(stack), deadLetters, firing, resolved, sim.faults().size());
                        lastStatus = now;
                        lastSent = sent;
                    }
                    out.flush();
                }
                stop.set(true);
                feedThread.join(5000);
                out.printf(Locale.ROOT, "%nsummary: %,d readings sent (%d malformed), %d dead letters seen, %d alerts fired, %d resolved, %d faults injected%s; ran %.0f s%n",
                        feed.sent(), feed.malformed(), deadLetters, firing, resolved, sim.faults().size(),
                        firstAlertMs < 0 ? "" : String.format(Locale.ROOT, ", first alert after %.0f s", firstAlertMs / 1000.0),
                        (System.currentTimeMillis() - started) / 1000.0);
            }
            out.println("stopping Flink and Kafka...");
            out.flush();
        }
        out.println("stopped.");
        out.flush();
        return 0;
    }

    private AnomalyModel trainModel(PrintWriter out) throws Exception {
        Path bundleDir = workDir.resolve("bundle-seed-" + seed + "-devices-" + devices);
        if (Files.exists(bundleDir.resolve(ModelBundle.MANIFEST))) {
            out.println("reusing the model trained earlier in " + bundleDir);
            return ModelBundle.load(bundleDir);
        }
        out.printf("training a model on %d minutes of simulated normal history of %d pumps...%n", HISTORY.toMinutes(), devices);
        out.flush();
        List<Path> files = PumpSimulator.writeHistoryCsv(workDir.resolve("history"), "history", devices, HISTORY,
                seed, Instant.now().minus(HISTORY));
        TrainerConfig d = TrainerConfig.defaults();
        // A short run keeps the first alert within two minutes; `./anomaly train` uses the full defaults.
        TrainerConfig quick = new TrainerConfig(d.window(), d.hidden(), d.latent(), d.activation(), 20, d.batchSize(),
                d.learningRate(), d.l2(), d.seed(), d.validationFraction(), 4, d.scaler(), d.denoise(), d.thresholdQuantile());
        AutoencoderTrainer.Result r = AutoencoderTrainer.train(quick,
                CsvHistory.readAll(files, CsvHistory.Options.DEFAULT), bundleDir, line -> {
                    if (line.startsWith("early stop") || line.startsWith("training")) {
                        out.println("  " + line);
                        out.flush();
                    }
                });
        out.printf(Locale.ROOT, "  trained in %.1f s; report: %s%n", ((Number) r.training().get("durationMs")).longValue() / 1000.0,
                bundleDir.resolve("report.html"));
        return r.model();
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "demo-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** Readings the scoring operator has taken in, from the local cluster's REST API ("?" if unavailable). */
    private static String scored(LocalStack stack) {
        if (stack.restPort() <= 0 || stack.job() == null) {
            return "?";
        }
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + stack.restPort() + "/jobs/" + stack.job().getJobID())).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode v : new ObjectMapper().readTree(r.body()).path("vertices")) {
                if (v.path("name").asText().contains("score readings")) {
                    return String.format(Locale.ROOT, "%,d", v.path("metrics").path("read-records").asLong());
                }
            }
        } catch (Exception e) {
            // Status is best effort; the alerts are what matters.
        }
        return "?";
    }
}
