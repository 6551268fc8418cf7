package com.sensoranomaly.job.output;

import com.sensoranomaly.job.config.ConfigException;
import com.sensoranomaly.job.config.JobConfig;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * At submission: the sinks' transaction timeout must not exceed the brokers' {@code transaction.max.timeout.ms}, or every
 * transaction is refused at run time and the job restarts forever. Asked of the brokers themselves; a principal without
 * DescribeConfigs on the cluster gets a warning instead (the broker still refuses a too-long timeout, later and louder).
 */
public final class TransactionTimeoutCheck {
    private TransactionTimeoutCheck() {}

    /** Throws {@link ConfigException} naming both values if the job's timeout is longer than the brokers allow. */
    public static void check(JobConfig config, java.util.function.Consumer<String> warn) {
        if (config.delivery() != JobConfig.Delivery.EXACTLY_ONCE) {
            return;
        }
        Properties props = config.kafkaProperties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        long max;
        try (Admin admin = Admin.create(props)) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(15, TimeUnit.SECONDS);
            if (nodes.isEmpty()) {
                return;
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(nodes.iterator().next().id()));
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(broker)).all().get(15, TimeUnit.SECONDS);
            ConfigEntry e = configs.get(broker).get("transaction.max.timeout.ms");
            if (e == null || e.value() == null) {
                return;
            }
            max = Long.parseLong(e.value());
        } catch (Exception e) {
            warn.accept("could not read the brokers' transaction.max.timeout.ms (" + e.getClass().getSimpleName()
                    + "); make sure transaction.timeout (" + config.transactionTimeout() + ") does not exceed it");
            return;
        }
        long timeout = config.transactionTimeout().toMillis();
        if (timeout > max) {
            throw new ConfigException("setting 'transaction.timeout' (" + config.transactionTimeout() + ") exceeds the brokers' "
                    + "transaction.max.timeout.ms (" + Duration.ofMillis(max) + "): lower it, or raise the brokers' maximum");
        }
    }
}
