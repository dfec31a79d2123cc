package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Persistent connections on both sides (RFC 9112 §9.3): reuse, pooling, HTTP/1.0 and pipelining. */
class KeepAliveTest {
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

    private void start(Script script) throws Exception {
        server = FakeServer.start(script);
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    servers: [{ name: app1, address: "${APP}" }]
                """, Map.of("APP", server));
    }

    /** Answers each request with its own target as the body. */
    private static Script echoTarget() {
        return r -> Reply.ok(r.target());
    }

    @Test
    void severalRequestsOnOneClientConnectionShareOneServerConnection() throws Exception {
        start(echoTarget());
        try (RawClient c = proxy.client("http")) {
            for (int i = 0; i < 5; i++) {
                RawClient.Response r = c.send("GET /" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("/" + i);
                assertThat(r.saysClose()).isFalse();
            }
        }
        assertThat(server.requests()).extracting(FakeServer.Request::connection).containsOnly(0);
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void serverConnectionsArePooledAcrossClientConnections() throws Exception {
        start(echoTarget());
        int clients = 6;
        for (int i = 0; i < clients; i++) {
            try (RawClient c = proxy.client("http")) {
                assertThat(c.send("GET /" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(200);
            }
        }
        // One pool per event loop: a client connection is served over a server connection of its own loop.
        assertThat(server.requestCount()).isEqualTo(clients);
        assertThat(server.connectionCount()).isLessThanOrEqualTo(proxy.proxy().eventLoops()).isLessThan(clients);
    }

    @Test
    void http10WithoutKeepAliveGetsConnectionCloseAndIsClosed() throws Exception {
        start(echoTarget());
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET /old HTTP/1.0\r\n\r\n").readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.saysClose()).isTrue();
            assertThat(c.isClosed()).isTrue();
        }
        // Toward the server the proxy keeps its own connection alive.
        FakeServer.Request forwarded = server.awaitRequests(1, WAIT).getFirst();
        assertThat(forwarded.requestLine()).isEqualTo("GET /old HTTP/1.0");
        assertThat(forwarded.header("Connection")).isEqualTo("keep-alive");
        assertThat(server.connectionOpen(0)).isTrue();
    }

    @Test
    void http10WithKeepAliveStaysOpenAndIsToldSo() throws Exception {
        start(echoTarget());
        try (RawClient c = proxy.client("http")) {
            for (int i = 0; i < 2; i++) {
                RawClient.Response r = c.send("GET /" + i + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readResponse();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("Connection")).isEqualToIgnoringCase("keep-alive");
                assertThat(r.bodyText()).isEqualTo("/" + i);
            }
        }
    }

    @Test
    void http11ConnectionCloseIsHonouredAfterTheResponse() throws Exception {
        start(echoTarget());
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.saysClose()).isTrue();
            assertThat(c.isClosed()).isTrue();
        }
        assertThat(server.awaitRequests(1, WAIT).getFirst().headers().has("Connection")).isFalse();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        // The first request is the slowest: an out-of-order proxy would answer /3 first.
        start(r -> Reply.delay(Duration.ofMillis(r.target().equals("/1") ? 200 : 0), Reply.ok(r.target())));
        try (RawClient c = proxy.client("http")) {
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse().bodyText()).isEqualTo("/1");
            assertThat(c.readResponse().bodyText()).isEqualTo("/2");
            assertThat(c.readResponse().bodyText()).isEqualTo("/3");
        }
        assertThat(server.requests()).extracting(FakeServer.Request::target).containsExactly("/1", "/2", "/3");
    }

    @Test
    void pipelinedRequestAfterABodyIsNotTakenForBody() throws Exception {
        start(r -> Reply.ok(r.method() + " " + r.target() + " " + r.bodyText()));
        try (RawClient c = proxy.client("http")) {
            c.send("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /g HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse().bodyText()).isEqualTo("POST /p hello");
            assertThat(c.readResponse().bodyText()).isEqualTo("GET /g ");
        }
    }

    @Test
    void pipelinedRequestAfterConnectionCloseIsNotServed() throws Exception {
        start(echoTarget());
        try (RawClient c = proxy.client("http")) {
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse().bodyText()).isEqualTo("/1");
            assertThat(c.isClosed()).isTrue();
        }
        Thread.sleep(100);
        assertThat(server.requests()).extracting(FakeServer.Request::target).containsExactly("/1");
    }

    @Test
    void serverConnectionThatSaidCloseIsNotReused() throws Exception {
        start(r -> Reply.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok").thenClose());
        try (RawClient c = proxy.client("http")) {
            for (int i = 0; i < 3; i++) {
                RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.saysClose()).as("the server's Connection: close is hop-by-hop").isFalse();
            }
        }
        assertThat(server.connectionCount()).isEqualTo(3);
        assertThat(server.requests()).extracting(FakeServer.Request::index).containsOnly(0);
    }

    @Test
    void http10ServerResponseWithoutKeepAliveIsNotReused() throws Exception {
        start(r -> Reply.raw("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        try (RawClient c = proxy.client("http")) {
            for (int i = 0; i < 2; i++) {
                RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.version()).isEqualTo("HTTP/1.1");
            }
        }
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    void staleIdleServerConnectionClosedByTheServerIsReplacedTransparently() throws Exception {
        // The server closes after each response without saying so: the pooled connection is dead on the next use.
        start(r -> Reply.ok("ok").thenClose());
        try (RawClient c = proxy.client("http")) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(200);
                server.awaitClosed(i, WAIT);
                Thread.sleep(20); // let the proxy see the close
            }
        }
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void bytesAfterACompleteResponseMakeTheServerConnectionUnusable() throws Exception {
        start(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n"
                + "Content-Length: 8\r\n\r\nsmuggled")));
        try (RawClient c = proxy.client("http")) {
            for (int i = 0; i < 2; i++) {
                RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
                assertThat(r.bodyText()).isEqualTo("ok");
            }
        }
        assertThat(server.connectionCount()).as("the out-of-step connection was not reused").isEqualTo(2);
    }

    @Test
    void frontendMaxconnClosesConnectionsBeyondIt() throws Exception {
        server = FakeServer.start(echoTarget());
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                    maxconn: 1
                backends:
                  - name: app
                    servers: [{ name: app1, address: "${APP}" }]
                """, Map.of("APP", server));
        try (RawClient first = proxy.client("http")) {
            assertThat(first.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(200);
            try (RawClient second = proxy.client("http")) {
                second.trySend("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(second.isClosed()).isTrue();
            }
            assertThat(first.send("GET /3 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(200);
        }
        Eventually.until(WAIT, "the slot of the first connection to free", () -> liveConnections() == 0);
        try (RawClient third = proxy.client("http")) {
            assertThat(third.send("GET /4 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(200);
        }
        assertThat(server.requests()).extracting(FakeServer.Request::target).containsExactly("/1", "/3", "/4");
    }

    @Test
    void connectionsBeyondTheProcessBudgetGet503AtOnceAndTheBudgetRefills() throws Exception {
        server = FakeServer.start(echoTarget());
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                  - name: other
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    servers: [{ name: app1, address: "${APP}" }]
                """, Map.of("APP", server), 2);
        try (RawClient a = proxy.client("http"); RawClient b = proxy.client("other")) {
            assertThat(a.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(200);
            assertThat(b.send("GET /b HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(200);
            // The budget is process-wide: a third connection on either frontend is answered 503 and closed,
            // without waiting for a request and without reaching a server.
            try (RawClient c = proxy.client("http")) {
                RawClient.Response r = c.readResponse();
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.saysClose()).isTrue();
                assertThat(c.isClosed()).isTrue();
            }
        }
        Eventually.until(WAIT, "the budget to refill", () -> liveConnections() == 0);
        try (RawClient d = proxy.client("http")) {
            assertThat(d.send("GET /d HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(200);
        }
        assertThat(server.requests()).extracting(FakeServer.Request::target).containsExactly("/a", "/b", "/d");
    }

    /**
     * Server connections are descriptors too: a client is refused when clients and servers together would pass the
     * descriptor budget, so that the server connection its request needs can always be opened (at the open-file
     * limit, accept would fail instead and the excess would hang in the kernel's queue with no answer).
     */
    @Test
    void serverConnectionsCountAgainstTheDescriptorBudget() throws Exception {
        server = FakeServer.start(echoTarget());
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    servers: [{ name: app1, address: "${APP}" }]
                """, Map.of("APP", server), Integer.MAX_VALUE, 3);
        // Three clients and no server connection fit the budget of three.
        try (RawClient a = proxy.client("http")) {
            try (RawClient b = proxy.client("http"); RawClient c = proxy.client("http")) {
                Eventually.until(WAIT, "three client connections", () -> liveConnections() == 3);
                assertThat(c.send("GET /c HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(200);
            }
            Eventually.until(WAIT, "the two to be released", () -> liveConnections() == 1);
            // Now one client and the pooled server connection c's request opened: a second client fits (3), a third
            // does not (4), only because of the server connection.
            try (RawClient b = proxy.client("http")) {
                assertThat(b.send("GET /b HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(200);
                try (RawClient d = proxy.client("http")) {
                    RawClient.Response r = d.readResponse();
                    assertThat(r.status()).isEqualTo(503);
                    assertThat(d.isClosed()).isTrue();
                }
            }
        }
        assertThat(server.requests()).extracting(FakeServer.Request::target).containsExactly("/c", "/b");
    }

    private int liveConnections() {
        return proxy.proxy().frontends().getFirst().liveConnections();
    }
}
