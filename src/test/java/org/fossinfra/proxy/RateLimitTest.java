package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rate limits on the in-process store, HAProxy's stick table with {@code http-request deny}: the seed's rule ("more
 * than N requests in a window: deny") with a small N, per-client and per-header keys, frontend and backend rules,
 * and what the servers see (nothing, for a refused request).
 */
class RateLimitTest {
    private FakeServer api;
    private FakeServer web;
    private ProxyFixture proxy;

    @BeforeEach
    void startServers() throws Exception {
        api = FakeServer.start(Script.ok("api"));
        web = FakeServer.start(Script.ok("web"));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        api.close();
        web.close();
    }

    private void start(String rules, String frontendLimits, String apiLimits) throws Exception {
        proxy = ProxyFixture.start("""
                rate-limits:
                %s
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    routes:
                      - backend: api
                        when: { path-prefix: /api }
                    default-backend: web
                %s
                backends:
                  - name: api
                    servers: [{ name: api1, address: "${API}" }]
                %s
                  - name: web
                    servers: [{ name: web1, address: "${WEB}" }]
                """.formatted(rules.indent(2).stripTrailing(),
                frontendLimits == null ? "" : "    rate-limits: " + frontendLimits,
                apiLimits == null ? "" : "    rate-limits: " + apiLimits), Map.of("API", api, "WEB", web));
    }

    private static String get(String target, String... headers) {
        StringBuilder sb = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: example.com\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** One request on a fresh connection; the status. */
    private int status(String request) throws Exception {
        try (RawClient c = proxy.client("http")) {
            return c.send(request).readResponse().status();
        }
    }

    @Test
    void theSeedsRuleAnswers429WithRetryAfterBeyondTheLimitAndNothingReachesTheServer() throws Exception {
        // haproxy.cfg: stick-table ... store http_req_rate(10s) / http-request deny if { sc_http_req_rate(0) gt 100 }
        start("""
                - name: per-client
                  policy: sliding-window
                  limit: 5
                  window: 10s
                """, null, "per-client");
        try (RawClient c = proxy.client("http")) {
            for (int i = 0; i < 5; i++) {
                RawClient.Response r = c.send(get("/api/items")).readResponse();
                assertThat(r.status()).as(r.rawText()).isEqualTo(200);
            }
            RawClient.Response r = c.send(get("/api/items")).readResponse();
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.reason()).isEqualTo("Too Many Requests");
            assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 10L);
            assertThat(r.saysClose()).isTrue();
            assertThat(r.bodyText()).startsWith("429 Too Many Requests");
            assertThat(c.isClosedWithin(Duration.ofSeconds(2))).isTrue();
        }
        assertThat(status(get("/api/items"))).isEqualTo(429);
        assertThat(api.requestCount()).isEqualTo(5);
    }

    @Test
    void aDeniedHeadRequestGetsTheHeadersWithoutABody() throws Exception {
        start("""
                - { name: one, policy: fixed-window, limit: 1, window: 1m }
                """, "one", null);
        assertThat(status(get("/"))).isEqualTo(200);
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("HEAD / HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponseWithoutBody();
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.header("Retry-After")).isNotNull();
            assertThat(r.body()).isEmpty();
        }
    }

    @Test
    void aDeniedRequestWithABodyNeverReachesTheServerAndClosesTheConnection() throws Exception {
        start("""
                - { name: one, policy: fixed-window, limit: 1, window: 1m }
                """, "one", null);
        assertThat(status(get("/"))).isEqualTo(200);
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\n"
                    + "hello" + get("/after")).readResponse();
            assertThat(r.status()).isEqualTo(429);
            assertThat(c.isClosedWithin(Duration.ofSeconds(2))).as("the pipelined request is not served").isTrue();
        }
        assertThat(web.requestCount()).isEqualTo(1);
    }

    @Test
    void clientsAreCountedApartByAddress() throws Exception {
        start("""
                - { name: per-client, policy: fixed-window, limit: 2, window: 1m }
                """, "per-client", null);
        try (RawClient a = RawClient.connect(proxy.port("http"), "127.0.0.1");
             RawClient b = RawClient.connect(proxy.port("http"), "127.0.0.2")) {
            assertThat(a.send(get("/")).readResponse().status()).isEqualTo(200);
            assertThat(a.send(get("/")).readResponse().status()).isEqualTo(200);
            assertThat(a.send(get("/")).readResponse().status()).isEqualTo(429);
            assertThat(b.send(get("/")).readResponse().status()).isEqualTo(200);
        }
    }

    @Test
    void aHeaderKeyCountsEachValueApartAndRequestsWithoutItByAddress() throws Exception {
        start("""
                - { name: per-key, policy: fixed-window, limit: 2, window: 1m, key: "header:X-Api-Key" }
                """, "per-key", null);
        assertThat(status(get("/", "X-Api-Key: alpha"))).isEqualTo(200);
        assertThat(status(get("/", "x-api-key: alpha"))).isEqualTo(200);
        assertThat(status(get("/", "X-Api-Key: alpha"))).isEqualTo(429);
        assertThat(status(get("/", "X-Api-Key: beta"))).isEqualTo(200);
        // Without the header: counted under the client address, which a header value can't name.
        assertThat(status(get("/", "X-Api-Key: 127.0.0.1"))).isEqualTo(200);
        assertThat(status(get("/"))).isEqualTo(200);
        assertThat(status(get("/", "X-Api-Key:"))).isEqualTo(200);
        assertThat(status(get("/"))).isEqualTo(429);
    }

    @Test
    void aBackendRuleAppliesOnlyToRequestsRoutedThere() throws Exception {
        start("""
                - { name: api-only, policy: fixed-window, limit: 1, window: 1m }
                """, null, "api-only");
        assertThat(status(get("/api/a"))).isEqualTo(200);
        assertThat(status(get("/api/b"))).isEqualTo(429);
        for (int i = 0; i < 5; i++) {
            assertThat(status(get("/"))).isEqualTo(200);
        }
        assertThat(api.requestCount()).isEqualTo(1);
        assertThat(web.requestCount()).isEqualTo(5);
    }

    @Test
    void aBackendRuleOnAPathCannotBeWalkedAroundByRespellingThePath() throws Exception {
        // The rule is on the backend that /api routes to: every spelling of a path under /api must reach that backend
        // (and its rule), never the default one. Before routing on the normalised path, //api, /./api and /%61pi went
        // to web, unlimited.
        start("""
                - { name: api-only, policy: fixed-window, limit: 2, window: 1m }
                """, null, "api-only");
        assertThat(status(get("/api/items"))).isEqualTo(200);
        assertThat(status(get("/api/items"))).isEqualTo(200);
        for (String respelt : new String[] {"/api/items", "//api/items", "/./api/items", "/%61pi/items",
            "/%61%70%69/items", "/x/../api/items", "/x/%2e%2e/api/items", "/api//items", "/api/./items"}) {
            assertThat(status(get(respelt))).as(respelt).isEqualTo(429);
        }
        assertThat(api.requests()).extracting(FakeServer.Request::target).containsExactly("/api/items", "/api/items");
        assertThat(web.requestCount()).isZero();
    }

    @Test
    void aFrontendRuleCountsEveryRequestBeforeRouting() throws Exception {
        start("""
                - { name: everything, policy: fixed-window, limit: 2, window: 1m }
                """, "everything", null);
        assertThat(status(get("/api/a"))).isEqualTo(200);
        assertThat(status(get("/"))).isEqualTo(200);
        assertThat(status(get("/api/a"))).isEqualTo(429);
        assertThat(status(get("/"))).isEqualTo(429);
    }

    @Test
    void frontendAndBackendRulesBothApplyInOrder() throws Exception {
        start("""
                - { name: wide, policy: fixed-window, limit: 3, window: 1m }
                - { name: narrow, policy: fixed-window, limit: 1, window: 1m }
                """, "wide", "narrow");
        assertThat(status(get("/api/a"))).isEqualTo(200);
        assertThat(status(get("/api/a"))).isEqualTo(429); // narrow
        assertThat(status(get("/"))).isEqualTo(200);
        assertThat(status(get("/"))).isEqualTo(429);      // wide: its 4th request
    }

    @Test
    void aTokenBucketAdmitsItsBurstThenRefuses() throws Exception {
        start("""
                - { name: bucket, policy: token-bucket, rate: 1/m, burst: 3 }
                """, "bucket", null);
        for (int i = 0; i < 3; i++) {
            assertThat(status(get("/"))).isEqualTo(200);
        }
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send(get("/")).readResponse();
            assertThat(r.status()).isEqualTo(429);
            assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(59L, 60L);
        }
    }

    @Test
    void refusalsCountAs4xxResponsesNotAsErrors() throws Exception {
        start("""
                - { name: one, policy: fixed-window, limit: 1, window: 1m }
                """, null, "one");
        assertThat(status(get("/api/a"))).isEqualTo(200);
        assertThat(status(get("/api/a"))).isEqualTo(429);
        var fe = proxy.proxy().frontends().getFirst().counters();
        var be = proxy.backend("api").counters();
        assertThat(fe.requests()).isEqualTo(2);
        assertThat(fe.responses(2)).isEqualTo(1);
        assertThat(fe.responses(4)).isEqualTo(1);
        assertThat(fe.errors()).isZero();
        assertThat(be.requests()).isEqualTo(2);
        assertThat(be.responses(4)).isEqualTo(1);
        assertThat(be.errors()).isZero();
    }

    @Test
    void aReloadKeepsTheCountsOfAnUnchangedRuleAndResetsAChangedOne() throws Exception {
        String yaml = """
                rate-limits:
                  - { name: one, policy: fixed-window, limit: %d, window: 1m }
                frontends:
                  - { name: http, bind: 127.0.0.1:0, default-backend: web, rate-limits: one }
                backends:
                  - name: web
                    servers: [{ name: web1, address: "${WEB}" }]
                """;
        proxy = ProxyFixture.start(yaml.formatted(1), Map.of("WEB", web));
        assertThat(status(get("/"))).isEqualTo(200);
        assertThat(status(get("/"))).isEqualTo(429);
        proxy.reload(yaml.formatted(1) + "# a comment moves nothing but lines\n");
        assertThat(status(get("/"))).isEqualTo(429);
        proxy.reload(yaml.formatted(2));
        assertThat(status(get("/"))).isEqualTo(200);
        assertThat(status(get("/"))).isEqualTo(200);
        assertThat(status(get("/"))).isEqualTo(429);
    }

    @Test
    void requestsWithinTheLimitPassUntouched() throws Exception {
        start("""
                - { name: roomy, policy: sliding-window, limit: 1000, window: 1s }
                """, "roomy", "roomy");
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send(get("/api/x", "X-Trace: 1")).readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Retry-After")).isNull();
            assertThat(r.saysClose()).isFalse();
        }
        assertThat(api.requests().getFirst().header("X-Trace")).isEqualTo("1");
    }
}
