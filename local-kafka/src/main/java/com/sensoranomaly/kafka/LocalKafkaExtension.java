package com.sensoranomaly.kafka;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real broker for the tests of one class: {@code @RegisterExtension static final LocalKafkaExtension kafka = new
 * LocalKafkaExtension();} starts it before the first test and stops it after the last.
 */
public final class LocalKafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private LocalKafka broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = LocalKafka.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public void createTopics(int partitions, String... names) {
        broker.createTopics(partitions, names);
    }
}
