package com.sensoranomaly.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sensoranomaly.cli.demo.LocalStack;
import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.job.detection.EpisodeState;
import com.sensoranomaly.job.scoring.DeviceCalibrator;
import com.sensoranomaly.job.scoring.DeviceState;
import com.sensoranomaly.job.scoring.WarmupBlocks;
import com.sensoranomaly.kafka.LocalKafka;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.DeviceModel;
import com.sensoranomaly.model.DeviceWindow;
import com.sensoranomaly.model.Reconstructor;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.SensorReading;
import com.sensoranomaly.trainer.AutoencoderTrainer;
import com.sensoranomaly.trainer.CsvHistory;
import com.sensoranomaly.trainer.TrainerConfig;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code bench}: throughput and latency of the whole job against what Kafka itself moves on this machine,
 * measured in one run so the ratios are fair on a noisy host.
 *
 * <ol>
 *   <li>(a) ceiling: a plain Kafka consumer → producer pass-through of the same records;</li>
 *   <li>(b) the job end to end (decode, validate, impute, score, thresholds, alerts), exactly-once, parallelism = cores;</li>
 *   <li>(c) the same job scoring the tutorial way, one DL4J {@code output()} call per event;</li>
 *   <li>event → alert latency at half of (b)'s rate; state bytes per device; heap and RSS peaks.</li>
 * </ol>
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure the job's throughput vs a plain Kafka pass-through and vs per-event DL4J scoring, latency, and state size.")
public final class BenchCommand implements Callable<Integer> {
    static final List<String> FEATURES = List.of("flow", "pressure", "current", "vibration", "temperature", "voltage",
            "vibration_axial", "bearing_temperature");

    private static final int SMALL = 10_000;

    @Option(names = "--events", description = "readings for the throughput runs [default: ${DEFAULT-VALUE}]")
    int events = 1_000_000;

    @Option(names = "--naive-events", description = "readings for the per-event DL4J run (it is slow) [default: ${DEFAULT-VALUE}]")
    int naiveEvents = 40_000;

    @Option(names = "--devices", description = "devices in the throughput runs [default: ${DEFAULT-VALUE}]")
    int devices = 1000;

    @Option(names = "--latency-seconds", description = "length of the latency run [default: ${DEFAULT-VALUE}]")
    int latencySeconds = 20;

    @Option(names = "--latency-warmup-seconds", description = "seconds at the latency run's rate before it is measured "
            + "(the step from an idle job to that rate; its alerts are reported apart) [default: ${DEFAULT-VALUE}]")
    int latencyWarmupSeconds = 3;

    @Option(names = "--latency-delivery", paramLabel = "GUARANTEE",
            description = "delivery guarantee of the latency run: at-least-once (what the job itself adds) | exactly-once "
                    + "(alerts visible to read_committed consumers when the checkpoint holding them completes) [default: ${DEFAULT-VALUE}]")
    String latencyDelivery = "at-least-once";

    @Option(names = "--latency-checkpoint", paramLabel = "DURATION",
            description = "checkpoint.interval of the latency run, e.g. 1s (default: the job's own default)")
    String latencyCheckpoint;

    @Option(names = "--buffer-timeout", paramLabel = "DURATION",
            description = "the job's buffer-timeout setting in every run, e.g. 100ms for Flink's own default (default: the job's default)")
    String bufferTimeout;

    @Option(names = "--latency-samples", paramLabel = "FILE",
            description = "write every FIRING alert of the latency run as CSV: event, detection and receive times (ms)")
    Path latencySamples;

    @Option(names = "--state-backend", paramLabel = "BACKEND",
            description = "instead of the comparison above: run the job over --devices devices with this state backend "
                    + "(hashmap | rocksdb, Flink's state.backend.type) and report throughput, checkpoint size and duration, heap and RSS")
    String stateBackend;

    @Option(names = "--readings-per-device", description = "readings of each device in the --state-backend run [default: ${DEFAULT-VALUE}]")
    int readingsPerDevice = 20;

    @Option(names = "--incremental", negatable = true, description = "incremental checkpoints in the --state-backend run "
            + "(execution.checkpointing.incremental; RocksDB only) [default: ${DEFAULT-VALUE}]")
    boolean incremental = true;

    @Option(names = "--kill-taskmanager-at", paramLabel = "FRACTION", description = "with --state-backend: terminate the "
            + "TaskManager once this fraction of the readings is scored and a checkpoint completed, replace it, and measure "
            + "the recovery (0: no kill) [default: ${DEFAULT-VALUE}]")
    double killTaskManagerAt = 0;

