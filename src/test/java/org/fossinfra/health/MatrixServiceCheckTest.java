package org.fossinfra.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.fossinfra.config.ServiceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The matrix check against a small fake homeserver serving /_matrix/client/versions the way Synapse does. A test
 * against a real Synapse follows when ./run-tests installs one.
 */
class MatrixServiceCheckTest {
    /** What Synapse 1.x answers, shortened. */
    private static final String VERSIONS = """
            {"versions":["r0.0.1","r0.1.0","r0.2.0","r0.3.0","r0.4.0","r0.5.0","r0.6.0","r0.6.1","v1.1","v1.2","v1.11"],
             "unstable_features":{"org.matrix.msc3881":true}}""";

    private Vertx serverVertx;
    private int port;
    private final AtomicReference<String> path = new AtomicReference<>();
    private final AtomicReference<Integer> status = new AtomicReference<>(200);
    private final AtomicReference<String> body = new AtomicReference<>(VERSIONS);
    private ServiceProbe probe;

    @BeforeEach
    void start() throws Exception {
        serverVertx = Vertx.vertx();
        HttpServer s = serverVertx.createHttpServer().requestHandler(req -> {
            path.set(req.path());
            boolean versions = req.path().equals("/_matrix/client/versions");
            req.response().setStatusCode(versions ? status.get() : 404)
                    .putHeader("Content-Type", "application/json")
                    .end(versions ? body.get() : "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request\"}");
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        port = s.actualPort();
        probe = new ServiceProbe();
    }

    @AfterEach
    void stop() throws Exception {
        probe.close();
        serverVertx.close().await(10, TimeUnit.SECONDS);
    }

    private ServiceConfig matrix(String url) throws Exception {
        return ServiceProbe.service("""
                services:
                  - name: synapse
                    type: matrix
                    url: %s
                    interval: 10s
                    timeout: 5s
                    degraded-after: 4s
                """.formatted(url), Map.of());
    }

    @Test
    void homeserverListingVersionsIsHealthy() throws Exception {
        ServiceStatus s = probe.firstCheck(matrix("http://127.0.0.1:" + port + "/"));
        assertThat(s.state()).isEqualTo(ServiceState.HEALTHY);
        assertThat(s.lastResult()).matches("HTTP 200, versions r0\\.0\\.1 \\.\\. v1\\.11 in \\d+ ms");
        assertThat(s.target()).isEqualTo("http://127.0.0.1:" + port);
        assertThat(path.get()).isEqualTo("/_matrix/client/versions");
    }

    @Test
    void baseUrlWithAPathPrefixKeepsIt() throws Exception {
        probe.firstCheck(matrix("http://127.0.0.1:" + port + "/chat/"));
        assertThat(path.get()).isEqualTo("/chat/_matrix/client/versions");
    }

    @Test
    void errorStatusFails() throws Exception {
        status.set(502);
        ServiceStatus s = probe.firstCheck(matrix("http://127.0.0.1:" + port));
        assertThat(s.lastError()).hasValue("HTTP 502 from /_matrix/client/versions (expected 200)");
    }

    @Test
    void okPageThatIsNotJsonFails() throws Exception {
        body.set("<html>Welcome to nginx!</html>");
        ServiceStatus s = probe.firstCheck(matrix("http://127.0.0.1:" + port));
        assertThat(s.lastError()).hasValue("HTTP 200 but the answer is not a JSON object, so not a homeserver's");
    }

    @Test
    void jsonWithoutVersionsFails() throws Exception {
        body.set("{\"versions\":[]}");
        ServiceStatus s = probe.firstCheck(matrix("http://127.0.0.1:" + port));
        assertThat(s.lastError()).hasValue("HTTP 200 but the answer has no 'versions' list of strings");
    }
}
