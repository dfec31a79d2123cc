package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Header rewriting scenarios: what the server receives of the client's head (hop-by-hop fields removed per
 * RFC 9110 §7.6.1, X-Forwarded-*, origin-form, one Content-Length) and what the client receives of the server's
 * (configured response headers).
 */
class HeadersTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private FakeServer server;
    private ProxyFixture proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(Script script, String frontendExtra) throws Exception {
        server = FakeServer.start(script);
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                %s
                backends:
                  - name: app
                    servers: [{ name: app1, address: "${APP}" }]
                """.formatted(frontendExtra.indent(4).stripTrailing()), Map.of("APP", server));
    }

    /** Sends {@code request}, expects 200, and returns the request as the server received it. */
    private FakeServer.Request forward(String request) throws Exception {
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send(request).readResponse();
            assertThat(r.status()).as(r.rawText()).isEqualTo(200);
        }
        return server.awaitRequests(server.requestCount(), WAIT).getLast();
    }

    @Test
    void hopByHopHeadersAreRemovedBeforeTheServer() throws Exception {
        start(Script.ok("ok"), "");
        FakeServer.Request r = forward("""
                GET /x HTTP/1.1\r
                Host: example.com\r
                Connection: keep-alive, X-Private, x-trace\r
                Keep-Alive: timeout=5\r
                Proxy-Connection: keep-alive\r
                TE: trailers\r
                X-Private: secret\r
                X-Trace: 1\r
                X-Kept: yes\r
                \r
                """);
        assertThat(r.headers().names())
                .doesNotContain("connection", "keep-alive", "proxy-connection", "te", "x-private", "x-trace")
                .contains("host", "x-kept");
        assertThat(r.header("X-Kept")).isEqualTo("yes");
    }

    @Test
    void upgradeThatIsNotWebSocketIsStripped() throws Exception {
        start(Script.ok("ok"), "");
        FakeServer.Request r = forward("""
                GET / HTTP/1.1\r
                Host: example.com\r
                Connection: Upgrade, HTTP2-Settings\r
                Upgrade: h2c\r
                HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r
                \r
                """);
        assertThat(r.headers().names()).doesNotContain("upgrade", "connection", "http2-settings");
    }

    @Test
    void serverHopByHopHeadersAreRemovedBeforeTheClient() throws Exception {
        start(Script.always(Reply.raw("""
                HTTP/1.1 200 OK\r
                Content-Length: 2\r
                Connection: keep-alive, X-Internal\r
                Keep-Alive: timeout=30\r
                X-Internal: 1\r
                X-Public: 1\r
                \r
                ok""")), "");
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(r.headers().names()).doesNotContain("keep-alive", "x-internal", "connection")
                    .contains("x-public", "content-length");
            assertThat(r.bodyText()).isEqualTo("ok");
        }
    }

    @Test
    void xForwardedForIsAppendedToTheClientsListInAppendMode() throws Exception {
        start(Script.ok("ok"), "forwarded-for: append");
        FakeServer.Request r = forward("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n");
        assertThat(String.join(", ", r.headers().all("X-Forwarded-For"))).isEqualTo("203.0.113.7, 127.0.0.1");
    }

    @Test
    void xForwardedForIsAddedWhenTheClientSentNone() throws Exception {
        start(Script.ok("ok"), "");
        FakeServer.Request r = forward("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.headers().all("X-Forwarded-For")).containsExactly("127.0.0.1");
    }

    @Test
    void xForwardedForIsLeftAloneWhenTurnedOff() throws Exception {
        start(Script.ok("ok"), "forwarded-for: false");
        FakeServer.Request r = forward("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n");
        assertThat(r.headers().all("X-Forwarded-For")).containsExactly("203.0.113.7");
    }

    @Test
    void xForwardedProtoReplacesWhatTheClientSent() throws Exception {
        start(Script.ok("ok"), "");
        FakeServer.Request r = forward("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: https\r\n\r\n");
        assertThat(r.headers().all("X-Forwarded-Proto")).containsExactly("http");
    }

    @Test
    void responseHeadersFromConfigAreSetAndReplaceTheServers() throws Exception {
        start(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nx-frame-options: SAMEORIGIN\r\nServer: fake\r\n"
                + "Content-Length: 2\r\n\r\nok")), """
                response-headers:
                  X-Frame-Options: DENY
                  X-Content-Type-Options: nosniff""");
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(r.headers().all("X-Frame-Options")).containsExactly("DENY");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("Server")).isEqualTo("fake");
            assertThat(r.bodyText()).isEqualTo("ok");
        }
    }

    @Test
    void responseHeadersFromConfigAreOnTheProxysOwnErrorsToo() throws Exception {
        start(Script.ok("ok"), """
                response-headers:
                  X-Frame-Options: DENY""");
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\n\r\n").readResponse();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        }
    }

    @Test
    void absoluteFormTargetIsRewrittenToOriginFormWithHostFromTheAuthority() throws Exception {
        start(Script.ok("ok"), "");
        FakeServer.Request r = forward("GET http://Example.com:8080/a/b?c=d HTTP/1.1\r\nHost: ignored.example\r\n\r\n");
        assertThat(r.requestLine()).isEqualTo("GET /a/b?c=d HTTP/1.1");
        assertThat(r.headers().all("Host")).containsExactly("Example.com:8080");
    }

    @Test
    void absoluteFormTargetWithoutPathBecomesSlash() throws Exception {
        start(Script.ok("ok"), "");
        FakeServer.Request r = forward("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n");
        assertThat(r.requestLine()).isEqualTo("GET / HTTP/1.1");
    }

    @Test
    void duplicateIdenticalContentLengthIsNormalisedToOne() throws Exception {
        start(Script.ok("ok"), "");
        FakeServer.Request r = forward("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(r.headers().all("Content-Length")).containsExactly("5");
        assertThat(r.bodyText()).isEqualTo("hello");
    }

    @Test
    void contentLengthListOfIdenticalValuesIsNormalisedToOne() throws Exception {
        start(Script.ok("ok"), "");
        FakeServer.Request r = forward("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello");
        assertThat(r.headers().all("Content-Length")).containsExactly("5");
    }

    @Test
    void endToEndHeadersPassUnchangedAndInOrder() throws Exception {
        start(Script.ok("ok"), "");
        FakeServer.Request r = forward("GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nCookie: a=1\r\nCookie: b=2\r\n"
                + "User-Agent: raw/1.0\r\n\r\n");
        assertThat(r.headText()).startsWith("GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nCookie: a=1\r\nCookie: b=2\r\n"
                + "User-Agent: raw/1.0\r\n");
    }
}