    @Option(names = "--flink-conf", paramLabel = "KEY=VALUE", description = "a Flink setting for every job of the run, "
            + "e.g. state.backend.type=rocksdb (the comparison and latency on the production backend) or "
            + "taskmanager.memory.managed.size=1g, or a job setting as anomaly.<setting>; repeatable")
    Map<String, String> flinkConf = new LinkedHashMap<>();

    @Option(names = "--parallelism", description = "job parallelism [default: number of cores]")
    int parallelism = Runtime.getRuntime().availableProcessors();

    @Option(names = "--report", paramLabel = "FILE", description = "write the figures as JSON")
    Path report;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        if (events < 20 * SMALL) {
            // The job-start correction needs the full run to be long next to the small one.
            throw new CommandLine.ParameterException(spec.commandLine(), "--events must be at least " + 20 * SMALL
                    + " for a meaningful rate: " + events);
        }
        if (!latencyDelivery.equals("at-least-once") && !latencyDelivery.equals("exactly-once")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--latency-delivery must be at-least-once or exactly-once: " + latencyDelivery);
        }
        if (naiveEvents < 1000 || latencySeconds < 1 || latencyWarmupSeconds < 0 || devices < 1 || parallelism < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--naive-events must be at least 1000, --latency-seconds, --devices and --parallelism at least 1");
        }
        if (killTaskManagerAt < 0 || killTaskManagerAt >= 1 || (killTaskManagerAt > 0 && stateBackend == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--kill-taskmanager-at must be in [0, 1) and needs --state-backend: " + killTaskManagerAt);
        }
        if (stateBackend != null && !List.of("hashmap", "rocksdb", "forst").contains(stateBackend)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--state-backend must be hashmap, rocksdb or forst: " + stateBackend);
        }
        Path work = Files.createTempDirectory("anomaly-bench");
        if (stateBackend != null) {
            return stateRun(work);
        }
        say("training the benchmark model (8 features, default window and sizes)...");
        AutoencoderTrainer.Result trained = trainModel(work);
        AnomalyModel model = trained.model();
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(work.resolve("bundle/model.zip").toFile());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model_layers", trained.training().get("layers"));
        r.put("window", model.window());
        r.put("parallelism", parallelism);
        r.put("events", events);
        r.put("flink_conf", flinkConf);

        try (LocalKafka kafka = LocalKafka.start()) {
            String bs = kafka.bootstrapServers();
            kafka.createTopics(parallelism, "bench-in", "bench-small", "bench-copy", "bench-alerts", "bench-dlq", "naive-in", "lat-in", "lat-alerts");
            say(String.format(Locale.ROOT, "producing %,d readings of %d devices...", events, devices));
            double produceEps = produce(bs, "bench-in", events, devices, model, 0.001);
            r.put("produce_eps", produceEps);
            produce(bs, "naive-in", naiveEvents, devices, model, 0.001);
            produce(bs, "bench-small", SMALL, devices, model, 0.001);

            double ceiling = passThrough(bs, "bench-in", "bench-copy", events);
            r.put("ceiling_eps", ceiling);
            say(String.format(Locale.ROOT, "(a) Kafka pass-through ceiling: %,.0f events/s", ceiling));

            // A bounded job's runtime includes deploying its tasks; a small run measures that fixed cost so the
            // figure compared with the ceiling is the processing rate, as the ceiling's is.
            double small = runBounded(bs, model, "bench-small", Reconstructor.PLAIN_JAVA, "job-small");
            FullRun run = runFull(bs, model, "bench-in", "job");
            double full = run.seconds();
            // Guard against a noisy small run: never credit the job with more than the whole run's start.
            double job = (events - SMALL) / Math.max(full - small, 0.5 * full);
            r.put("job_eps", job);
            r.put("job_eps_including_startup", events / full);
            r.put("job_startup_s", small);
            say(String.format(Locale.ROOT, "(b) the job, end to end:         %,.0f events/s (%,.0f including %.1f s of job start)", job, events / full, small));
            r.put("job_eps_after_warmup", run.afterWarmupEps());
            say(String.format(Locale.ROOT, "    once every device has its own model (readings %,d to %,d): %,.0f events/s",
                    run.from(), run.to(), run.afterWarmupEps()));

            double naive = naiveEvents / runBounded(bs, model, "naive-in", new Dl4jPerEventEngine(net), "naive");
            r.put("naive_eps", naive);
            say(String.format(Locale.ROOT, "(c) per-event DL4J scoring:      %,.0f events/s (%,d events)", naive, naiveEvents));

            LatencySamples latency = latency(bs, model, job / 2);
            r.put("latency_rate_eps", job / 2);
            r.put("latency_delivery", latencyDelivery);
            r.put("latency_checkpoint_interval", latencyCheckpoint == null ? "default" : latencyCheckpoint);
            r.put("latency_alerts", (long) latency.size());
            LatencySamples warm = latency.warmup();
            r.put("latency_warmup_seconds", latencyWarmupSeconds);
            r.put("latency_warmup_alerts", (long) warm.size());
            r.put("latency_warmup_p99_ms", warm.total(0.99));
            r.put("latency_warmup_max_ms", warm.total(1.0));
            r.put("p50_latency_ms", latency.total(0.5));
            r.put("p99_latency_ms", latency.total(0.99));
            r.put("p999_latency_ms", latency.total(0.999));
            r.put("max_latency_ms", latency.total(1.0));
            // Where the time goes: reading → decision (source, shuffle, scoring, episodes) and decision → consumer
            // (sink, broker, reading the alert back).
            r.put("p50_detect_ms", latency.detect(0.5));
            r.put("p99_detect_ms", latency.detect(0.99));
            r.put("p999_detect_ms", latency.detect(0.999));
            r.put("p50_deliver_ms", latency.deliver(0.5));
            r.put("p99_deliver_ms", latency.deliver(0.99));
            r.put("p999_deliver_ms", latency.deliver(0.999));
            if (latencySamples != null) {
                latency.writeCsv(latencySamples);
            }
        }
        r.put("ratio_job_vs_ceiling", (double) r.get("job_eps") / (double) r.get("ceiling_eps"));
        r.put("ratio_job_vs_naive", (double) r.get("job_eps") / (double) r.get("naive_eps"));
        r.put("ratio_job_after_warmup_vs_ceiling", (double) r.get("job_eps_after_warmup") / (double) r.get("ceiling_eps"));
        // The headline figure is the default configuration's: each device with its own fitted model.
        long[] own = deviceModelStateBytes(model, 400);
        r.put("state_bytes_per_device", own[1]);
        r.put("state_bytes_per_device_warming_up", own[0]);
        r.put("state_bytes_per_device_rewritten_per_reading", own[2]);
        r.put("state_bytes_1m_devices", own[1] * 1_000_000L);
        r.put("state_bytes_per_device_fleet_model_only", stateBytes(model));
        r.put("state_bytes_per_device_fleet_model_only_window_10", stateBytesForWindow(10, FEATURES.size()));
        r.put("heap_peak_mb", heapPeakMb());
        r.put("rss_peak_mb", rssPeakMb());

        out.println();
        if (!flinkConf.isEmpty()) {
            out.println("Flink settings of every job: " + flinkConf);
        }
        out.printf(Locale.ROOT, "ceiling (a) %,.0f ev/s | job (b) %,.0f ev/s | naive (c) %,.0f ev/s%n", r.get("ceiling_eps"), r.get("job_eps"), r.get("naive_eps"));
        out.printf(Locale.ROOT, "b/a = %.2f (goal >= 0.6) | b/c = %.0f (goal >= 20) | b/a once every device has its own model = %.2f%n",
                r.get("ratio_job_vs_ceiling"), r.get("ratio_job_vs_naive"), r.get("ratio_job_after_warmup_vs_ceiling"));
        out.printf(Locale.ROOT, "event->alert latency at %,.0f ev/s (%s sink, checkpoint interval %s): p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms, max %.0f ms over %d alerts (goal p99 < 200 ms)%n",
                r.get("latency_rate_eps"), r.get("latency_delivery"), r.get("latency_checkpoint_interval"), r.get("p50_latency_ms"),
                r.get("p99_latency_ms"), r.get("p999_latency_ms"), r.get("max_latency_ms"), r.get("latency_alerts"));
        out.printf(Locale.ROOT, "  warm-up (first %d s at that rate, not in the figures above): p99 %.0f ms, max %.0f ms over %d alerts%n",
                r.get("latency_warmup_seconds"), r.get("latency_warmup_p99_ms"), r.get("latency_warmup_max_ms"), r.get("latency_warmup_alerts"));
        out.printf(Locale.ROOT, "  event->detection (source, shuffle, scoring): p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms%n",
                r.get("p50_detect_ms"), r.get("p99_detect_ms"), r.get("p999_detect_ms"));
        out.printf(Locale.ROOT, "  detection->received (sink, broker, consumer): p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms%n",
                r.get("p50_deliver_ms"), r.get("p99_deliver_ms"), r.get("p999_deliver_ms"));
        out.printf(Locale.ROOT, "state per device (default: its own model): %,d bytes once fitted (%,d of them rewritten by a reading, the rest the fitted model), %,d while warming up (400 readings kept); 1,000,000 devices: %.1f GB%n",
                r.get("state_bytes_per_device"), r.get("state_bytes_per_device_rewritten_per_reading"), r.get("state_bytes_per_device_warming_up"),
                (long) r.get("state_bytes_1m_devices") / 1e9);
        out.printf(Locale.ROOT, "with the fleet model alone: %d bytes (window 1), %d bytes (window 10) (goal < 2 KB per device)%n",
                r.get("state_bytes_per_device_fleet_model_only"), r.get("state_bytes_per_device_fleet_model_only_window_10"));
        out.printf(Locale.ROOT, "peaks of this JVM (broker + Flink + clients): heap %d MB, RSS %d MB%n", r.get("heap_peak_mb"), r.get("rss_peak_mb"));
        writeReport(r);
        out.flush();
        return 0;
    }

