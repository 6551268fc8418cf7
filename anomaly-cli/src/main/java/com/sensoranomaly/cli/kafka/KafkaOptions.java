package com.sensoranomaly.cli.kafka;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka connection options shared by the commands: bootstrap servers plus any client property, from the
 * command line or a properties file (for SASL/TLS secrets, which are never printed).
 */
public final class KafkaOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers [default: ${DEFAULT-VALUE}]")
    public String bootstrapServers = "localhost:9092";

    @Option(names = "--property", paramLabel = "KEY=VALUE", description = "a Kafka client property, passed unchanged (repeatable)")
    public Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--client-config", paramLabel = "FILE", description = "Kafka client properties file (e.g. security settings)")
    public Path clientConfig;

    /** Client properties: the file first, then --property, then bootstrap servers. */
    public Properties clientProperties() {
        Properties p = new Properties();
        if (clientConfig != null) {
            try (Reader r = Files.newBufferedReader(clientConfig)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --client-config " + clientConfig + ": " + e.getMessage());
            }
        }
        p.putAll(properties);
        p.setProperty("bootstrap.servers", bootstrapServers);
        return p;
    }
}
