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

    // Named as Kafka's own tools name them (--bootstrap-server, --command-config); the plural and --client-config are kept.
    @Option(names = {"--bootstrap-server", "--bootstrap-servers"}, paramLabel = "HOST:PORT",
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS) [default: ${DEFAULT-VALUE}]")
    public String bootstrapServers;

    @Option(names = "--property", paramLabel = "KEY=VALUE", description = "a Kafka client property, passed unchanged (repeatable)")
    public Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = {"--command-config", "--client-config"}, paramLabel = "FILE", defaultValue = "${env:KAFKA_COMMAND_CONFIG}",
            description = "Kafka client properties file, e.g. SASL/TLS settings (env KAFKA_COMMAND_CONFIG)")
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
