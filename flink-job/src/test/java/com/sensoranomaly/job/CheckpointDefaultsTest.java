package com.sensoranomaly.job;

import com.sensoranomaly.job.config.JobConfig;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The job's checkpointing defaults are the safe ones, and Flink's own configuration wins where it says something. */
class CheckpointDefaultsTest {
    private static JobConfig config(String... extra) {
        String[] base = {"--bootstrap.servers", "b:9092", "--bundle", "/models/x"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return JobConfig.fromArgs(all);
    }

    @Test
    void shouldRetainCheckpointsAndTolerateAFewFailuresWhenTheClusterSaysNothing() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        AnomalyDetectionJob.configure(env, config());
        assertThat(env.getCheckpointConfig().getExternalizedCheckpointRetention())
                .as("a cancelled or failed job keeps its last checkpoint: episodes and device models can be restored")
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(env.getCheckpointConfig().getTolerableCheckpointFailureNumber()).isEqualTo(3);
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(10_000);
        assertThat(env.getBufferTimeout()).as("partly filled network buffers leave after 10 ms, not Flink's 100 ms").isEqualTo(10);
    }

    @Test
    void shouldKeepTheClustersBufferTimeoutUnlessTheJobSettingIsGiven() {
        Configuration flink = new Configuration();
        flink.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(50));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        AnomalyDetectionJob.configure(env, config());
        assertThat(env.getBufferTimeout()).as("a FlinkDeployment's execution.buffer-timeout.interval is kept").isEqualTo(50);

        Configuration disabled = new Configuration();
        disabled.set(ExecutionOptions.BUFFER_TIMEOUT_ENABLED, false);
        StreamExecutionEnvironment throughputFirst = StreamExecutionEnvironment.getExecutionEnvironment(disabled);
        AnomalyDetectionJob.configure(throughputFirst, config());
        assertThat(throughputFirst.getBufferTimeout()).as("flushing only full buffers, as the cluster asks")
                .isEqualTo(ExecutionOptions.DISABLED_NETWORK_BUFFER_TIMEOUT);

        StreamExecutionEnvironment explicit = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        AnomalyDetectionJob.configure(explicit, config("--buffer-timeout", "5ms"));
        assertThat(explicit.getBufferTimeout()).isEqualTo(5);
    }

    @Test
    void shouldLeaveToFlinksConfigurationWhatItSetsAndLetAnExplicitJobSettingWin() {
        Configuration flink = new Configuration();
        flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        flink.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 0);
        flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(42));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        AnomalyDetectionJob.configure(env, config());
        assertThat(env.getCheckpointConfig().getExternalizedCheckpointRetention()).isEqualTo(ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        assertThat(env.getCheckpointConfig().getTolerableCheckpointFailureNumber()).isZero();
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).as("a FlinkDeployment's interval is kept").isEqualTo(42_000);

        StreamExecutionEnvironment explicit = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        AnomalyDetectionJob.configure(explicit, config("--checkpoint.interval", "5s"));
        assertThat(explicit.getCheckpointConfig().getCheckpointInterval()).isEqualTo(5_000);
    }
}
