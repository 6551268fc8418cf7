package com.sensoranomaly.cli.rollout;

import com.sensoranomaly.cli.kafka.KafkaOptions;
import com.sensoranomaly.model.BundleException;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.ModelUpdate;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code rollout}: asks running jobs to switch to another model bundle, without a restart. */
@Command(name = "rollout", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Ask running jobs (started with --topic.model-updates) to switch to another model bundle without a restart.",
                "A local bundle is verified first and its content version sent; for s3:// and other remote bundles give --version.",
                "The job checks the bundle again; a refused update goes to the dead-letter topic with the reason."})
public final class RolloutCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--bundle", required = true, paramLabel = "LOCATION",
            description = "the bundle as the job's TaskManagers reach it: a directory path, file://..., s3://...")
    String bundle;

    @Option(names = "--version", paramLabel = "VERSION", description = "the bundle's content version (manifest.json 'version'); read from a local bundle when omitted")
    String version;

    @Option(names = "--topic", description = "the jobs' model-updates topic [default: ${DEFAULT-VALUE}]")
    String topic = "anomaly-model-updates";

    @Option(names = "--requested-by", description = "who asks, for the audit trail [default: the user name]")
    String requestedBy = System.getProperty("user.name");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String v = version;
        Path local = localPath(bundle);
        if (local != null && Files.isDirectory(local)) {
            // A bundle that does not verify here would be refused by the job: say so now (exit 1).
            String actual = ModelBundle.load(local).version();
            if (v != null && !v.equals(actual)) {
                throw new BundleException("bundle " + bundle + " has content version " + actual + ", not " + v);
            }
            v = actual;
        } else if (v == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--version is needed for a bundle that is not a local directory: " + bundle);
        }
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        ModelUpdate update = new ModelUpdate(bundle, v, requestedBy, Instant.now());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            var meta = producer.send(new ProducerRecord<>(topic, "model".getBytes(StandardCharsets.UTF_8), AvroContracts.encode(update))).get();
            out.printf("rollout: asked for model %s (%s) on %s at offset %d; jobs switch as the update arrives%n",
                    v, bundle, topic, meta.offset());
        }
        return 0;
    }

    private static Path localPath(String location) {
        if (location.startsWith("file://")) {
            return Path.of(java.net.URI.create(location));
        }
        return location.contains("://") ? null : Path.of(location);
    }
}
