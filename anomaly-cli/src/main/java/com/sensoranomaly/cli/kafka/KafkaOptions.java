package com.sensoranomaly.cli.kafka;

import com.sensoranomaly.schema.format.ContractCodec;
import com.sensoranomaly.schema.format.RegistryConfig;
import com.sensoranomaly.schema.format.SchemaRegistryClient;

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

    @Option(names = "--schema-registry", paramLabel = "URL", defaultValue = "${env:SCHEMA_REGISTRY_URL}",
            description = "Confluent-compatible schema registry, to read records the job wrote with output.format=registry-avro, "
                    + "e.g. http://localhost:8080/apis/ccompat/v7 (env SCHEMA_REGISTRY_URL); other formats are recognised without it")
    public String schemaRegistry;

    @Option(names = "--schema-registry-user-info", paramLabel = "USER:PASSWORD", defaultValue = "${env:SCHEMA_REGISTRY_USER_INFO}",
            description = "basic credentials for the schema registry (env SCHEMA_REGISTRY_USER_INFO)")
    public String schemaRegistryUserInfo;

    /**
     * A reader (and writer) of {@code contract} records in every wire format: single-object Avro, JSON, and the
     * schema-registry format when {@code --schema-registry} is given.
     */
    public <T extends org.apache.avro.specific.SpecificRecordBase> ContractCodec<T> codec(Class<T> contract) {
        SchemaRegistryClient registry = null;
        if (schemaRegistry != null && !schemaRegistry.isBlank()) {
            registry = new SchemaRegistryClient(new RegistryConfig(schemaRegistry, schemaRegistryUserInfo, null, null, null),
                    java.time.Duration.ofSeconds(20));
        }
        return new ContractCodec<>(contract, registry);
    }

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
