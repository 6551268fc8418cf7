package com.sensoranomaly.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sensoranomaly.cli.demo.LocalStack;
import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Reconstructor;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code bench --state-backend ... --kill-taskmanager-at F}: the job over many devices on a local cluster of one
 * TaskManager, which is terminated once a fraction F of the readings is scored and a checkpoint has completed after
 * that, and replaced by a new one, as a TaskManager pod that dies is replaced. Measures what an operator waits for: the
 * job running again, its first reading scored from the restored state, and the backlog read to its end; and which
 * checkpoint it restored, of what size.
 */
final class RecoveryBench {
    record Result(double epsBeforeKill, long restoredCheckpointId, long restoredStateBytes, long msToRunning,
                  long msToFirstScored, long msToCaughtUp, long scoredAfterRestore) {}

    /** The run ended before there was anything to recover from: a result of the run's size, not a failure of the job. */
    static final class RunTooShort extends RuntimeException {
        RunTooShort(String message) {
            super(message);
        }
    }

    private final StateBench rest;
    private final Consumer<String> say;

    RecoveryBench(Consumer<String> say) {
        this.say = say;
        this.rest = new StateBench(say);
    }

    Result run(AnomalyModel model, JobConfig cfg, String backend, boolean incremental, long readings, double killAt,
               int parallelism, Path work, Map<String, String> flinkConf) throws Exception {
        Configuration conf = Configuration.fromMap(flinkConf);
        conf.set(RestOptions.PORT, 0);
        // The REST API refreshes metrics at most this often (10 s by default): the times below are read from them.
        conf.set(org.apache.flink.configuration.MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, java.time.Duration.ofMillis(200));
        // ... and caches checkpoint statistics (the restore that marks the new attempt) for 3 s by default.
        conf.set(RestOptions.CACHE_CHECKPOINT_STATISTICS_TIMEOUT, java.time.Duration.ofMillis(100));
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, incremental);
        conf.set(CoreOptions.TMP_DIRS, Files.createDirectories(work.resolve("flink-tmp-recovery-" + backend)).toString());
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(parallelism).build());
        cluster.start();
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            StreamGraph graph = LocalStack.pipeline(env, model, cfg, Reconstructor.PLAIN_JAVA).getStreamGraph();
            graph.setJobName("bench-recovery-" + backend);
            JobID id = cluster.submitJob(graph).get().getJobID();
            String base = cluster.getRestAddress().get().toString().replaceAll("/$", "") + "/jobs/" + id;

            // Until the kill: a fraction of the readings scored, then a checkpoint completed after that point.
            long first = 0;
            long killPoint = (long) (killAt * readings);
            long reached = 0;
            long n = 0;
            while (true) {
                Thread.sleep(100);
                n = rest.scoredReadings(base);
                long now = System.currentTimeMillis();
                if (n > 0 && first == 0) {
                    first = now;
                }
                if (reached == 0 && n >= killPoint) {
                    reached = now;
                }
                if (reached != 0) {
                    JsonNode latest = rest.get(base + "/checkpoints").path("latest").path("completed");
                    if (!latest.isMissingNode() && !latest.isNull() && latest.path("trigger_timestamp").asLong() >= reached) {
                        break;
                    }
                }
                if (n >= readings) {
                    throw new RunTooShort("every reading was scored before a checkpoint completed after "
                            + killPoint + " of them: give the run more readings or an earlier --kill-taskmanager-at");
                }
            }
            double eps = n / ((System.currentTimeMillis() - first) / 1000.0);
            say.accept(String.format(Locale.ROOT, "  %,d readings scored (%,.0f readings/s); terminating the TaskManager...", n, eps));
            long kill = System.currentTimeMillis();
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();

            long running = 0;
            long firstScored = 0;
            long lastIncrease = 0;
            long last = 0;
            long restoredId = -1;
            long restoredBytes = -1;
            while (true) {
                Thread.sleep(100);
                long now = System.currentTimeMillis();
                if (restoredId < 0) {
                    // A restore after the kill marks the new attempt: until then the job's status and its tasks' may
                    // still be the killed attempt's. Its details are read now: the REST API keeps those of only the
                    // last few checkpoints, and the backlog run completes many more.
                    JsonNode restored = rest.get(base + "/checkpoints").path("latest").path("restored");
                    if (restored.path("restore_timestamp").asLong(0) >= kill) {
                        restoredId = restored.path("id").asLong(-1);
                        restoredBytes = rest.get(base + "/checkpoints/details/" + restoredId).path("state_size").asLong(-1);
                    }
                }
                if (running == 0 && restoredId >= 0
                        && cluster.getJobStatus(id).get() == org.apache.flink.api.common.JobStatus.RUNNING && allTasksRunning(base)) {
                    running = now;
                }
                long m = running == 0 ? 0 : rest.scoredReadings(base);
                if (m > 0 && firstScored == 0) {
                    firstScored = now;
                }
                if (m > last) {
                    last = m;
                    lastIncrease = now;
                }
                if (firstScored != 0 && now - lastIncrease > 5_000) {
                    break; // the backlog since the restored checkpoint is read: nothing new for 5 s (metrics every 200 ms)
                }
                if (now - kill > 600_000) {
                    throw new IllegalStateException("the job did not recover within 10 minutes of the kill");
                }
            }
            return new Result(eps, restoredId, restoredBytes, running - kill, firstScored - kill,
                    lastIncrease - kill, last);
        } finally {
            cluster.close();
        }
    }

    /** Whether every task of the job is RUNNING (the job status turns RUNNING before its tasks are deployed). */
    private boolean allTasksRunning(String base) throws Exception {
        for (JsonNode v : rest.get(base).path("vertices")) {
            if (!"RUNNING".equals(v.path("status").asText()) && !"FINISHED".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }
}
