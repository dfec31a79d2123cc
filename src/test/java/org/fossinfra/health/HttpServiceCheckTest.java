package org.fossinfra.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.fossinfra.config.ServiceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The http check against a real in-process HTTP server: status ranges, body match, bounded reads, timeouts. */
class HttpServiceCheckTest {
    private Vertx serverVertx;
    private int port;
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> body = new AtomicReference<>("{\"status\":\"ok\"}");
    private final AtomicLong delayMs = new AtomicLong();
    private ServiceProbe probe;

    @BeforeEach
    void start() throws Exception {
        serverVertx = Vertx.vertx();
        HttpServer s = serverVertx.createHttpServer().requestHandler(req -> {
            Runnable answer = () -> req.response().setStatusCode(status.get()).end(body.get());
            if (delayMs.get() > 0) {
                serverVertx.setTimer(delayMs.get(), id -> answer.run());
            } else {
                answer.run();
            }
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        port = s.actualPort();
        probe = new ServiceProbe();
    }

    @AfterEach
    void stop() throws Exception {
        probe.close();
        serverVertx.close().await(10, TimeUnit.SECONDS);
    }

    private ServiceConfig http(String extra) throws Exception {
        return ServiceProbe.service("""
                services:
                  - name: site
                    type: http
                    url: http://127.0.0.1:%d/health
                    interval: 10s
                    timeout: 5s
                    degraded-after: 4s
                %s""".formatted(port, extra), Map.of());
    }

    @Test
    void expectedStatusIsHealthy() throws Exception {
        ServiceStatus s = probe.firstCheck(http(""));
        assertThat(s.state()).isEqualTo(ServiceState.HEALTHY);
        assertThat(s.lastResult()).matches("HTTP 200 in \\d+ ms");
        assertThat(s.target()).isEqualTo("http://127.0.0.1:" + port + "/health");
    }

    @Test
    void unexpectedStatusFailsAndSaysWhatWasExpected() throws Exception {
        status.set(503);
        ServiceStatus s = probe.firstCheck(http(""));
        assertThat(s.state()).isEqualTo(ServiceState.DEGRADED);
        assertThat(s.lastError()).hasValue("HTTP 503 (expected 200-399)");
    }

    @Test
    void expectStatusListIsHonoured() throws Exception {
        status.set(401);
        ServiceStatus s = probe.firstCheck(http("    expect-status: [2xx, 401]\n"));
        assertThat(s.state()).isEqualTo(ServiceState.HEALTHY);
    }

    @Test
    void bodyContainingTheTextPasses() throws Exception {
        ServiceStatus s = probe.firstCheck(http("    expect-body: '\"status\":\"ok\"'\n"));
        assertThat(s.state()).isEqualTo(ServiceState.HEALTHY);
    }

    @Test
    void bodyWithoutTheTextFails() throws Exception {
        body.set("{\"status\":\"starting\"}");
        ServiceStatus s = probe.firstCheck(http("    expect-body: '\"status\":\"ok\"'\n"));
        assertThat(s.lastError()).hasValue("HTTP 200 but the body does not contain '\"status\":\"ok\"'");
    }

    @Test
    void onlyTheFirst64KiBOfABodyAreSearched() throws Exception {
        body.set("x".repeat(HttpGet.MAX_BODY) + "ok");
        ServiceStatus s = probe.firstCheck(http("    expect-body: ok\n"));
        assertThat(s.lastError()).hasValue("HTTP 200 but the body (first 64 KiB) does not contain 'ok'");
    }

    @Test
    void answerSlowerThanTheTimeoutFails() throws Exception {
        delayMs.set(1500);
        ServiceConfig c = ServiceProbe.service("""
                services:
                  - name: site
                    type: http
                    url: http://127.0.0.1:%d/health
                    interval: 5s
                    timeout: 300ms
                """.formatted(port), Map.of());
        ServiceStatus s = probe.firstCheck(c);
        assertThat(s.lastError()).hasValue("timeout after 300 ms");
        assertThat(s.latencyMs()).isBetween(300L, 1400L);
    }
}
