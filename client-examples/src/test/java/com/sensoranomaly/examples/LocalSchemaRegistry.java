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
 * A real schema registry for tests: Apicurio Registry (from Maven Central, downloaded once into the local Maven
 * repository and unpacked into {@code apicurio.home}) run as a process with in-memory storage, on a free loopback port. Its Confluent-compatible API
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

    static final String VERSION = "3.0.9";
    private static final String ARTIFACT = "io/apicurio/apicurio-registry-app/" + VERSION + "/apicurio-registry-app-" + VERSION + "-all.tar.gz";

    static LocalSchemaRegistry start() throws Exception {
        Path home = Path.of(System.getProperty("apicurio.home", "target/apicurio-registry-" + VERSION));
        Path runner = runner(home);
        if (runner == null) {
            try {
                unpack(fetch(), home);
            } catch (IOException e) {
                String message = "cannot get Apicurio Registry " + VERSION + " from Maven Central: " + e.getMessage();
                if (ClientTools.required()) {
                    Assertions.fail(message);
                }
                Assumptions.abort(message);
            }
            runner = runner(home);
            if (runner == null) {
                throw new IllegalStateException("no *-runner.jar in the unpacked Apicurio Registry under " + home);
            }
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

    private static Path runner(Path home) {
        try (var files = Files.list(home)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The registry's distribution (Maven Central's {@code io.apicurio:apicurio-registry-app:tar.gz:all}), kept in the local
     * Maven repository where Maven itself would keep it, downloaded once and checked against Central's SHA-1. Fetched here
     * rather than by a Maven dependency because Central lacks the artifact's parent POM, which Maven's resolver requires.
     */
    private static Path fetch() throws IOException, InterruptedException {
        Path repo = Path.of(System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository"));
        Path cached = repo.resolve(ARTIFACT);
        String base = System.getProperty("maven.central", "https://repo.maven.apache.org/maven2");
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(20)).build();
        String expected = http.send(HttpRequest.newBuilder(URI.create(base + "/" + ARTIFACT + ".sha1")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body().trim().split("\\s+")[0];
        if (Files.exists(cached) && sha1(cached).equalsIgnoreCase(expected)) {
            return cached;
        }
        Files.createDirectories(cached.getParent());
        Path part = cached.resolveSibling(cached.getFileName() + ".part");
        HttpResponse<Path> r = http.send(HttpRequest.newBuilder(URI.create(base + "/" + ARTIFACT)).timeout(Duration.ofMinutes(10)).build(),
                HttpResponse.BodyHandlers.ofFile(part));
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " for " + base + "/" + ARTIFACT);
        }
        String actual = sha1(part);
        if (!actual.equalsIgnoreCase(expected)) {
            Files.deleteIfExists(part);
            throw new IOException("SHA-1 of the download is " + actual + ", Maven Central says " + expected);
        }
        Files.move(part, cached, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return cached;
    }

    private static String sha1(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-1");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void unpack(Path tarGz, Path home) throws IOException, InterruptedException {
        Files.createDirectories(home);
        Process tar = new ProcessBuilder("tar", "-xzf", tarGz.toString(), "-C", home.toString()).redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (tar.waitFor() != 0) {
            throw new IOException("tar could not unpack " + tarGz + ": " + out.strip());
        }
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
