package com.sensoranomaly.schema.format;

import com.sensoranomaly.schema.SensorReading;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client's side of the registry protocol over real HTTP, against answers a registry gives (the end-to-end run against
 * a real registry is ClientFormatsITCase): credentials sent, refusals told apart from outages, outages retried.
 */
class SchemaRegistryClientTest {
    private HttpServer server;
    private final List<String> authorizations = new ArrayList<>();

    private String serve(int[] statuses, String body) throws Exception {
        AtomicInteger call = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            int status = statuses[Math.min(call.getAndIncrement(), statuses.length - 1)];
            byte[] b = (status == 200 ? body : "{\"error_code\":40403,\"message\":\"Schema not found\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void shouldSendBasicCredentialsAndCacheSchemasById() throws Exception {
        String schema = SensorReading.getClassSchema().toString().replace("\"", "\\\"");
        String url = serve(new int[] {200}, "{\"schema\":\"" + schema + "\"}");
        SchemaRegistryClient c = new SchemaRegistryClient(new RegistryConfig(url, "svc:s3cret", null, null, null));
        assertThat(c.schemaById(7)).isEqualTo(SensorReading.getClassSchema());
        assertThat(c.schemaById(7)).isEqualTo(SensorReading.getClassSchema());
        assertThat(authorizations).containsExactly("Basic c3ZjOnMzY3JldA=="); // one request: the second came from the cache
        assertThat(c.config().toString()).doesNotContain("s3cret");
    }

    @Test
    void shouldTellAnUnknownIdFromAnOutage() throws Exception {
        String url = serve(new int[] {404}, "");
        assertThatThrownBy(() -> new SchemaRegistryClient(RegistryConfig.of(url)).schemaById(99))
                .isInstanceOf(SchemaRegistryClient.RegistryRefusal.class)
                .hasMessageContaining("schema id 99").hasMessageContaining("40403");
    }

    @Test
    void shouldRetryAFailingRegistryAndSucceedWhenItRecovers() throws Exception {
        String url = serve(new int[] {503, 503, 200}, "{\"id\":12}");
        int id = new SchemaRegistryClient(RegistryConfig.of(url), Duration.ofSeconds(10)).register("t-value", SensorReading.getClassSchema());
        assertThat(id).isEqualTo(12);
        assertThat(authorizations).hasSize(3);
    }

    @Test
    void shouldGiveUpOnAnUnreachableRegistryAsUnavailableNotAsARefusal() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        SchemaRegistryClient c = new SchemaRegistryClient(RegistryConfig.of("http://127.0.0.1:" + port), Duration.ofSeconds(1));
        assertThatThrownBy(() -> c.schemaById(1)).isInstanceOf(SchemaRegistryClient.RegistryUnavailable.class)
                .hasMessageContaining("unavailable");
    }

    @Test
    void shouldRefuseUnusableRegistrySettings() {
        assertThatThrownBy(() -> RegistryConfig.of("registry:8080")).hasMessageContaining("must start with http:// or https://");
        assertThatThrownBy(() -> new RegistryConfig("http://r", "useronly", null, null, null)).hasMessageContaining("user:password");
    }
}
