package org.fossinfra.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.events.EventType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole node (the composition root, as {@code foss-infra run} starts it) with a rate-limit rule on the real Redis
 * of the test services: it starts, and the rule counts there. Until this was wired, {@link Node#start} gave the proxy
 * no Redis store, so any config with {@code store: redis} failed to start ("this proxy was started without one").
 */
class NodeRedisRateLimitTest {
    @TempDir
    Path dir;
    private Vertx backendVertx;
    private Node node;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        if (backendVertx != null) {
            backendVertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void ruleOnRedisIsAppliedByTheNode() throws Exception {
        String redis = System.getenv("FOSS_TEST_REDIS_ADDRESS");
        assertThat(redis).as("FOSS_TEST_REDIS_ADDRESS (set by ./run-tests)").isNotBlank();
        backendVertx = Vertx.vertx();
        HttpServer s = backendVertx.createHttpServer().requestHandler(r -> r.response().end("served"))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        String prefix = "node-test-" + System.nanoTime() + ":";
        Path configFile = dir.resolve("node.yaml");
        Files.writeString(configFile, """
                node: { name: test-node, data-dir: %s }
                database: { enabled: false }
                redis:
                  address: %s
                  timeout: 2s
                  on-failure: open
                  key-prefix: "%s"
                rate-limits:
                  - name: per-client
                    policy: fixed-window
                    limit: 3
                    window: 1m
                    store: redis
                frontends:
                  - { name: http, bind: 127.0.0.1:0, default-backend: web, rate-limits: per-client }
                backends:
                  - name: web
                    servers: [{ name: web1, address: "127.0.0.1:%d" }]
                """.formatted(dir.resolve("data"), redis, prefix, s.actualPort()));
        node = Node.start(ConfigLoader.load(configFile), configFile);
        URI uri = URI.create("http://127.0.0.1:" + node.proxy().boundPort("http") + "/");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            codes.add(http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        // Three within the limit, then refused: counted in Redis (fail-open would have let all five through).
        assertThat(codes).containsExactly(200, 200, 200, 429, 429);
    }

    /**
     * A rule's {@code size} holds on Redis too: with two API keys counted, a third new key is not made, and with
     * on-failure closed its request is refused (503) while the known keys are served and limited as before; the
     * node's /metrics counts the refused key and the event log says it once.
     */
    @Test
    void aRuleOnRedisHoldsItsSizeOfKeys() throws Exception {
        String redis = System.getenv("FOSS_TEST_REDIS_ADDRESS");
        assertThat(redis).as("FOSS_TEST_REDIS_ADDRESS (set by ./run-tests)").isNotBlank();
        backendVertx = Vertx.vertx();
        HttpServer s = backendVertx.createHttpServer().requestHandler(r -> r.response().end("served"))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        String prefix = "node-test-" + System.nanoTime() + ":";
        Path configFile = dir.resolve("node.yaml");
        Files.writeString(configFile, """
                node: { name: test-node, data-dir: %s }
                database: { enabled: false }
                redis:
                  address: %s
                  timeout: 2s
                  on-failure: closed
                  key-prefix: "%s"
                rate-limits:
                  - name: per-api-key
                    policy: fixed-window
                    limit: 2
                    window: 1m
                    key: header:X-Api-Key
                    store: redis
                    size: 2
                frontends:
                  - { name: http, bind: 127.0.0.1:0, default-backend: web, rate-limits: per-api-key }
                backends:
                  - name: web
                    servers: [{ name: web1, address: "127.0.0.1:%d" }]
                """.formatted(dir.resolve("data"), redis, prefix, s.actualPort()));
        node = Node.start(ConfigLoader.load(configFile), configFile);
        URI uri = URI.create("http://127.0.0.1:" + node.proxy().boundPort("http") + "/");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<String> codes = new ArrayList<>();
        for (String key : List.of("a", "b", "c", "a", "a", "d")) {
            codes.add(key + ":" + http.send(HttpRequest.newBuilder(uri).header("X-Api-Key", key)
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        assertThat(codes).containsExactly("a:200", "b:200", "c:503", "a:200", "a:429", "d:503");
        assertThat(node.metrics().scrape())
                .contains("foss_ratelimit_redis_keys_refused_total{rule=\"per-api-key\"} 2.0");
        assertThat(node.events().recent(100, EventType.RATELIMIT_KEYS_FULL)).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("on-failure: closed (503)"));
    }
}