    /** Writes the figures as JSON to {@code --report}, if given. */
    private void writeReport(Map<String, Object> r) throws java.io.IOException {
        if (report != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(report.toFile(), r);
            out.println("report: " + report);
        }
    }

    /** {@code --state-backend}: many devices, one backend; what an operator sizes a cluster from. */
    private int stateRun(Path work) throws Exception {
        say("training the benchmark model (8 features, default window and sizes)...");
        AnomalyModel model = trainModel(work).model();
        long readings = (long) devices * readingsPerDevice;
        if (readings > Integer.MAX_VALUE) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--devices × --readings-per-device is too large: " + readings);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("state_backend", stateBackend);
        r.put("incremental", incremental);
        r.put("devices", devices);
        r.put("readings_per_device", readingsPerDevice);
        r.put("parallelism", parallelism);
        r.put("flink_conf", flinkConf);
        try (LocalKafka kafka = LocalKafka.start()) {
            String bs = kafka.bootstrapServers();
            kafka.createTopics(parallelism, "state-in", "bench-alerts", "bench-dlq");
            say(String.format(Locale.ROOT, "producing %,d readings: %,d devices × %d...", readings, devices, readingsPerDevice));
            r.put("produce_eps", produce(bs, "state-in", (int) readings, devices, model, 0.001));
            say(String.format(Locale.ROOT, "the job with state backend %s%s, checkpoints every 5 s...", stateBackend,
                    incremental && !stateBackend.equals("hashmap") ? " (incremental checkpoints)" : ""));
            JobConfig cfg = config(bs, "state-in", "state", Map.of("start.from", "earliest", "checkpoint.interval", "5s"));
            if (killTaskManagerAt > 0) {
                RecoveryBench.Result k;
                try {
                    k = new RecoveryBench(this::say).run(model, cfg, stateBackend, incremental, readings,
                            killTaskManagerAt, parallelism, work, flinkConf);
                } catch (RecoveryBench.RunTooShort e) {
                    spec.commandLine().getErr().println("bench: " + e.getMessage());
                    return 1;
                }
                r.put("kill_at_fraction", killTaskManagerAt);
                r.put("eps_before_kill", k.epsBeforeKill());
                r.put("restored_checkpoint_id", k.restoredCheckpointId());
                r.put("restored_state_bytes", k.restoredStateBytes());
                r.put("ms_kill_to_running", k.msToRunning());
                r.put("ms_kill_to_first_scored", k.msToFirstScored());
                r.put("ms_kill_to_caught_up", k.msToCaughtUp());
                r.put("scored_after_restore", k.scoredAfterRestore());
                r.put("heap_peak_mb", heapPeakMb());
                r.put("rss_peak_mb", rssPeakMb());
                out.println();
                out.printf(Locale.ROOT, "%s, %,d devices × %d readings, TaskManager terminated at %.0f %% (%,.0f readings/s before):%n",
                        stateBackend, devices, readingsPerDevice, 100 * killTaskManagerAt, k.epsBeforeKill());
                out.printf(Locale.ROOT, "restored checkpoint %d (%,d bytes of state); job running %,d ms after the kill, first reading scored after %,d ms, "
                        + "backlog read after %,d ms (%,d readings scored since the restore)%n", k.restoredCheckpointId(), k.restoredStateBytes(),
                        k.msToRunning(), k.msToFirstScored(), k.msToCaughtUp(), k.scoredAfterRestore());
                writeReport(r);
                out.flush();
                return 0;
            }
            StateBench.Result s = new StateBench(this::say).run(bs, model, cfg, stateBackend, incremental, readings, parallelism, work, flinkConf);
            r.putAll(StateBench.asReport(s, devices));
        }
        r.put("heap_peak_mb", heapPeakMb());
        r.put("rss_peak_mb", rssPeakMb());
        out.println();
        double eps = (double) r.get("state_eps");
        out.printf(Locale.ROOT, "%s, %,d devices × %d readings: %s%n", stateBackend, devices, readingsPerDevice,
                Double.isNaN(eps) ? "every reading scored between two samples (250 ms): too few to give a rate" : String.format(Locale.ROOT, "%,.0f readings/s", eps));
        out.printf(Locale.ROOT, "checkpoint after the last reading: state %,d bytes (%,d per device), %,d bytes written by it, %d ms%n",
                r.get("checkpoint_state_bytes"), r.get("state_bytes_per_device"), r.get("checkpointed_bytes"), r.get("checkpoint_duration_ms"));
        if ((int) r.get("checkpoints_during_run") == 0) {
            out.printf(Locale.ROOT, "while readings flowed: no checkpoint completed (%d failed)%n", r.get("checkpoints_failed_during_run"));
        } else {
            out.printf(Locale.ROOT, "while readings flowed: %d checkpoints completed (%d failed), each wrote median %,d / max %,d bytes in median %d / max %d ms%n",
                    r.get("checkpoints_during_run"), r.get("checkpoints_failed_during_run"), r.get("checkpoint_written_bytes_median_during_run"),
                    r.get("checkpoint_written_bytes_max_during_run"), r.get("checkpoint_duration_ms_median_during_run"), r.get("checkpoint_duration_ms_max_during_run"));
        }
        out.printf(Locale.ROOT, "local state directory %,d bytes; heap after GC %d MB, RSS %d MB; peaks heap %d MB, RSS %d MB%n",
                r.get("local_state_dir_bytes"), r.get("heap_used_after_gc_mb"), r.get("rss_mb"), r.get("heap_peak_mb"), r.get("rss_peak_mb"));
        writeReport(r);
        out.flush();
        return 0;
    }

