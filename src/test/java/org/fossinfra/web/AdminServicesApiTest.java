package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.fossinfra.app.Node;
import org.fossinfra.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/services on a whole node: token-protected, one service up, one down, no password in any answer. */
class AdminServicesApiTest {
    private static final String TOKEN = "test-token-0123456789";
    private static final String PG_PASSWORD = "pg-password-never-shown";

    @TempDir
    Path dir;
    private ServerSocket listening;
    private int closedPort;
    private Node node;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path configFile = dir.resolve("node.yaml");
        Files.writeString(configFile, """
                # About the API, not the event store: no embedded PostgreSQL whose first start (initdb) could
                # outlive a short test on a busy machine.
                database: { enabled: false }
                admin:
                  bind: 127.0.0.1:0
                  tokens:
                    - { name: ops, secret: %s }
                frontends:
                  - { name: http, bind: "127.0.0.1:0", default-backend: web }
                backends:
                  - { name: web, servers: [{ name: web1, address: "127.0.0.1:1" }] }
                services:
                  - { name: port, type: tcp, address: "127.0.0.1:%d", interval: 200ms }
                  - name: db
                    type: postgres
                    url: postgresql://foss@127.0.0.1:%d/foss
                    password: %s
                    interval: 200ms
                """.formatted(TOKEN, listening.getLocalPort(), closedPort, PG_PASSWORD));
        node = Node.start(ConfigLoader.load(configFile), configFile);
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        listening.close();
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.admin().orElseThrow().port() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The services once both have been checked three times, so the dead one is UNHEALTHY. */
    private JsonArray settledServices() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonArray a = null;
        while (System.nanoTime() < deadline) {
            a = new JsonArray(get("/api/services", TOKEN).body());
            if (a.getJsonObject(0).getLong("checks") >= 3 && a.getJsonObject(1).getLong("checks") >= 3) {
                return a;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("services not checked 3 times within 15 s: " + a);
    }

    @Test
    void servicesNeedAToken() throws Exception {
        HttpResponse<String> r = get("/api/services", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).doesNotContain("postgres");
        assertThat(get("/api/services/db", "wrong-token-000000000").statusCode()).isEqualTo(401);
    }

    @Test
    void servicesListStateLatencyAndLastErrorInConfigOrder() throws Exception {
        JsonArray a = settledServices();
        assertThat(a).hasSize(2);
        JsonObject port = a.getJsonObject(0);
        assertThat(port.getString("name")).isEqualTo("port");
        assertThat(port.getString("type")).isEqualTo("tcp");
        assertThat(port.getString("target")).isEqualTo("127.0.0.1:" + listening.getLocalPort());
        assertThat(port.getString("state")).isEqualTo("HEALTHY");
        assertThat(port.getString("lastResult")).matches("connected in \\d+ ms");
        assertThat(port.getValue("lastError")).isNull();
        assertThat(port.getString("lastCheck")).isNotNull();
        assertThat(port.getJsonObject("recent")).isEqualTo(new JsonObject().put("window", 10).put("failed", 0).put("slow", 0));

        JsonObject db = a.getJsonObject(1);
        assertThat(db.getString("state")).isEqualTo("UNHEALTHY");
        assertThat(db.getString("target")).isEqualTo("postgresql://foss@127.0.0.1:" + closedPort + "/foss");
        assertThat(db.getString("lastError")).isEqualTo("connection refused");
        assertThat(db.getString("lastErrorAt")).isNotNull();
        assertThat(db.getLong("consecutiveFailures")).isGreaterThanOrEqualTo(3);
        assertThat(db.getLong("failures")).isEqualTo(db.getLong("checks"));
    }

    @Test
    void oneServiceByNameAndAnUnknownNameListsTheNames() throws Exception {
        settledServices();
        HttpResponse<String> one = get("/api/services/db", TOKEN);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(one.body()).getString("name")).isEqualTo("db");
        HttpResponse<String> none = get("/api/services/redis", TOKEN);
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(none.body()).getString("error")).isEqualTo("no service 'redis'; services: port, db");
    }

    @Test
    void noAnswerOrEventShowsAPassword() throws Exception {
        settledServices();
        assertThat(get("/api/services", TOKEN).body()).doesNotContain(PG_PASSWORD);
        assertThat(get("/api/services/db", TOKEN).body()).doesNotContain(PG_PASSWORD);
        HttpResponse<String> events = get("/api/events?type=service.unhealthy", TOKEN);
        assertThat(new JsonArray(events.body()).getJsonObject(0).getString("actor")).isEqualTo("health-check");
        assertThat(get("/api/events", TOKEN).body()).doesNotContain(PG_PASSWORD);
    }
}
