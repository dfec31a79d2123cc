package org.fossinfra.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.fossinfra.app.Node;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.control.ServerView;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.RealMatrix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's {@code use_backend matrix_backend if is_matrix}: {@code /_matrix} and {@code /_synapse} routed through the
 * load balancer to the real Synapse, whose server is UP by Synapse's own health endpoint ({@code GET /health}), next to
 * a second server where nothing listens, which the same check takes DOWN. Everything else goes to the web backend.
 */
class MatrixRoutingSynapseTest {
    @TempDir
    Path dir;
    private final Vertx web = Vertx.vertx();
    private Node node;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        web.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void matrixPathsReachSynapseThroughTheProxyWhichChecksItsHealthEndpoint() throws Exception {
        int webPort = web.createHttpServer().requestHandler(r -> r.response().end("web"))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
        URI synapse = URI.create(RealMatrix.url());
        Path config = dir.resolve("node.yaml");
        Files.writeString(config, """
                node:
                  name: routing
                database:
                  enabled: false
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    routes:
                      - backend: matrix
                        when:
                          path-prefix: [/_matrix, /_synapse]
                    default-backend: web
                backends:
                  - name: web
                    servers:
                      - { name: web1, address: "127.0.0.1:%d" }
                  - name: matrix
                    balance: source
                    health-check: { method: GET, path: /health, interval: 200ms, timeout: 150ms, rise: 1, fall: 1 }
                    timeouts: { server: 300s, tunnel: 1h }
                    servers:
                      - { name: synapse1, address: "%s:%d" }
                      - { name: synapse2, address: "127.0.0.1:1" }
                """.formatted(webPort, synapse.getHost(), synapse.getPort()));
        node = Node.start(ConfigLoader.load(config), config);

        Eventually.until(Duration.ofSeconds(30), "synapse1 checked UP and synapse2 DOWN", () -> {
            ServerView s1 = server("synapse1");
            ServerView s2 = server("synapse2");
            return s1.check() != null && s1.check().checks() >= 1 && s1.status().equals("UP")
                    && s2.status().equals("DOWN");
        });
        assertThat(server("synapse1").check().lastOk()).isTrue();
        assertThat(server("synapse1").check().lastResult()).startsWith("HTTP 200");

        HttpResponse<String> versions = get("/_matrix/client/versions");
        assertThat(versions.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(versions.body()).getJsonArray("versions")).contains("v1.1");
        // Synapse's own API under /_synapse (the shared-secret registration's nonce) takes the same route.
        HttpResponse<String> nonce = get("/_synapse/admin/v1/register");
        assertThat(nonce.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(nonce.body()).getString("nonce")).isNotEmpty();
        assertThat(get("/").body()).isEqualTo("web");
        assertThat(get("/api/_matrix").body()).isEqualTo("web");
        assertThat(server("synapse1").requests()).isGreaterThanOrEqualTo(2);
        assertThat(server("synapse2").requests()).isZero();
    }

    private ServerView server(String name) {
        try {
            return node.control().server("matrix", name);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.proxy().boundPort("http") + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
