package com.sensoranomaly.examples;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real schema registry for tests: Apicurio Registry (from Maven Central, unpacked by this module's build into
 * {@code apicurio.home}) run as a process with in-memory storage, on a free loopback port. Its Confluent-compatible API
 * is {@link #url()}.
 */
final class LocalSchemaRegistry implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private LocalSchemaRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static LocalSchemaRegistry start() throws Exception {
        Path home = Path.of(System.getProperty("apicurio.home", "target/apicurio-registry"));
        Path runner;
        try (var files = Files.list(home)) {
            runner = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst().orElse(null);
        } catch (IOException e) {
            runner = null;
        }
        if (runner == null) {
            String message = "no Apicurio Registry under " + home + " (the build unpacks it when tests run: mvn verify)";
            if (ClientTools.required()) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("apicurio-", ".log");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-jar", runner.toString()))
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalSchemaRegistry registry = new LocalSchemaRegistry(p, port, log);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the schema registry exited with " + p.exitValue() + "; log: " + Files.readString(log));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return registry;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        registry.close();
        throw new IllegalStateException("the schema registry was not ready within 90 s; log: " + log);
    }

    /** The Confluent-compatible REST API. */
    String url() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        Files.deleteIfExists(log);
    }
}
