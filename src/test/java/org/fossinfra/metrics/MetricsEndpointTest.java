package org.fossinfra.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.fossinfra.app.Node;
import org.fossinfra.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics on a whole node: token, content after real traffic, and promtool's verdict on the format. */
class MetricsEndpointTest {
    private static final String TOKEN = "metrics-token-0123456789";

    @TempDir
    Path dir;
    private Vertx backendVertx;
    private Node node;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        backendVertx = Vertx.vertx();
        HttpServer s = backendVertx.createHttpServer().requestHandler(r -> {
            if (r.path().equals("/fail")) {
                r.response().setStatusCode(503).end("no");
            } else {
                r.response().end("ok");
            }
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        Path config = dir.resolve("node.yaml");
        Files.writeString(config, """
                # About the API, not the event store: no embedded PostgreSQL whose first start (initdb) could
                # outlive a short test on a busy machine.
                database: { enabled: false }
                admin:
                  bind: 127.0.0.1:0
                  tokens: [{ name: prometheus, secret: %s }]
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: web
                backends:
                  - name: web
                    servers: [{ name: web1, address: "127.0.0.1:%d" }]
                """.formatted(TOKEN, s.actualPort()));
        node = Node.start(ConfigLoader.load(config), config);
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        backendVertx.close().await(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsNeedTheToken() throws Exception {
        HttpResponse<String> r = get(node.admin().orElseThrow().port(), "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).doesNotContain("foss_");
    }

    @Test
    void trafficShowsUpByFrontendBackendServerAndStatusClass() throws Exception {
        int proxyPort = node.proxy().boundPort("http");
        for (int i = 0; i < 7; i++) {
            assertThat(get(proxyPort, "/", null).statusCode()).isEqualTo(200);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(get(proxyPort, "/fail", null).statusCode()).isEqualTo(503);
        }
        String text = get(node.admin().orElseThrow().port(), "/metrics", TOKEN).body();
        assertThat(text).contains("foss_frontend_requests_total{frontend=\"http\"} 10.0");
        assertThat(text).contains("foss_frontend_responses_total{code=\"2xx\",frontend=\"http\"} 7.0");
        assertThat(text).contains("foss_frontend_responses_total{code=\"5xx\",frontend=\"http\"} 3.0");
        assertThat(text).contains("foss_server_responses_total{backend=\"web\",code=\"5xx\",server=\"web1\"} 3.0");
        assertThat(text).contains("foss_backend_request_duration_seconds_count{backend=\"web\"} 10");
        assertThat(text).contains("foss_frontend_request_duration_seconds_bucket{frontend=\"http\",le=\"+Inf\"} 10");
        assertThat(text).contains("foss_server_up{backend=\"web\",server=\"web1\"} 1.0");
        assertThat(text).contains("jvm_memory_used_bytes");
        assertThat(text).contains("foss_host_cpu_percent{core=\"all\"}");
        assertThat(text).contains("foss_event_loop_delay_seconds{loop=\"0\"}");
        // No unbounded labels: no path, no client address.
        assertThat(text).doesNotContain("/fail").doesNotContain("127.0.0.1\"");
    }

    @Test
    void outputPassesPromtool() throws Exception {
        get(node.proxy().boundPort("http"), "/", null);
        String text = get(node.admin().orElseThrow().port(), "/metrics", TOKEN).body();
        Process p;
        try {
            p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("promtool is not installed; run ./run-tests, which installs Debian's prometheus"
                    + " package for it", e);
        }
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String verdict = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool check metrics said:%n%s", verdict).isZero();
    }
}