    /** The operator's Flink settings ({@code --flink-conf}) for a job of the comparison; each run adds its own on top. */
    private Configuration jobConf() {
        return Configuration.fromMap(flinkConf);
    }

    private void say(String s) {
        out.println(s);
        out.flush();
    }

    /** A model like the default one, trained briefly on synthetic pump data with 8 correlated sensors. */
    private AutoencoderTrainer.Result trainModel(Path work) throws Exception {
        int n = 6000;
        Random rnd = new Random(1);
        long[] times = new long[n];
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            times[i] = 1_700_000_000_000L + i * 1000L;
            rows[i] = normalRow(rnd);
        }
        CsvHistory.File file = new CsvHistory.File(work.resolve("synthetic.csv"), FEATURES, times, rows, Map.of(), List.of());
        Files.writeString(file.path(), "synthetic benchmark data\n");
        TrainerConfig d = TrainerConfig.defaults();
        TrainerConfig quick = new TrainerConfig(d.window(), d.hidden(), d.latent(), d.activation(), 5, d.batchSize(), d.learningRate(),
                d.l2(), d.seed(), d.validationFraction(), d.patience(), d.scaler(), d.denoise(), d.thresholdQuantile());
        return AutoencoderTrainer.train(quick, List.of(file), work.resolve("bundle"), l -> { });
    }

    static double[] normalRow(Random rnd) {
        double speed = 1 + 0.05 * rnd.nextGaussian();
        double flow = 120 * speed + rnd.nextGaussian();
        double pressure = 3 * speed * speed + 0.03 * rnd.nextGaussian();
        double current = 5 * speed + 0.08 * rnd.nextGaussian();
        double vibration = 0.2 * speed + 0.01 * rnd.nextGaussian();
        double temperature = 65 + 4 * speed + 0.15 * rnd.nextGaussian();
        double voltage = 230 + 1.5 * rnd.nextGaussian();
        return new double[] {flow, pressure, current, vibration, temperature, voltage,
                0.8 * vibration + 0.005 * rnd.nextGaussian(), 0.5 * temperature + 10 + 0.1 * rnd.nextGaussian()};
    }

    private static byte[] encode(String device, long time, double[] row) {
        Map<String, Double> m = new HashMap<>();
        for (int j = 0; j < FEATURES.size(); j++) {
            m.put(FEATURES.get(j), row[j]);
        }
        return AvroContracts.encode(new SensorReading(device, Instant.ofEpochMilli(time), m, Map.of()));
    }

    private static KafkaProducer<byte[], byte[]> producer(String bs, int lingerMs) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bs, ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs),
                ProducerConfig.BATCH_SIZE_CONFIG, "262144"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Pre-produces readings: devices take turns, one second of event time apart per device; a few anomalous stretches. */
    private double produce(String bs, String topic, int count, int deviceCount, AnomalyModel model, double anomalyRate) {
        Random rnd = new Random(2);
        long start = System.nanoTime();
        long t0 = Instant.now().minus(Duration.ofDays(1)).toEpochMilli();
        try (KafkaProducer<byte[], byte[]> p = producer(bs, 20)) {
            byte[][] keys = new byte[deviceCount][];
            for (int d = 0; d < deviceCount; d++) {
                keys[d] = ("dev-" + d).getBytes(StandardCharsets.UTF_8);
            }
            int[] anomalousLeft = new int[deviceCount];
            for (int i = 0; i < count; i++) {
                int d = i % deviceCount;
                double[] row = normalRow(rnd);
                if (anomalousLeft[d] == 0 && rnd.nextDouble() < anomalyRate) {
                    anomalousLeft[d] = 10;
                }
                if (anomalousLeft[d] > 0) {
                    row[0] *= 0.6; // flow collapses while the motor current holds
                    anomalousLeft[d]--;
                }
                p.send(new ProducerRecord<>(topic, keys[d], encode("dev-" + d, t0 + (i / deviceCount) * 1000L, row)));
            }
            p.flush();
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private double passThrough(String bs, String from, String to, int count) {
        long copied = 0;
        long start = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bs,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-ceiling", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000", ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "52428800"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> p = producer(bs, 20)) {
            c.subscribe(List.of(from));
            while (copied < count) {
                ConsumerRecords<byte[], byte[]> recs = c.poll(Duration.ofMillis(500));
                if (start == 0 && !recs.isEmpty()) {
                    start = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : recs) {
                    p.send(new ProducerRecord<>(to, r.key(), r.value()));
                    copied++;
                }
            }
            p.flush();
        }
        return copied / ((System.nanoTime() - start) / 1e9);
    }

    private static JobConfig config(String bs, String in, String alerts, String group, Map<String, String> extra) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("topic.readings", in);
        s.put("topic.alerts", alerts);
        s.put("topic.dead-letters", "bench-dlq");
        s.put("group.id", group);
        s.putAll(extra);
        return LocalStack.config(bs, s);
    }

    private JobConfig config(String bs, String in, String group, Map<String, String> extra) {
        Map<String, String> s = new LinkedHashMap<>(extra);
        if (bufferTimeout != null) {
            s.put("buffer-timeout", bufferTimeout);
        }
        s.putAll(jobSettings());
        return config(bs, in, "bench-alerts", group, s);
    }

    /**
     * Job settings among the {@code --flink-conf} entries: {@code anomaly.<setting>}, as a job submitted to a cluster reads
     * them from Flink's configuration ({@link JobConfig#FLINK_CONFIG_PREFIX}); e.g. anomaly.scoring.model-cache=0.
     */
    private Map<String, String> jobSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        flinkConf.forEach((k, v) -> {
            if (k.startsWith(JobConfig.FLINK_CONFIG_PREFIX)) {
                s.put(k.substring(JobConfig.FLINK_CONFIG_PREFIX.length()), v);
            }
        });
        return s;
    }

    /** Runs the job over a topic to its end; returns the job's net runtime in seconds. */
    private double runBounded(String bs, AnomalyModel model, String topic, Reconstructor.Factory engine, String group) throws Exception {
        JobConfig cfg = config(bs, topic, group, Map.of("source.stop-at-latest", "true"));
        JobExecutionResult result = LocalStack.pipeline(StreamExecutionEnvironment.createLocalEnvironment(parallelism, jobConf()),
                model, cfg, engine).execute("bench-" + group);
        return result.getNetRuntime() / 1000.0;
    }

    /**
     * The full run, with the scoring operator's input count sampled every 10 ms from its Flink counter in this JVM
     * ({@link ScoredReadings}). Besides the whole run's time, the rate over the readings after every device's warm-up (the
     * first {@code calibration.events} = 400 readings of each device, the fit at the last of them): readings from 1/10
     * past the warm-up to 19/20 of the run, as a fleet whose devices have long had their own models runs.
     */
    record FullRun(double seconds, long from, long to, double afterWarmupEps) {}

    private FullRun runFull(String bs, AnomalyModel model, String topic, String group) throws Exception {
        String name = "bench-" + group;
        ScoredReadings.reset(name);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, ScoredReadings.addTo(jobConf()));
        JobConfig cfg = config(bs, topic, group, Map.of("source.stop-at-latest", "true"));
        JobClient job = LocalStack.pipeline(env, model, cfg, Reconstructor.PLAIN_JAVA).executeAsync(name);
        long warmup = 400L * devices;
        long from = Math.min(events - 1, warmup + events / 10), to = Math.max(from + 1, events - events / 20);
        // Each new count with the time it was seen; the rate is the least-squares slope over those within [from, to].
        List<double[]> seen = new ArrayList<>();
        long last = -1;
        java.util.concurrent.CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        while (!result.isDone()) {
            Thread.sleep(10);
            long n = ScoredReadings.of(name);
            if (n != last && n >= from && n <= to) {
                seen.add(new double[] {System.nanoTime() / 1e9, n});
            }
            last = n;
        }
        double seconds = result.get().getNetRuntime() / 1000.0;
        double after = Double.NaN;
        if (seen.size() >= 3) {
            double mt = 0, mn = 0;
            for (double[] p : seen) {
                mt += p[0] / seen.size();
                mn += p[1] / seen.size();
            }
            double cov = 0, var = 0;
            for (double[] p : seen) {
                cov += (p[0] - mt) * (p[1] - mn);
                var += (p[0] - mt) * (p[0] - mt);
            }
            after = cov / var;
        }
        long fromCount = seen.isEmpty() ? 0 : (long) seen.get(0)[1];
        long toCount = seen.isEmpty() ? 0 : (long) seen.get(seen.size() - 1)[1];
        return new FullRun(seconds, fromCount, toCount, after);
    }

    /** Event → alert latency: readings stamped with their send time, alerts read as soon as they are written. */
    private LatencySamples latency(String bs, AnomalyModel model, double rate) throws Exception {
        say(String.format(Locale.ROOT, "latency: %d s at %,.0f readings/s with %s alerts (after %d s of warm-up at that rate)...",
                latencySeconds, rate, latencyDelivery, latencyWarmupSeconds));
        Map<String, String> settings = new LinkedHashMap<>(Map.of("delivery.guarantee", latencyDelivery,
                "start.from", "latest", "watermark.idleness", "5s"));
        if (latencyCheckpoint != null) {
            settings.put("checkpoint.interval", latencyCheckpoint);
        }
        if (bufferTimeout != null) {
            settings.put("buffer-timeout", bufferTimeout);
        }
        settings.putAll(jobSettings());
        JobConfig cfg = config(bs, "lat-in", "lat-alerts", "latency", settings);
        JobClient job = LocalStack.pipeline(StreamExecutionEnvironment.createLocalEnvironment(parallelism, jobConf()),
                model, cfg, Reconstructor.PLAIN_JAVA).executeAsync("bench-latency");
        LatencySamples latencies = new LatencySamples(Long.MIN_VALUE); // set when the load starts
        // Alerts are read on their own thread, blocked in poll, so each is stamped when it arrives rather than when the
        // load generator next finds time to look (that added up to one send batch to every figure).
        AlertReader reader = new AlertReader(bs, latencies);
        Thread readerThread = new Thread(reader, "bench-alert-reader");
        readerThread.start();
        try (KafkaProducer<byte[], byte[]> p = producer(bs, 1)) {
            Thread.sleep(8000); // the job is deployed and its source positioned at the end of the topic
            int deviceCount = 10_000;
            Random rnd = new Random(3);
            int[] anomalousLeft = new int[deviceCount];
            long[] last = new long[deviceCount];
            long start = System.nanoTime();
            long sent = 0;
            latencies.measureFrom(System.currentTimeMillis() + latencyWarmupSeconds * 1000L);
            long end = start + (latencyWarmupSeconds + latencySeconds) * 1_000_000_000L;
            while (System.nanoTime() < end) {
                long ahead = start + (long) (sent * 1e9 / rate) - System.nanoTime();
                if (ahead > 1_000_000) {
                    // Sleep rather than spin: on 2 cores a spinning load generator would steal the job's CPU.
                    java.util.concurrent.locks.LockSupport.parkNanos(ahead);
                }
                int d = (int) (sent % deviceCount);
                double[] row = normalRow(rnd);
                if (anomalousLeft[d] == 0 && rnd.nextDouble() < 0.002) {
                    anomalousLeft[d] = ANOMALY_STRETCH;
                }
                if (anomalousLeft[d] > 0) {
                    row[0] *= 0.6;
                    anomalousLeft[d]--;
                }
                long now = Math.max(System.currentTimeMillis(), last[d] + 1);
                last[d] = now;
                p.send(new ProducerRecord<>("lat-in", ("d" + d).getBytes(StandardCharsets.UTF_8), encode("d" + d, now, row)));
                sent++;
            }
            p.flush();
            Thread.sleep(3000); // the last alerts arrive
        } finally {
            reader.stop();
            readerThread.join(10_000);
            job.cancel().get();
        }
        if (reader.failure != null) {
            throw new IllegalStateException("reading alerts failed: " + reader.failure.getMessage(), reader.failure);
        }
        return latencies;
    }

    /** Anomalous stretches of the latency run: longer than the rule's k (10 of 10 by default), so each opens an episode. */
    static final int ANOMALY_STRETCH = 14;

    /** Reads the latency run's alerts as they arrive and records each FIRING one's event, detection and receive times. */
    private static final class AlertReader implements Runnable {
        private final String bootstrapServers;
        private final LatencySamples samples;
        private volatile boolean running = true;
        volatile Exception failure;

        AlertReader(String bootstrapServers, LatencySamples samples) {
            this.bootstrapServers = bootstrapServers;
            this.samples = samples;
        }

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.GROUP_ID_CONFIG, "lat-reader", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of("lat-alerts"));
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                    long received = System.currentTimeMillis();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        AnomalyAlert a = AvroContracts.alert(r.value());
                        if (a.getStatus().name().equals("FIRING")) {
                            synchronized (samples) {
                                samples.add(a.getEventTime().toEpochMilli(), a.getDetectionTime().toEpochMilli(), received);
                            }
                        }
                    }
                }
            } catch (Exception e) {
                failure = e;
            }
        }
    }

    /** Serialized keyed state of one device (scoring + episode state, key included), as a checkpoint stores it. */
    static long stateBytes(AnomalyModel model) throws Exception {
        return stateBytesForWindow(model.window(), model.features().size());
    }

    /**
     * Keyed state of a device under the default calibration (each device fits its own model): just before its
     * warm-up of {@code events} readings is complete, once its model is fitted, and of that the part a reading rewrites
     * (all but the fitted model's own state). Serialized as Flink stores it.
     */
    static long[] deviceModelStateBytes(AnomalyModel model, int events) throws Exception {
        DeviceCalibrator calibrator = new DeviceCalibrator(JobConfig.Calibration.DEVICE_MODEL, events, 0, 1.0, model);
        DeviceState d = calibrator.newState();
        java.util.Random rnd = new java.util.Random(1);
        double[] raw = new double[model.features().size()];
        long[] sizes = new long[3];
        DeviceModel own = null;
        WarmupBlocks.InMemory blocks = new WarmupBlocks.InMemory();
        for (int i = 0; i < events; i++) {
            for (int j = 0; j < raw.length; j++) {
                raw[j] = model.featureStats().mean()[j] + rnd.nextGaussian() * model.featureStats().std()[j];
            }
            if (i == events - 1) {
                // The device's state and its warm-up blocks (each a float array: its length, then its values; with the key).
                long blockBytes = 0;
                for (float[] b : blocks.blocks()) {
                    blockBytes += 4 + 4L * b.length;
                }
                sizes[0] = serializedBytes(d, 10) + blockBytes + "pump-000123".getBytes(StandardCharsets.UTF_8).length + 2L;
            }
            own = calibrator.observeWarmup(d, raw, blocks);
        }
        // The fitted model is a state of its own (written once, with the key again); the rest changes at every reading.
        DataOutputSerializer out = new DataOutputSerializer(16384);
        TypeInformation.of(DeviceModel.class).createSerializer(new ExecutionConfig().getSerializerConfig()).serialize(own, out);
        sizes[2] = serializedBytes(d, 10);
        sizes[1] = sizes[2] + out.length() + "pump-000123".getBytes(StandardCharsets.UTF_8).length + 2L;
        return sizes;
    }

    /** Scoring state + episode state (a decision window of {@code ruleN}) + the key, which is stored with each state. */
    private static long serializedBytes(DeviceState d, int ruleN) throws Exception {
        ExecutionConfig ec = new ExecutionConfig();
        TypeSerializer<DeviceState> ds = TypeInformation.of(DeviceState.class).createSerializer(ec.getSerializerConfig());
        TypeSerializer<EpisodeState> es = TypeInformation.of(EpisodeState.class).createSerializer(ec.getSerializerConfig());
        EpisodeState e = EpisodeState.create(ruleN);
        e.alertId = "0123456789abcdef0123456789abcdef";
        DataOutputSerializer out = new DataOutputSerializer(4096);
        ds.serialize(d, out);
        es.serialize(e, out);
        return out.length() + 2L * ("pump-000123".getBytes(StandardCharsets.UTF_8).length + 2);
    }

    static long stateBytesForWindow(int window, int features) throws Exception {
        DeviceState d = new DeviceState();
        d.modelVersion = "0123456789abcdef"; // a bundle content version
        d.window = DeviceWindow.empty(window, features);
        Arrays.fill(d.window.lastRaw, 1.0);
        Arrays.fill(d.window.lastSeen, 1L);
        return serializedBytes(d, 5);
    }

    private static long heapPeakMb() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum / (1024 * 1024);
    }

    private static long rssPeakMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (Exception e) {
            // Not Linux: no RSS figure.
        }
        return -1;
    }
}
