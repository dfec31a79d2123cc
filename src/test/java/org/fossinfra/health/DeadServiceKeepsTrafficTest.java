package org.fossinfra.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.fossinfra.app.Node;
import org.fossinfra.config.Config;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.RealServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A dead database degrades one feature, never the traffic": a whole node with a real PostgreSQL, one that refuses
 * connections and one that accepts and never answers. The node starts at once, takes the services in with a reload,
 * and proxies as usual while two of them are failing.
 */
class DeadServiceKeepsTrafficTest {
    private Vertx backendVertx;
    private int backendPort;
    private ServerSocket blackHole;
    private int refusedPort;
    private Node node;
    private Path configFile;
    private Map<String, String> env;
    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        env = new HashMap<>(RealServices.postgres());
        backendVertx = Vertx.vertx();
        HttpServer s = backendVertx.createHttpServer().requestHandler(r -> r.response().end("served"))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        backendPort = s.actualPort();
        blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusedPort = closed.getLocalPort();
        }
        String yaml = """
                # About the API, not the event store: no embedded PostgreSQL whose first start (initdb) could
                # outlive a short test on a busy machine.
                database: { enabled: false }
                node: { name: test-node }
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: web
                backends:
                  - name: web
                    servers:
                      - name: web1
                        address: 127.0.0.1:%d
                services:
                  - name: db
                    type: postgres
                    url: ${FOSS_TEST_PG_URL}
                    password: ${FOSS_TEST_PG_PASSWORD}
                    interval: 10s
                    timeout: 5s
                    degraded-after: 4s
                  - name: db-refused
                    type: postgres
                    url: postgresql://foss@127.0.0.1:%d/foss
                    interval: 200ms
                    timeout: 200ms
                  - name: db-hanging
                    type: postgres
                    url: postgresql://foss@127.0.0.1:%d/foss
                    interval: 300ms
                    timeout: 300ms
                """.formatted(backendPort, refusedPort, blackHole.getLocalPort());
        configFile = dir.resolve("node.yaml");
        // The reload reads the file with the process environment, so the real database's coordinates go in as text.
        Files.writeString(configFile, yaml.substring(0, yaml.indexOf("services:")));
        Config config = ConfigLoader.load(configFile);
        node = Node.start(config, configFile);
        Files.writeString(configFile, yaml.replace("${FOSS_TEST_PG_URL}", env.get("FOSS_TEST_PG_URL"))
                .replace("${FOSS_TEST_PG_PASSWORD}", env.get("FOSS_TEST_PG_PASSWORD")));
    }

    @AfterEach
    void stop() throws Exception {
        long t0 = System.nanoTime();
        node.close();
        // A check in flight on the hanging server must not hold up the close (Vert.x would wait for it forever).
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(4000);
        blackHole.close();
        backendVertx.close().await(10, TimeUnit.SECONDS);
    }

    private ServiceStatus status(String name) {
        return node.control().services().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private ServiceStatus awaitState(String name, ServiceState state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (status(name).state() == state) {
                return status(name);
            }
            Thread.sleep(10);
        }
        throw new AssertionError(name + " did not become " + state + " within 15 s: " + status(name));
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestsAreServedWhileDatabaseChecksFail() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + node.proxy().boundPort("http") + "/");
        // Warm the traffic path up first: a fresh JVM's first requests load classes, which says nothing here.
        for (int i = 0; i < 20; i++) {
            assertThat(get(uri).statusCode()).isEqualTo(200);
        }
        long t0 = System.nanoTime();
        assertThat(node.control().reload("test").changes())
                .containsExactly("service db added", "service db-hanging added", "service db-refused added");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("a reload does not wait on services")
                .isLessThan(3000);
        assertThat(node.control().services()).extracting(ServiceStatus::name)
                .containsExactly("db", "db-refused", "db-hanging");
        // Traffic while the checks are failing and timing out, until the dead ones are unhealthy.
        int served = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while ((status("db-refused").state() != ServiceState.UNHEALTHY
                || status("db-hanging").state() != ServiceState.UNHEALTHY) && System.nanoTime() < deadline) {
            long sent = System.nanoTime();
            HttpResponse<String> r = get(uri);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("served");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)).isLessThan(1000);
            served++;
        }
        assertThat(served).isPositive();
        assertThat(awaitState("db-refused", ServiceState.UNHEALTHY).lastError()).hasValue("connection refused");
        assertThat(awaitState("db-hanging", ServiceState.UNHEALTHY).lastError()).hasValue("timeout after 300 ms");
        assertThat(awaitState("db", ServiceState.HEALTHY).lastResult()).startsWith("SELECT 1 in ");
        // The state is published before its event is recorded (same check, a moment later): wait for the second one.
        Eventually.until(Duration.ofSeconds(5), "both service.unhealthy events",
                () -> node.events().recent(100, "service.unhealthy").size() >= 2);
        assertThat(node.events().recent(100, "service.unhealthy")).extracting(e -> e.subject())
                .containsExactlyInAnyOrder("db-refused", "db-hanging");
    }
}
