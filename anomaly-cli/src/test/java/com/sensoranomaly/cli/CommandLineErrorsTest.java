package com.sensoranomaly.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad flags and bad files end in one line on stderr naming the problem, with exit code 2 (usage) or 1 (input). */
class CommandLineErrorsTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void shouldListTheCommandsInHelp() {
        CliRun r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("demo", "train", "evaluate", "simulate", "replay", "alerts", "forward", "bench", "serve", "score");
    }

    @Test
    void shouldRejectAForwardTargetThatIsNotHttpAsUsage() {
        CliRun r = run("forward", "--alertmanager", "ftp://alertmanager:9093");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("forward: --alertmanager must be an http:// or https:// URL: ftp://alertmanager:9093");
    }

    @Test
    void shouldRejectAnUnknownOptionAsUsage() {
        CliRun r = run("simulate", "--no-such-flag");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--no-such-flag").doesNotContain("\n");
    }

    @Test
    void shouldRejectABadValueAsUsage() {
        CliRun r = run("train", "--input", "x.csv", "--out", dir.toString(), "--window", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("train: --window must be within 1..256: 0");
    }

    @Test
    void shouldNameAMissingFileAndExitWithOne() {
        CliRun r = run("train", "--input", dir.resolve("nope.csv").toString(), "--out", dir.resolve("b").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("train: " + dir.resolve("nope.csv") + ": no such file");
    }

    @Test
    void shouldNameTheCellThatIsNotANumber() throws Exception {
        Path csv = dir.resolve("h.csv");
        Files.writeString(csv, "datetime;flow\n2026-01-01 00:00:00;1\n2026-01-01 00:00:01;abc\n");
        CliRun r = run("train", "--input", csv.toString(), "--out", dir.resolve("b").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("train: " + csv + ":3: column 'flow' is not a number: 'abc'");
    }

    @Test
    void shouldRefuseTooFewRowsForTheWindow() throws Exception {
        Path csv = dir.resolve("short.csv");
        Files.writeString(csv, "datetime;flow\n2026-01-01 00:00:00;1\n2026-01-01 00:00:01;2\n2026-01-01 00:00:02;3\n");
        CliRun r = run("train", "--input", csv.toString(), "--out", dir.resolve("b").toString(), "--window", "5");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("too few for window 5").doesNotContain("\n");
    }

    @Test
    void shouldRefuseAMissingBundle() throws Exception {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "datetime;flow;anomaly\n2026-01-01 00:00:00;1;0\n");
        CliRun r = run("evaluate", "--bundle", dir.resolve("no-bundle").toString(), "--input", csv.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no manifest.json").doesNotContain("\n");
    }

    @Test
    void shouldNameABadDurationAsUsage() {
        CliRun r = run("alerts", "--timeout", "soon");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--timeout must be a duration such as 500ms, 90s, 10m").doesNotContain("\n");
    }

    @Test
    void shouldTakeKafkasOwnOptionNamesAndTheFormerOnes() {
        CommandLine cl = AnomalyCli.commandLine();
        cl.parseArgs("alerts", "--bootstrap-server", "b1:9092", "--command-config", "/tmp/c.properties", "--timeout", "2m");
        var alerts = cl.getSubcommands().get("alerts").getParseResult();
        assertThat(alerts.matchedOptionValue("--bootstrap-servers", "")).isEqualTo("b1:9092");
        assertThat(alerts.matchedOptionValue("--client-config", (Object) null)).hasToString("/tmp/c.properties");
        CommandLine again = AnomalyCli.commandLine();
        again.parseArgs("alerts", "--bootstrap-servers", "b2:9092");
        assertThat(again.getSubcommands().get("alerts").getParseResult().matchedOptionValue("--bootstrap-server", "")).isEqualTo("b2:9092");
    }

    @Test
    void shouldEndBadServeFlagsAndBundlesWithOneLine() {
        CliRun noBundle = run("serve", "--bundle", dir.resolve("none").toString(), "--port", "0");
        assertThat(noBundle.code()).isEqualTo(1);
        assertThat(noBundle.err()).startsWith("serve: ").contains("none").doesNotContain("\n");
        CliRun badPort = run("serve", "--bundle", dir.toString(), "--port", "70000");
        assertThat(badPort.code()).isEqualTo(2);
        assertThat(badPort.err()).contains("--port");
        CliRun badPoll = run("serve", "--bundle", dir.toString(), "--poll", "soon");
        assertThat(badPoll.code()).isEqualTo(2);
        assertThat(badPoll.err()).contains("--poll");
        CliRun badBody = run("serve", "--bundle", dir.toString(), "--max-body", "10");
        assertThat(badBody.code()).isEqualTo(2);
        assertThat(badBody.err()).contains("--max-body");
        CliRun badImpute = run("serve", "--bundle", dir.toString(), "--impute.strategy", "median");
        assertThat(badImpute.code()).isEqualTo(2);
        assertThat(badImpute.err()).contains("median");
    }
}
