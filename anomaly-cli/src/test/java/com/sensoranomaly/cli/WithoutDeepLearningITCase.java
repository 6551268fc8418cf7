package com.sensoranomaly.cli;

import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.DenseLayer;
import com.sensoranomaly.model.ErrorStats;
import com.sensoranomaly.model.FeatureScaler;
import com.sensoranomaly.model.FeatureStats;
import com.sensoranomaly.model.ModelBundle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command that does not train runs with no Deeplearning4j, ND4J or native library on the classpath (so on any
 * OS and architecture Java runs on): the CLI's commands and the job are started in a JVM whose classpath is this
 * test's minus those jars, against a real broker. {@code train} there fails for want of DL4J, which shows the jars
 * really are gone.
 */
class WithoutDeepLearningITCase {
    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();

    @TempDir
    Path dir;

    private static String classpathWithoutDeepLearning() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("/org/deeplearning4j/") && !e.contains("/org/nd4j/") && !e.contains("/org/bytedeco/"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private record Run(int code, String output) {}

    private Run run(String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpathWithoutDeepLearning(), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", args));
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private Run cli(String... args) throws Exception {
        return run(AnomalyCli.class.getName(), args);
    }

    @Test
    void shouldRunEveryCommandThatDoesNotTrainWithoutDeepLearningOnTheClasspath() throws Exception {
        assertThat(classpathWithoutDeepLearning()).doesNotContain("deeplearning4j", "nd4j-native", "javacpp");
        assertThat(System.getProperty("java.class.path")).as("this test's own classpath has them").contains("deeplearning4j");
        String bs = kafka.bootstrapServers();
        kafka.createTopics(1, "nodl-alerts", "nodl-updates");

        assertThat(cli("--help").code()).isZero();
        Run keygen = cli("keygen", "--out", dir.resolve("release").toString());
        assertThat(keygen.code()).as(keygen.output()).isZero();
        Path bundle = dir.resolve("bundle");
        writeBundle(bundle);
        Run sign = cli("sign", "--bundle", bundle.toString(), "--key", dir.resolve("release.key").toString());
        assertThat(sign.code()).as(sign.output()).isZero();
        Run rollout = cli("rollout", "--bootstrap-server", bs, "--topic", "nodl-updates", "--bundle", bundle.toString());
        assertThat(rollout.code()).as(rollout.output()).isZero();
        Run alerts = cli("alerts", "--bootstrap-server", bs, "--topic", "nodl-alerts", "--from-beginning", "--timeout", "3s");
        assertThat(alerts.code()).as(alerts.output()).isZero();
        assertThat(alerts.output()).contains("alerts: 0 alert(s)");
        for (String command : List.of("forward", "simulate", "replay", "evaluate", "demo")) {
            assertThat(cli(command, "--help").code()).as(command).isZero();
        }
        Run job = run("com.sensoranomaly.job.AnomalyDetectionJob", "--help");
        assertThat(job.code()).as(job.output()).isZero();
        assertThat(job.output()).contains("--bundle.public-key");

        Files.writeString(dir.resolve("h.csv"), "datetime;a;b\n2026-01-01 00:00:00;1;2\n2026-01-01 00:00:01;1;2\n");
        Run train = cli("train", "--input", dir.resolve("h.csv").toString(), "--out", dir.resolve("out").toString(), "--epochs", "1");
        assertThat(train.code()).as("training needs DL4J, which is not there").isEqualTo(1);
        assertThat(train.output()).contains("training needs Deeplearning4j and ND4J's native library", "NoClassDefFoundError")
                .doesNotContain("\tat ");
    }

    private static void writeBundle(Path at) throws Exception {
        Autoencoder net = new Autoencoder(List.of(
                new DenseLayer(2, 1, new double[] {0.5, 0.5}, new double[] {0}, Activation.IDENTITY),
                new DenseLayer(1, 2, new double[] {1, 1}, new double[] {0, 0}, Activation.IDENTITY)));
        double[] zero = {0, 0};
        double[] one = {1, 1};
        ModelBundle.write(at, new AnomalyModel("unversioned", List.of("a", "b"), 1,
                new FeatureScaler(FeatureScaler.Kind.STANDARD, zero, one), new FeatureStats(one, one, one, zero, one), net,
                0.1, 0.99, ErrorStats.of(new double[] {0.01, 0.02}), new double[] {0.01, 0.01}), Map.of(), Instant.EPOCH);
    }
}
