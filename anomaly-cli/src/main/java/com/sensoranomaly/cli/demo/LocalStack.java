package com.sensoranomaly.cli.demo;

import com.sensoranomaly.job.AnomalyDetectionJob;
import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.kafka.LocalKafka;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Reconstructor;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A local Kafka broker and the job running on a local Flink (with its web UI), in this JVM: what
 * {@code ./anomaly demo} stands on, and what tests use to run the demo's pieces end to end.
 */
public final class LocalStack implements AutoCloseable {
    public static final String READINGS = "sensor-readings";
    public static final String ALERTS = "anomaly-alerts";
    public static final String DEAD_LETTERS = "sensor-readings-dlq";

    private final LocalKafka kafka;
    private final int restPort;
    private JobClient job;

    private LocalStack(LocalKafka kafka, int restPort) {
        this.kafka = kafka;
        this.restPort = restPort;
    }

    /** Starts Kafka on a free port and creates the topics; the web UI will use {@code restPort} if it is free. */
    public static LocalStack start(int restPort, int partitions) {
        LocalKafka kafka = LocalKafka.start();
        kafka.createTopics(partitions, READINGS, ALERTS, DEAD_LETTERS);
        return new LocalStack(kafka, restPort > 0 && free(restPort) ? restPort : 0);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The web UI's port, or 0 if it runs on a random one. */
    public int restPort() {
        return restPort;
    }

    public JobClient job() {
        return job;
    }

    /** Submits the job to a local Flink cluster in this JVM (web UI on the chosen port); returns once it is running. */
    public JobClient startJob(AnomalyModel model, Map<String, String> settings, int parallelism) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("topic.readings", READINGS);
        all.put("topic.alerts", ALERTS);
        all.put("topic.dead-letters", DEAD_LETTERS);
        all.put("checkpoint.interval", "2s");
        all.putAll(settings);
        Configuration conf = new Configuration();
        conf.set(RestOptions.PORT, restPort);
        StreamExecutionEnvironment env = restPort > 0
                ? StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf)
                : StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.setParallelism(parallelism);
        job = pipeline(env, model, config(bootstrapServers(), all), Reconstructor.PLAIN_JAVA)
                .executeAsync("anomaly-detection (model " + model.version() + ")");
        return job;
    }

    /**
     * Settings of a job run by a local tool: the model is handed over already loaded, transactions are short
     * and every run gets its own transactional id prefix; {@code settings} override these.
     */
    public static JobConfig config(String bootstrapServers, Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("bootstrap.servers", bootstrapServers);
        all.put("bundle", "(loaded)");
        all.put("transaction.timeout", "1m");
        all.put("transactional-id-prefix", "local-" + System.nanoTime());
        all.putAll(settings);
        return JobConfig.fromMap(all);
    }

    /** The production pipeline on {@code env}, reading and writing Kafka as configured. */
    public static StreamExecutionEnvironment pipeline(StreamExecutionEnvironment env, AnomalyModel model, JobConfig config,
                                                      Reconstructor.Factory engine) {
        AnomalyDetectionJob.configure(env, config);
        // Checkpoints to a local directory, as a cluster keeps them on a file system: the default in-JobManager
        // storage refuses more than 5 MB of state, which a few hundred devices learning their own model exceed.
        Configuration storage = new Configuration();
        storage.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        storage.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDirectory().toUri().toString());
        env.configure(storage);
        AnomalyDetectionJob.buildPipeline(env, config, model, AnomalyDetectionJob.kafkaSource(config, model),
                AnomalyDetectionJob.kafkaOutputs(config), engine);
        return env;
    }

    private static Path checkpoints;

    /** One temporary checkpoint directory per JVM, removed when it exits. */
    private static synchronized Path checkpointDirectory() {
        if (checkpoints == null) {
            try {
                checkpoints = Files.createTempDirectory("anomaly-checkpoints-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a checkpoint directory: " + e.getMessage(), e);
            }
            Path dir = checkpoints;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir)));
        }
        return checkpoints;
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort at exit: a temporary directory left behind is harmless.
        }
    }

    @Override
    public void close() {
        if (job != null) {
            try {
                job.cancel().get();
            } catch (Exception e) {
                // Already finished or failed: nothing left to stop.
            }
        }
        kafka.close();
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
