package com.sensoranomaly.job.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobConfigTest {
    private static final String[] REQUIRED = {"--bootstrap.servers", "b:9092", "--bundle", "s3://models/x"};

    private static JobConfig parse(String... extra) {
        String[] all = new String[REQUIRED.length + extra.length];
        System.arraycopy(REQUIRED, 0, all, 0, REQUIRED.length);
        System.arraycopy(extra, 0, all, REQUIRED.length, extra.length);
        return JobConfig.fromArgs(all);
    }

    @Test
    void shouldApplyDefaultsAndTypedValues() {
        JobConfig c = parse("--rule.k", "2", "--checkpoint.interval", "30s", "--parallelism", "4");
        assertThat(c.readingsTopic()).isEqualTo("sensor-readings");
        assertThat(c.delivery()).isEqualTo(JobConfig.Delivery.EXACTLY_ONCE);
        assertThat(c.ruleK()).isEqualTo(2);
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.parallelism()).contains(4);
        assertThat(c.scoresTopic()).isEmpty();
        assertThat(c.transactionTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.calibration()).as("each device learns its own normal by default").isEqualTo(JobConfig.Calibration.DEVICE_MODEL);
        assertThat(c.calibrationWindow()).as("auto").isZero();
        assertThat(parse("--calibration.window", "7").calibrationWindow()).isEqualTo(7);
    }

    @Test
    void shouldNameTheSettingThatIsMissingUnknownOrInvalid() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--bundle", "x")).hasMessageContaining("'bootstrap.servers' is required");
        assertThatThrownBy(() -> parse("--rule.kk", "3")).hasMessageStartingWith("unknown setting 'rule.kk'");
        assertThatThrownBy(() -> parse("--rule.k", "11")).hasMessageContaining("'rule.k' must be within 1..rule.n (10): 11");
        assertThatThrownBy(() -> parse("--calibration.window", "65")).hasMessageContaining("'calibration.window' must be auto or within 1..64: 65");
        assertThatThrownBy(() -> parse("--calibration.events", "20", "--calibration.window", "10"))
                .hasMessageContaining("'calibration.events' (20) must exceed twice the device model's window (10)");
        assertThatThrownBy(() -> parse("--watermark.idleness", "soon")).hasMessageContaining("'watermark.idleness' must be a duration");
        assertThatThrownBy(() -> parse("--delivery.guarantee", "twice")).hasMessageContaining("one of exactly-once, at-least-once, none");
        assertThatThrownBy(() -> parse("--checkpoint.interval", "20m")).hasMessageContaining("'transaction.timeout'");
        assertThatThrownBy(() -> parse("--rule.n")).hasMessageContaining("'rule.n' has no value");
    }

    @Test
    void shouldPassKafkaPropertiesThroughWithoutLoggingTheirValues(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "kafka.sasl.jaas.config=secret-value\nrule.clear=7\n");
        JobConfig c = parse("--config", file.toString(), "--kafka.security.protocol", "SASL_SSL", "--rule.clear", "9");
        assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.jaas.config", "secret-value");
        assertThat(c.ruleClear()).as("arguments win over the file").isEqualTo(9);
        assertThat(c.toString()).contains("sasl.jaas.config").doesNotContain("secret-value");
    }

    @Test
    void shouldGiveEachJobItsOwnTransactionalIdPrefixByDefault() {
        assertThat(parse("--group.id", "plant-a").transactionalIdPrefix()).as("two jobs with two groups never fence each other")
                .isEqualTo("plant-a");
        assertThat(parse("--group.id", "plant-b").transactionalIdPrefix()).isEqualTo("plant-b");
        assertThat(parse("--transactional-id-prefix", "custom").transactionalIdPrefix()).isEqualTo("custom");
    }

    @Test
    void shouldAllowModelUpdatesNextToTheSubmittedBundleAndReadTheReleaseKeyAtSubmission(@TempDir Path dir) throws Exception {
        assertThat(parse().bundlePolicy().allowedLocations()).containsExactly("s3://models");
        assertThat(parse("--bundle.allowed-locations", "s3://a/, file:/srv/models").bundlePolicy().allowedLocations())
                .containsExactly("s3://a", "file:/srv/models");
        assertThat(parse().bundlePolicy().publicKeyPem()).isNull();

        Path pub = dir.resolve("release.pub");
        com.sensoranomaly.model.BundleSignature.writeKeyPair(com.sensoranomaly.model.BundleSignature.generate(), dir.resolve("release.key"), pub);
        assertThat(parse("--bundle.public-key", pub.toString()).bundlePolicy().publicKeyPem()).contains("BEGIN PUBLIC KEY");
        assertThatThrownBy(() -> parse("--bundle.public-key", dir.resolve("missing.pub").toString()).bundlePolicy())
                .hasMessageContaining("'bundle.public-key': cannot read");
        assertThatThrownBy(() -> parse("--bundle.public-key", dir.resolve("release.key").toString()).bundlePolicy())
                .hasMessageContaining("'bundle.public-key'").hasMessageContaining("PUBLIC KEY");
    }

    @Test
    void shouldRequireARegistryForTheRegistryFormatAndNeverShowItsSecrets() {
        assertThat(parse().inputFormat()).isEqualTo(com.sensoranomaly.schema.format.WireFormat.AVRO);
        assertThatThrownBy(() -> parse("--output.format", "registry-avro"))
                .hasMessageContaining("'registry.url' is required by the registry-avro format");
        assertThatThrownBy(() -> parse("--input.format", "protobuf")).hasMessageContaining("'input.format'")
                .hasMessageContaining("known: avro, registry-avro, json");
        assertThatThrownBy(() -> parse("--input.format", "registry-avro", "--registry.url", "registry:8080"))
                .hasMessageContaining("must start with http:// or https://");
        JobConfig c = parse("--input.format", "registry-avro", "--output.format", "json", "--registry.url", "https://r:8080/apis/ccompat/v7",
                "--registry.user-info", "svc:s3cret", "--registry.truststore-password", "changeit");
        assertThat(c.registry().orElseThrow().credentials()).contains("svc:s3cret");
        assertThat(c.outputFormat()).isEqualTo(com.sensoranomaly.schema.format.WireFormat.JSON);
        assertThat(c.toString()).doesNotContain("s3cret").doesNotContain("changeit").contains("registry.user-info=******");
    }

    @Test
    void shouldBoundInputSizesAndNameABadLimit() {
        assertThat(parse().inputLimits()).isEqualTo(com.sensoranomaly.job.ingest.InputLimits.DEFAULTS);
        assertThatThrownBy(() -> parse("--validation.max-labels", "0")).hasMessageContaining("'validation.max-labels' must be at least 1");
        assertThatThrownBy(() -> parse("--validation.max-record-bytes", "10")).hasMessageContaining("'validation.max-record-bytes' must be at least 64");
    }

    @Test
    void shouldTakeJobSettingsFromFlinksConfigurationUnderArgumentsAndFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "rule.k=4\n");
        JobConfig c = JobConfig.fromArgs(java.util.Map.of("anomaly.bootstrap.servers", "b:9092", "anomaly.bundle", "s3://m/x",
                        "anomaly.rule.k", "2", "anomaly.rule.n", "6", "anomaly.kafka.security.protocol", "SSL",
                        "execution.checkpointing.interval", "30s"),
                "--config", file.toString(), "--rule.n", "8");
        assertThat(c.bundle()).isEqualTo("s3://m/x");
        assertThat(c.ruleK()).as("the file wins over Flink's configuration").isEqualTo(4);
        assertThat(c.ruleN()).as("arguments win over both").isEqualTo(8);
        assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SSL");
        assertThat(c.isGiven("checkpoint.interval")).as("Flink's own keys are not job settings").isFalse();
    }
}
