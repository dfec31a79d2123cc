package org.fossinfra.cli;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.fossinfra.app.Node;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.demo.DemoBackends;
import picocli.CommandLine.Command;

/**
 * A short, representative run for the JVM's ahead-of-time cache (JDK 25 {@code -XX:AOTCacheOutput}, or a dynamic
 * CDS archive on older JDKs): starts a node on loopback ports chosen by the system, sends requests through it and
 * calls the admin API, then stops. The launcher runs it once after each build, so that later starts load
 * already-parsed, already-linked classes and reach their first proxied request sooner. Hidden: not for people.
 */
@Command(name = "train", hidden = true, description = "Exercise a node briefly (used by the launcher to build the AOT cache).")
final class TrainCommand implements Callable<Integer> {
    private static final String TOKEN = "training-token-000000000";

    @Override
    public Integer call() throws Exception {
        Vertx backendsVertx = Vertx.vertx();
        Path dir = Files.createTempDirectory("foss-infra-train");
        try {
            DemoBackends backends = DemoBackends.start(backendsVertx, "127.0.0.1", 0).await(30, TimeUnit.SECONDS);
            int port = backends.backends().get(0).port();
            Path config = dir.resolve("train.yaml");
            Files.writeString(config, """
                    node: { name: train, data-dir: %s }
                    database: { enabled: false }
                    admin:
                      bind: 127.0.0.1:0
                      tokens: [{ name: train, secret: %s }]
                    frontends:
                      - name: http
                        bind: 127.0.0.1:0
                        response-headers: { X-Frame-Options: DENY }
                        routes:
                          - backend: api
                            when: { path-prefix: /api }
                        default-backend: web
                    backends:
                      - name: web
                        balance: leastconn
                        health-check: { path: /health, interval: 200ms, timeout: 100ms }
                        servers: [{ name: w1, address: "127.0.0.1:%d" }]
                      - name: api
                        balance: roundrobin
                        servers: [{ name: a1, address: "127.0.0.1:%d" }]
                    """.formatted(dir, TOKEN, port, port));
            try (Node node = Node.start(ConfigLoader.load(config), config)) {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                String proxy = "http://127.0.0.1:" + node.proxy().boundPort("http");
                String admin = "http://127.0.0.1:" + node.admin().orElseThrow().port();
                for (int i = 0; i < 200; i++) {
                    send(http, proxy + (i % 2 == 0 ? "/" : "/api/x"), null);
                }
                send(http, proxy + "/api/upload", "x".repeat(10_000));
                for (String p : new String[] {"/api/backends", "/api/frontends", "/api/events", "/metrics"}) {
                    send(http, admin + p, null);
                }
                Thread.sleep(1200); // a telemetry tick and a few health checks
            }
            return 0;
        } finally {
            backendsVertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    private static void send(HttpClient http, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN);
        if (body != null) {
            b.POST(HttpRequest.BodyPublishers.ofString(body));
        }
        http.send(b.build(), HttpResponse.BodyHandlers.discarding());
    }
}
