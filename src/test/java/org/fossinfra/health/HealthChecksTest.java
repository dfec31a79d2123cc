package org.fossinfra.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.fossinfra.app.Node;
import org.fossinfra.balance.AdminState;
import org.fossinfra.balance.Server;
import org.fossinfra.config.Config;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.control.Control;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.fossinfra.proxy.ProxyServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Active checks against real HTTP servers, through a real proxy: rise/fall, events, and traffic following state. */
class HealthChecksTest {
    private static final long INTERVAL_MS = 200;

    private Vertx vertx;
    private Vertx backendsVertx;
    private ProxyServer proxy;
    private HealthChecks checks;
    private EventLog events;
    private final Map<String, AtomicInteger> healthStatus = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> healthDelayMs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        backendsVertx = Vertx.vertx();
        for (String name : List.of("a", "b")) {
            healthStatus.put(name, new AtomicInteger(200));
            healthDelayMs.put(name, new AtomicLong());
            hits.put(name, new AtomicInteger());
            HttpServer s = backendsVertx.createHttpServer().requestHandler(req -> {
                if (req.path().equals("/health")) {
                    long delay = healthDelayMs.get(name).get();
                    Runnable answer = () -> req.response().setStatusCode(healthStatus.get(name).get()).end("h");
                    if (delay > 0) {
                        backendsVertx.setTimer(delay, id -> answer.run());
                    } else {
                        answer.run();
                    }
                    return;
                }
                hits.get(name).incrementAndGet();
                req.response().end(name);
            }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
            ports.put(name, s.actualPort());
        }
        vertx = Vertx.vertx(Node.vertxOptions());
        events = EventLog.inMemory(1000);
        proxy = new ProxyServer(vertx);
        Config config = ConfigLoader.parse("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: web
                backends:
                  - name: web
                    balance: roundrobin
                    health-check:
                      path: /health
                      interval: %dms
                      timeout: 100ms
                      rise: 2
                      fall: 2
                    servers:
                      - name: a
                        address: 127.0.0.1:%d
                      - name: b
                        address: 127.0.0.1:%d
                """.formatted(INTERVAL_MS, ports.get("a"), ports.get("b")), "health-test.yaml", Map.of());
        proxy.apply(config).get(10, TimeUnit.SECONDS);
        checks = new HealthChecks(vertx, events);
        checks.apply(Control.targets(proxy));
    }

    @AfterEach
    void stop() throws Exception {
        checks.close();
        proxy.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        backendsVertx.close().await(10, TimeUnit.SECONDS);
    }

    private Server server(String name) {
        return proxy.backends().get("web").servers().server(name).orElseThrow();
    }

    private String get() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.boundPort("http") + "/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private Event awaitEvent(String type, String subject, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            for (Event e : events.recent(1000, type)) {
                if (e.subject().equals(subject)) {
                    return e;
                }
            }
            Thread.sleep(10);
        }
        return null;
    }

    @Test
    void failingServerIsMarkedDownAfterFallChecksAndGetsNoMoreRequests() throws Exception {
        awaitChecks("b", 1);
        long t0 = System.nanoTime();
        healthStatus.get("b").set(503);
        // fall = 2: two failed checks, the first within one interval of the flip.
        Event down = awaitEvent(EventType.SERVER_DOWN, "web/b", 3 * INTERVAL_MS + 1000);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(down).as("server.down event for web/b").isNotNull();
        assertThat(down.actor()).isEqualTo("health-check");
        assertThat(down.message()).contains("HTTP 503");
        assertThat(tookMs).isLessThan(3 * INTERVAL_MS + 500);
        assertThat(server("b").healthy()).isFalse();
        int before = hits.get("b").get();
        for (int i = 0; i < 40; i++) {
            assertThat(get()).isEqualTo("a");
        }
        assertThat(hits.get("b").get()).isEqualTo(before);
    }

    @Test
    void recoveredServerComesBackAfterRiseChecks() throws Exception {
        healthStatus.get("b").set(500);
        assertThat(awaitEvent(EventType.SERVER_DOWN, "web/b", 3000)).isNotNull();
        healthStatus.get("b").set(200);
        Event up = awaitEvent(EventType.SERVER_UP, "web/b", 3 * INTERVAL_MS + 1000);
        assertThat(up).as("server.up event").isNotNull();
        assertThat(up.message()).contains("2 passed checks in a row");
        int served = 0;
        for (int i = 0; i < 10; i++) {
            if (get().equals("b")) {
                served++;
            }
        }
        // Round robin over two up servers; each event loop keeps its own rotation, so allow one either way.
        assertThat(served).isBetween(4, 6);
    }

    @Test
    void oneFailedCheckBelowFallChangesNothing() throws Exception {
        awaitChecks("b", 1);
        long checksBefore = checks.status(server("b")).orElseThrow().checks();
        healthStatus.get("b").set(503);
        awaitChecks("b", checksBefore + 1);
        healthStatus.get("b").set(200);
        awaitChecks("b", checksBefore + 4);
        assertThat(server("b").healthy()).isTrue();
        assertThat(events.recent(100, EventType.SERVER_DOWN)).isEmpty();
    }

    @Test
    void slowAnswerBeyondTheTimeoutCountsAsAFailure() throws Exception {
        healthDelayMs.get("a").set(400);
        Event down = awaitEvent(EventType.SERVER_DOWN, "web/a", 3000);
        assertThat(down).isNotNull();
        assertThat(down.message()).contains("timeout after 100 ms");
    }

    @Test
    void refusedConnectionCountsAsAFailureAndSaysSo() throws Exception {
        backendsVertx.close().await(10, TimeUnit.SECONDS);
        Event down = awaitEvent(EventType.SERVER_DOWN, "web/a", 3000);
        assertThat(down).isNotNull();
        assertThat(down.message()).contains("connection refused");
    }

    @Test
    void checksPauseWhileTheServerIsInMaintenance() throws Exception {
        awaitChecks("b", 1);
        server("b").setAdminState(AdminState.MAINT);
        Thread.sleep(INTERVAL_MS); // let a check that was already running finish
        long during = checks.status(server("b")).orElseThrow().checks();
        healthStatus.get("b").set(503);
        Thread.sleep(4 * INTERVAL_MS);
        assertThat(checks.status(server("b")).orElseThrow().checks()).isEqualTo(during);
        assertThat(server("b").healthy()).isTrue();
        server("b").setAdminState(AdminState.READY);
        assertThat(awaitEvent(EventType.SERVER_DOWN, "web/b", 3000)).isNotNull();
    }

    private void awaitChecks(String name, long n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            if (checks.status(server(name)).map(CheckStatus::checks).orElse(0L) >= n) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("server " + name + " was not checked " + n + " times within 5 s");
    }
}
