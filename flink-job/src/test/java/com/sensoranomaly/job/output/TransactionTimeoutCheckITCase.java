package com.sensoranomaly.job.output;

import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.kafka.LocalKafka;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against a real broker (transaction.max.timeout.ms at Kafka's default, 15 min). */
class TransactionTimeoutCheckITCase {

    @Test
    void shouldRefuseAtSubmissionATimeoutTheBrokersWouldRefuseAtRunTime() {
        try (LocalKafka kafka = LocalKafka.start()) {
            List<String> warnings = new ArrayList<>();
            TransactionTimeoutCheck.check(config(kafka.bootstrapServers(), "15m"), warnings::add);
            assertThat(warnings).isEmpty();
            assertThatThrownBy(() -> TransactionTimeoutCheck.check(config(kafka.bootstrapServers(), "1h"), warnings::add))
                    .hasMessageContaining("'transaction.timeout' (PT1H) exceeds the brokers' transaction.max.timeout.ms (PT15M)");
        }
    }

    @Test
    void shouldOnlyWarnWhenTheBrokersCannotBeAsked() {
        List<String> warnings = new ArrayList<>();
        TransactionTimeoutCheck.check(JobConfig.fromArgs("--bootstrap.servers", "127.0.0.1:1", "--bundle", "x",
                "--kafka.default.api.timeout.ms", "2000", "--kafka.request.timeout.ms", "1000"), warnings::add);
        assertThat(warnings).singleElement().asString().contains("could not read the brokers' transaction.max.timeout.ms");
    }

    private static JobConfig config(String bootstrap, String timeout) {
        return JobConfig.fromArgs("--bootstrap.servers", bootstrap, "--bundle", "x", "--transaction.timeout", timeout);
    }
}
