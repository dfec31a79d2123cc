package org.fossinfra.web;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.fossinfra.app.Node;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.config.Passwords;

/**
 * A whole node for dashboard tests: a user with a known password, real backends (Vert.x HTTP servers that count what
 * they receive), two watched services (one up, one down), and a load generator. Backends: {@code web} (web1..web3,
 * weighted round robin, health-checked; web3 a backup, web4 a port where nothing listens, so DOWN) for "/", and {@code api} (api1 fast, api2 slower and failing 8% of requests)
 * for "/api".
 */
final class DashboardFixture implements AutoCloseable {
    static final String USER = "alice";
    static final String PASSWORD = "correct-horse-battery-staple";
    static final String TOKEN = "dashboard-test-token-0123456789";
    /** Made once per JVM: a bcrypt hash costs a quarter of a second. */
    private static volatile String hash;

    final Vertx backendVertx = Vertx.vertx();
    final Map<String, AtomicLong> hits = new LinkedHashMap<>();
    final Node node;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    private DashboardFixture(Path dir, String extraYaml, Map<String, String> env) throws Exception {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : List.of("web1", "web2", "web3", "api1", "api2")) {
            AtomicLong count = new AtomicLong();
            hits.put(name, count);
            HttpServer s = backendVertx.createHttpServer().requestHandler(r -> {
                if (r.path().equals("/health")) {
                    r.response().end("ok");
                    return;
                }
                count.incrementAndGet();
                if (name.equals("api2")) {
                    int delay = 2 + ThreadLocalRandom.current().nextInt(12);
                    boolean fail = ThreadLocalRandom.current().nextInt(100) < 8;
                    backendVertx.setTimer(delay, t -> r.response().setStatusCode(fail ? 500 : 200).end(name));
                } else {
                    r.response().end(name);
                }
            }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
            ports.put(name, s.actualPort());
        }
        if (hash == null) {
            hash = Passwords.hash(PASSWORD.toCharArray());
        }
        Path config = dir.resolve("node.yaml");
        Files.writeString(config, """
                node:
                  name: node-1
                admin:
                  bind: 127.0.0.1:0
                  tokens: [{ name: ops, secret: %s }]
                  users:
                    - { name: %s, password-hash: "%s" }
                    - { name: bob, password-hash: "%s" }
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    routes:
                      - { backend: api, when: { path-prefix: /api } }
                    default-backend: web
                backends:
                  - name: web
                    balance: weighted-roundrobin
                    health-check: { path: /health, interval: 1s, timeout: 500ms, rise: 1, fall: 2 }
                    servers:
                      - { name: web1, address: "127.0.0.1:%d", weight: 10, maxconn: 200 }
                      - { name: web2, address: "127.0.0.1:%d", weight: 10, maxconn: 200 }
                      - { name: web3, address: "127.0.0.1:%d", weight: 10, maxconn: 200, backup: true }
                      - { name: web4, address: "127.0.0.1:1", weight: 10, maxconn: 200 }
                  - name: api
                    balance: roundrobin
                    servers:
                      - { name: api1, address: "127.0.0.1:%d", maxconn: 500 }
                      - { name: api2, address: "127.0.0.1:%d", maxconn: 500 }
                services:
                  - { name: api1-port, type: tcp, address: "127.0.0.1:%d", interval: 1s }
                  - { name: postgres, type: tcp, address: "127.0.0.1:1", interval: 1s, timeout: 500ms }
                %s
                """.formatted(TOKEN, USER, hash, hash, ports.get("web1"), ports.get("web2"), ports.get("web3"),
                ports.get("api1"), ports.get("api2"), ports.get("api1"), extraYaml.stripTrailing()));
        node = Node.start(ConfigLoader.parse(Files.readString(config), config.toString(), env), config);
    }

    static DashboardFixture start(Path dir) throws Exception {
        return new DashboardFixture(dir, "", System.getenv());
    }

    /** With more top-level sections ({@code matrix:} ...), whose {@code ${VAR}}s come from {@code env}. */
    static DashboardFixture start(Path dir, String extraYaml, Map<String, String> env) throws Exception {
        return new DashboardFixture(dir, extraYaml, env);
    }

    String base() {
        return "http://127.0.0.1:" + node.admin().orElseThrow().port();
    }

    int proxyPort() {
        return node.proxy().boundPort("http");
    }

    long hits(String server) {
        return hits.get(server).get();
    }

    /** Requests to the proxy from {@code workers} threads ("/" and "/api/..." in turn) until closed (at most 2 min). */
    Load load(int workers) {
        return new Load(workers);
    }

    final class Load implements AutoCloseable {
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean running = true;
        final AtomicLong sent = new AtomicLong();

        private Load(int workers) {
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            for (int i = 0; i < workers; i++) {
                String path = i % 2 == 0 ? "/" : "/api/items";
                threads.add(Thread.ofVirtual().start(() -> {
                    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort() + path))
                            .timeout(Duration.ofSeconds(5)).build();
                    while (running && System.nanoTime() < until) {
                        try {
                            http.send(req, HttpResponse.BodyHandlers.discarding());
                            sent.incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            // a refused or reset connection during a drain: go on
                        }
                    }
                }));
            }
        }

        @Override
        public void close() {
            running = false;
            try {
                for (Thread t : threads) {
                    t.join(10_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        node.close();
        try {
            backendVertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("backends did not stop: " + e, e);
        }
    }
}
