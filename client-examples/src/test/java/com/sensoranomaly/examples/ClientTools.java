package com.sensoranomaly.examples;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The non-Java clients the tests drive (Debian's python3-confluent-kafka and python3-avro, kcat): run as processes. A
 * test whose tool is missing is skipped saying what to install, unless {@code require.client.tools=true} (CI), which
 * turns the skip into a failure.
 */
final class ClientTools {
    private ClientTools() {}

    static boolean required() {
        return Boolean.parseBoolean(System.getProperty("require.client.tools", "false").trim());
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    }

    static Path python(String script) {
        return projectRoot().resolve("client-examples/src/main/python").resolve(script);
    }

    /** Skips (or fails, in CI) unless {@code check} runs with exit code 0. */
    static void requireTool(String what, String install, String... check) {
        boolean ok;
        try {
            ok = run(null, 60, check).exit == 0;
        } catch (IOException e) {
            ok = false;
        }
        if (!ok) {
            String message = what + " is not installed (" + install + ")";
            if (required()) {
                Assertions.fail(message + "; required by -Drequire.client.tools=true (CI)");
            }
            Assumptions.abort(message);
        }
    }

    record Result(int exit, String out, String err) {
        List<String> lines() {
            List<String> l = new ArrayList<>();
            for (String s : out.split("\n")) {
                if (!s.isBlank()) {
                    l.add(s);
                }
            }
            return l;
        }
    }

    static Result run(String stdin, int timeoutSeconds, String... command) throws IOException {
        Process p = new ProcessBuilder(command).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = drain(p.getInputStream(), out);
        Thread e = drain(p.getErrorStream(), err);
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            o.join();
            e.join();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IOException(ie);
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(to);
            } catch (IOException ignored) {
                // process ended
            }
        });
        t.start();
        return t;
    }
}
