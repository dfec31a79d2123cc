package org.fossinfra.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.fossinfra.app.Node;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.fossinfra.proxy.ProxyServer;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Script;
import org.fossinfra.testing.services.RealRedis;
import org.fossinfra.testing.services.SilentServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy with rules on Redis, as a node runs it: the seed's rule shared by two proxies, and a Redis that is down
 * or silent, with on-failure open (requests served) and closed (503), each answered within the timeout, and the
 * events that say so.
 */
class RedisRateLimitScenarioTest {
    private FakeServer web;
    private final List<Running> running = new ArrayList<>();

    /** A proxy on its own Vert.x, opening its Redis store as the node does. */
    private record Running(Vertx vertx, ProxyServer proxy, EventLog events) {
        int port() {
            return proxy.boundPort("http");
        }
    }

    @BeforeEach
    void startServer() throws Exception {
        web = FakeServer.start(Script.ok("web"));
    }

    @AfterEach
    void stop() throws Exception {
        for (Running r : running) {
            r.proxy().close();
            r.vertx().close().await(10, TimeUnit.SECONDS);
        }
        web.close();
    }

    private Running start(String redisAddress, String onFailure, String timeout, String prefix) throws Exception {
        String yaml = """
                redis:
                  address: "${REDIS}"
                  timeout: %s
                  on-failure: %s
                  key-prefix: "%s"
                rate-limits:
                  - name: per-client
                    policy: sliding-window
                    limit: 5
                    window: 10s
                    store: redis
                frontends:
                  - { name: http, bind: 127.0.0.1:0, default-backend: web, rate-limits: per-client }
                backends:
                  - name: web
                    servers: [{ name: web1, address: "${WEB}" }]
                """.formatted(timeout, onFailure, prefix);
        Map<String, String> env = new HashMap<>(Map.of("REDIS", redisAddress, "WEB", web.address()));
        Vertx vertx = Vertx.vertx(Node.vertxOptions());
        EventLog events = EventLog.inMemory(100);
        ProxyServer proxy = new ProxyServer(vertx, 10_000)
                .redisRateLimitStore(c -> RedisRateLimitStore.start(vertx, c, events));
        Running r = new Running(vertx, proxy, events);
        running.add(r);
        proxy.apply(ConfigLoader.parse(yaml, "test.yaml", env)).get(10, TimeUnit.SECONDS);
        return r;
    }

    private static RawClient.Response get(Running r) throws Exception {
        try (RawClient c = RawClient.connect(r.port())) {
            return c.send("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponse();
        }
    }

    /** The status, and how long the answer took in milliseconds. */
    private static long[] timed(Running r) throws Exception {
        long t0 = System.nanoTime();
        int status = get(r).status();
        return new long[] {status, (System.nanoTime() - t0) / 1_000_000};
    }

    @Test
    void theSeedsRuleOnRedisAnswers429BeyondTheLimitAndNothingReachesTheServer() throws Exception {
        Running r = start(RealRedis.address().toString(), "open", "200ms", RealRedis.prefix("seed"));
        for (int i = 0; i < 5; i++) {
            assertThat(get(r).status()).isEqualTo(200);
        }
        RawClient.Response denied = get(r);
        assertThat(denied.status()).isEqualTo(429);
        assertThat(Long.parseLong(denied.header("Retry-After"))).isBetween(1L, 10L);
        assertThat(web.requestCount()).isEqualTo(5);
        assertThat(r.events().recent(10, EventType.RATELIMIT_STORE_UNAVAILABLE)).isEmpty();
    }

    @Test
    void twoProxiesOnOneRedisShareTheCount() throws Exception {
        String prefix = RealRedis.prefix("shared");
        Running a = start(RealRedis.address().toString(), "open", "200ms", prefix);
        Running b = start(RealRedis.address().toString(), "open", "200ms", prefix);
        for (int i = 0; i < 3; i++) {
            assertThat(get(a).status()).isEqualTo(200);
        }
        assertThat(get(b).status()).isEqualTo(200);
        assertThat(get(b).status()).isEqualTo(200);
        assertThat(get(a).status()).isEqualTo(429);
        assertThat(get(b).status()).isEqualTo(429);
    }

    @Test
    void withRedisDownFailOpenServesAtOnceAndSaysSoOnce() throws Exception {
        Running r = start("127.0.0.1:" + RealRedis.deadPort(), "open", "100ms", "x:");
        for (int i = 0; i < 10; i++) {
            long[] t = timed(r);
            assertThat(t[0]).isEqualTo(200);
            assertThat(t[1]).as("ms").isLessThan(1000);
        }
        assertThat(web.requestCount()).isEqualTo(10);
        assertThat(r.events().recent(10, EventType.RATELIMIT_STORE_UNAVAILABLE)).hasSize(1);
    }

    @Test
    void withRedisDownFailClosedRefusesWith503() throws Exception {
        Running r = start("127.0.0.1:" + RealRedis.deadPort(), "closed", "100ms", "x:");
        Thread.sleep(300); // the first connection attempt has failed
        for (int i = 0; i < 5; i++) {
            long[] t = timed(r);
            assertThat(t[0]).isEqualTo(503);
            assertThat(t[1]).as("ms").isLessThan(1000);
        }
        assertThat(web.requestCount()).isZero();
        assertThat(r.events().recent(10, EventType.RATELIMIT_STORE_UNAVAILABLE)).hasSize(1);
    }

    @Test
    void aSilentRedisHoldsARequestNoLongerThanTheTimeoutFailingOpen() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            Running r = start("127.0.0.1:" + silent.port(), "open", "100ms", "x:");
            for (int i = 0; i < 3; i++) {
                long[] t = timed(r);
                assertThat(t[0]).isEqualTo(200);
                assertThat(t[1]).as("ms").isBetween(90L, 1000L);
            }
            assertThat(web.requestCount()).isEqualTo(3);
        }
    }

    @Test
    void aSilentRedisHoldsARequestNoLongerThanTheTimeoutFailingClosed() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            Running r = start("127.0.0.1:" + silent.port(), "closed", "100ms", "x:");
            long[] t = timed(r);
            assertThat(t[0]).isEqualTo(503);
            assertThat(t[1]).as("ms").isBetween(90L, 1000L);
            assertThat(web.requestCount()).isZero();
            // The lane gives up on the silent connection (no answer to SCRIPT LOAD) and reports it.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (r.events().recent(10, EventType.RATELIMIT_STORE_UNAVAILABLE).isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(r.events().recent(10, EventType.RATELIMIT_STORE_UNAVAILABLE)).hasSize(1);
        }
    }
}
