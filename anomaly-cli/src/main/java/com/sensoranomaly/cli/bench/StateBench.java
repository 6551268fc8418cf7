package com.sensoranomaly.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sensoranomaly.cli.demo.LocalStack;
import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Reconstructor;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code bench --state-backend}: the job over many devices with a chosen state backend, read through Flink's REST API
 * as an operator would: throughput, checkpoint size and duration once every reading is in, and this JVM's heap and RSS.
 *
 * <p>Every device gets the same number of readings, so the checkpointed state divided by the devices is the keyed
 * state of one device at that point of its life (for fewer readings than {@code calibration.events}: still warming up,
 * its readings kept for the fit).
 */
final class StateBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param duringRun checkpoints that completed while readings were being scored (the steady cost of checkpointing:
     *                  with incremental checkpoints, what the readings changed since the previous one)
     */
    record Result(double eps, long checkpointStateBytes, long checkpointedBytes, long checkpointDurationMs,
                  long localStateDirBytes, long heapUsedAfterGcMb, long rssMb, DuringRun duringRun) {}

    /** Completed checkpoints triggered while readings flowed: how many, and the median and largest bytes written and durations. */
    record DuringRun(int completed, int failed, long medianWrittenBytes, long maxWrittenBytes, long medianDurationMs, long maxDurationMs) {
        static DuringRun of(Map<Long, JsonNode> byId, long from, long to) {
            java.util.List<Long> written = new java.util.ArrayList<>();
            java.util.List<Long> durations = new java.util.ArrayList<>();
            int failed = 0;
            for (JsonNode c : byId.values()) {
                long t = c.path("trigger_timestamp").asLong();
                if (t < from || t > to) {
                    continue;
                }
                if ("COMPLETED".equals(c.path("status").asText())) {
                    written.add(c.path("checkpointed_size").asLong());
                    durations.add(c.path("end_to_end_duration").asLong());
                } else if ("FAILED".equals(c.path("status").asText())) {
                    failed++;
                }
            }
            java.util.Collections.sort(written);
            java.util.Collections.sort(durations);
            int n = written.size();
            return new DuringRun(n, failed, n == 0 ? -1 : written.get(n / 2), n == 0 ? -1 : written.get(n - 1),
                    n == 0 ? -1 : durations.get(n / 2), n == 0 ? -1 : durations.get(n - 1));
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final Consumer<String> say;

    StateBench(Consumer<String> say) {
        this.say = say;
    }

    /** Runs the job over {@code readings} already in {@code topic}, with the given backend, until all are scored. */
    Result run(String bs, AnomalyModel model, JobConfig cfg, String backend, boolean incremental, long readings,
               int parallelism, Path work, Map<String, String> flinkConf) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path tmp = Files.createDirectories(work.resolve("flink-tmp-" + backend));
        // The operator's own Flink settings first (e.g. RocksDB's timer service or memory), the run's own on top.
        Configuration conf = Configuration.fromMap(flinkConf);
        conf.set(RestOptions.PORT, port);
        // The REST API refreshes metrics at most this often (10 s by default): the rate is read from them.
        conf.set(org.apache.flink.configuration.MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, incremental);
        // RocksDB keeps its working files under the task manager's temporary directories: measured below.
        conf.set(CoreOptions.TMP_DIRS, tmp.toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(parallelism);
        JobClient job = LocalStack.pipeline(env, model, cfg, Reconstructor.PLAIN_JAVA).executeAsync("bench-state-" + backend);
        String base = "http://localhost:" + port + "/jobs/" + job.getJobID();
        try {
            long first = 0;
            long done = 0;
            long lastCount = -1;
            long lastProgress = System.currentTimeMillis();
            // The REST API keeps only the last few checkpoints' details: collect them as they come.
            Map<Long, JsonNode> checkpoints = new java.util.TreeMap<>();
            while (done == 0) {
                Thread.sleep(250);
                long n = scoredReadings(base);
                collectCheckpoints(base, checkpoints);
                long now = System.currentTimeMillis();
                if (n > 0 && first == 0) {
                    first = now;
                }
                if (n != lastCount) {
                    lastCount = n;
                    lastProgress = now;
                }
                if (n >= readings) {
                    done = now;
                } else if (now - lastProgress > 120_000) {
                    throw new IllegalStateException("no progress for 2 minutes at " + n + " of " + readings + " readings");
                }
            }
            // All of a small run can land between two samples: no rate then (NaN), rather than an infinite one.
            double eps = done > first ? readings / ((done - first) / 1000.0) : Double.NaN;
            collectCheckpoints(base, checkpoints);
            DuringRun during = DuringRun.of(checkpoints, first, done);
            say.accept(String.format(java.util.Locale.ROOT, "  %,d readings scored at %,.0f readings/s; waiting for a checkpoint...", readings, eps));
            JsonNode cp = null;
            long deadline = System.currentTimeMillis() + 300_000;
            while (cp == null && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
                JsonNode latest = get(base + "/checkpoints").path("latest").path("completed");
                if (!latest.isMissingNode() && !latest.isNull() && latest.path("trigger_timestamp").asLong() > done) {
                    cp = latest;
                }
            }
            if (cp == null) {
                throw new IllegalStateException("no checkpoint completed within 5 minutes of the last reading");
            }
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
            return new Result(eps, cp.path("state_size").asLong(), cp.path("checkpointed_size").asLong(),
                    cp.path("end_to_end_duration").asLong(), directoryBytes(tmp), heap, rssMb("VmRSS:"), during);
        } finally {
            job.cancel().get();
        }
    }

    /** Adds the finished checkpoints in the REST API's history (it keeps only the last few) to {@code byId}. */
    void collectCheckpoints(String base, Map<Long, JsonNode> byId) throws Exception {
        for (JsonNode c : get(base + "/checkpoints").path("history")) {
            if (!"IN_PROGRESS".equals(c.path("status").asText())) {
                byId.put(c.path("id").asLong(), c);
            }
        }
    }

    /** Records the scoring operator has received: every reading that passed decoding. */
    long scoredReadings(String base) throws Exception {
        for (JsonNode v : get(base).path("vertices")) {
            if (v.path("name").asText().contains("score readings")) {
                return v.path("metrics").path("read-records").asLong();
            }
        }
        return 0;
    }

    JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // removed while walking
                }
            }).sum();
        }
    }

    static long rssMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException e) {
            // Not Linux: no RSS figure.
        }
        return -1;
    }

    static Map<String, Object> asReport(Result r, long devices) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(Map.of("state_eps", r.eps(), "checkpoint_state_bytes", r.checkpointStateBytes(),
                "checkpointed_bytes", r.checkpointedBytes(), "checkpoint_duration_ms", r.checkpointDurationMs(),
                "state_bytes_per_device", r.checkpointStateBytes() / devices, "local_state_dir_bytes", r.localStateDirBytes(),
                "heap_used_after_gc_mb", r.heapUsedAfterGcMb(), "rss_mb", r.rssMb()));
        DuringRun d = r.duringRun();
        m.put("checkpoints_during_run", d.completed());
        m.put("checkpoints_failed_during_run", d.failed());
        m.put("checkpoint_written_bytes_median_during_run", d.medianWrittenBytes());
        m.put("checkpoint_written_bytes_max_during_run", d.maxWrittenBytes());
        m.put("checkpoint_duration_ms_median_during_run", d.medianDurationMs());
        m.put("checkpoint_duration_ms_max_during_run", d.maxDurationMs());
        return m;
    }
}
