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
}
