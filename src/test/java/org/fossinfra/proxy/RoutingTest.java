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
 * Routing scenarios: one rule kind per test, each asserting which fake server received the request (and that the
 * others received nothing).
 */
class RoutingTest {

    private FakeServer api;
    private FakeServer web;
    private FakeServer ws;
    private ProxyFixture proxy;

    @BeforeEach
    void startServers() throws Exception {
        api = FakeServer.start(Script.ok("api"));
        web = FakeServer.start(Script.ok("web"));
        ws = FakeServer.start(Script.ok("ws"));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        api.close();
        web.close();
        ws.close();
    }

    private void start(String routes, String defaultBackend) throws Exception {
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                %s%s
                backends:
                  - name: api
                    servers: [{ name: api1, address: "${API}" }]
                  - name: web
                    servers: [{ name: web1, address: "${WEB}" }]
                  - name: ws
                    servers: [{ name: ws1, address: "${WS}" }]
                """.formatted(defaultBackend == null ? "" : "    default-backend: " + defaultBackend + "\n",
                routes.indent(4).stripTrailing()), Map.of("API", api, "WEB", web, "WS", ws));
    }

    /** Sends one request and returns the body of the response, which names the server that answered. */
    private String answeredBy(String request) throws Exception {
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send(request).readResponse();
            assertThat(r.status()).as(r.rawText()).isEqualTo(200);
            return r.bodyText();
        }
    }

    private static String get(String target, String host, String... extraHeaders) {
        StringBuilder sb = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    @Test
    void pathPrefixRoutesMatchingPathsAndLeavesOthersToTheDefault() throws Exception {
        start("""
                routes:
                  - backend: api
                    when: { path-prefix: [/api/, /v2] }""", "web");
        assertThat(answeredBy(get("/api/users?id=1", "example.com"))).isEqualTo("api");
        assertThat(answeredBy(get("/v2", "example.com"))).isEqualTo("api");
        assertThat(answeredBy(get("/apx/users", "example.com"))).isEqualTo("web");
        assertThat(answeredBy(get("/?q=/api/", "example.com"))).isEqualTo("web");
        assertThat(api.requests()).extracting(FakeServer.Request::target).containsExactly("/api/users?id=1", "/v2");
        assertThat(web.requests()).extracting(FakeServer.Request::target).containsExactly("/apx/users", "/?q=/api/");
    }

    @Test
    void hostMatchesExactNameIgnoringCaseAndPort() throws Exception {
        start("""
                routes:
                  - backend: api
                    when: { host: api.example.com }""", "web");
        assertThat(answeredBy(get("/", "api.example.com"))).isEqualTo("api");
        assertThat(answeredBy(get("/", "API.Example.COM:8080"))).isEqualTo("api");
        assertThat(answeredBy(get("/", "www.api.example.com"))).isEqualTo("web");
        assertThat(answeredBy(get("/", "example.com"))).isEqualTo("web");
        assertThat(api.requestCount()).isEqualTo(2);
        assertThat(web.requestCount()).isEqualTo(2);
    }

    @Test
    void wildcardHostMatchesSubdomainsButNotTheDomainItself() throws Exception {
        start("""
                routes:
                  - backend: api
                    when: { host: "*.example.com" }""", "web");
        assertThat(answeredBy(get("/", "api.example.com"))).isEqualTo("api");
        assertThat(answeredBy(get("/", "a.b.example.com:443"))).isEqualTo("api");
        assertThat(answeredBy(get("/", "example.com"))).isEqualTo("web");
        assertThat(answeredBy(get("/", "badexample.com"))).isEqualTo("web");
    }

    @Test
    void hostOfAnAbsoluteFormTargetIsWhatRoutes() throws Exception {
        start("""
                routes:
                  - backend: api
                    when: { host: api.example.com }""", "web");
        assertThat(answeredBy("GET http://api.example.com/x HTTP/1.1\r\nHost: other.example.com\r\n\r\n"))
                .isEqualTo("api");
        assertThat(api.requests().getFirst().header("Host")).isEqualTo("api.example.com");
    }

    @Test
    void headerPresentRoutesWhateverTheValue() throws Exception {
        start("""
                routes:
                  - backend: api
                    when: { header: X-Debug }""", "web");
        assertThat(answeredBy(get("/", "example.com", "x-debug: 0"))).isEqualTo("api");
        assertThat(answeredBy(get("/", "example.com", "X-Debug:"))).isEqualTo("api");
        assertThat(answeredBy(get("/", "example.com", "X-Debugging: 1"))).isEqualTo("web");
        assertThat(answeredBy(get("/", "example.com"))).isEqualTo("web");
    }

    @Test
    void headerEqualsRoutesOnlyTheExactValue() throws Exception {
        start("""
                routes:
                  - backend: api
                    when: { header: { name: X-Canary, equals: "1" } }""", "web");
        assertThat(answeredBy(get("/", "example.com", "X-Canary: 1"))).isEqualTo("api");
        assertThat(answeredBy(get("/", "example.com", "x-canary:   1  "))).isEqualTo("api");
        assertThat(answeredBy(get("/", "example.com", "X-Canary: 2"))).isEqualTo("web");
        assertThat(answeredBy(get("/", "example.com", "X-Canary: 10"))).isEqualTo("web");
        assertThat(answeredBy(get("/", "example.com"))).isEqualTo("web");
    }

    @Test
    void webSocketRouteCombinedWithPathPrefixNeedsBoth() throws Exception {
        // The seed's "use_backend phoenix_websocket if is_websocket is_phoenix".
        start("""
                routes:
                  - backend: ws
                    when: { websocket: true, path-prefix: [/socket, /live] }""", "web");
        String upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13";
        assertThat(answeredBy(get("/live/websocket", "example.com", upgrade.split("\r\n")))).isEqualTo("ws");
        assertThat(answeredBy(get("/live/websocket", "example.com"))).isEqualTo("web");
        assertThat(answeredBy(get("/other", "example.com", upgrade.split("\r\n")))).isEqualTo("web");
        assertThat(answeredBy(get("/socket", "example.com", "Upgrade: websocket"))).isEqualTo("web");
        assertThat(ws.requests()).extracting(FakeServer.Request::target).containsExactly("/live/websocket");
    }

    @Test
    void firstMatchingRuleWinsOverLaterOnes() throws Exception {
        start("""
                routes:
                  - backend: ws
                    when: { path-prefix: /api/ws }
                  - backend: api
                    when: { path-prefix: /api }""", "web");
        assertThat(answeredBy(get("/api/ws/1", "example.com"))).isEqualTo("ws");
        assertThat(answeredBy(get("/api/1", "example.com"))).isEqualTo("api");
    }

    @Test
    void allConditionsOfARuleMustHold() throws Exception {
        start("""
                routes:
                  - backend: api
                    when: { path-prefix: /api, host: api.example.com }""", "web");
        assertThat(answeredBy(get("/api", "api.example.com"))).isEqualTo("api");
        assertThat(answeredBy(get("/api", "www.example.com"))).isEqualTo("web");
        assertThat(answeredBy(get("/", "api.example.com"))).isEqualTo("web");
    }

    @Test
    void defaultBackendTakesEveryRequestWhenThereAreNoRoutes() throws Exception {
        start("", "web");
        assertThat(answeredBy(get("/anything", "example.com"))).isEqualTo("web");
        assertThat(answeredBy("GET / HTTP/1.0\r\n\r\n")).isEqualTo("web");
        assertThat(web.requestCount()).isEqualTo(2);
    }

    @Test
    void noMatchAndNoDefaultIs503AndReachesNoServer() throws Exception {
        start("""
                routes:
                  - backend: api
                    when: { path-prefix: /api }""", null);
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send(get("/other", "example.com")).readResponse();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).startsWith("503 Service Unavailable").hasSizeLessThan(200);
            assertThat(c.isClosed()).isTrue();
        }
        api.assertNothingReceived(Duration.ofMillis(100));
        web.assertNothingReceived(Duration.ZERO);
        ws.assertNothingReceived(Duration.ZERO);
        assertThat(answeredBy(get("/api", "example.com"))).isEqualTo("api");
    }

    @Test
    void asteriskFormOptionsGoesToTheDefaultBackendUnchanged() throws Exception {
        start("""
                routes:
                  - backend: api
                    when: { path-prefix: / }""", "web");
        assertThat(answeredBy("OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n")).isEqualTo("web");
        assertThat(web.requests().getFirst().requestLine()).isEqualTo("OPTIONS * HTTP/1.1");
        assertThat(answeredBy(get("/", "example.com"))).isEqualTo("api");
    }
}
