package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failures of the origin turned into status codes at the edge: 502 for a bad or vanished origin, 503 when no server
 * can be reached, 504 for a silent one, a cut connection once a response has started; with the retry rules (one retry
 * of an idempotent request whose connection dropped before any response byte, connect retries and redispatch as
 * configured, never a POST that may have reached the server). The client's own timeouts are in
 * {@link ClientTimeoutTest}.
 */
class UpstreamFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Map<String, Object> vars = new HashMap<>();
    private FakeServer a;
    private FakeServer b;
    private ProxyFixture proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** A port nobody listens on (bound, then released). */
    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private void startOne(Script script, String backendExtra, String frontendExtra) throws Exception {
        a = FakeServer.start(script);
        vars.put("A", a);
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                %s
                backends:
                  - name: app
                    servers: [{ name: a, address: "${A}" }]
                %s
                """.formatted(frontendExtra.indent(4).stripTrailing(), backendExtra.indent(4).stripTrailing()), vars);
    }

    private void startOne(Script script) throws Exception {
        startOne(script, "", "");
    }

    private static void assertShortError(RawClient.Response r, int status) {
        assertThat(r.status()).as(r.rawText()).isEqualTo(status);
        assertThat(r.bodyText()).startsWith(status + " ").hasSizeLessThan(200);
        assertThat(r.saysClose()).isTrue();
    }

    private RawClient.Response exchange(String request) throws IOException {
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send(request).readResponse();
            if (r.status() >= 400) {
                assertThat(c.isClosed()).as("closed after an error").isTrue();
            }
            return r;
        }
    }

    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String POST = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";

    // ---------------------------------------------------------------- bad or vanished origin: 502

    @Test
    void malformedStatusLineIs502() throws Exception {
        startOne(Script.always(Reply.raw("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n")));
        assertShortError(exchange(GET), 502);
    }

    @Test
    void responseThatIsNotHttpIs502() throws Exception {
        startOne(Script.always(Reply.raw("SSH-2.0-OpenSSH_9.6\r\n\r\n")));
        assertShortError(exchange(GET), 502);
    }

    @Test
    void responseWithConflictingContentLengthsIs502() throws Exception {
        startOne(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok")));
        assertShortError(exchange(GET), 502);
    }

    @Test
    void malformedResponseCountsAsAServerError() throws Exception {
        startOne(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n")));
        assertShortError(exchange(GET), 502);
        assertThat(proxy.backend("app").counters().errors()).isEqualTo(1);
        assertThat(proxy.backend("app").counters().responses(5)).isEqualTo(1);
    }

    @Test
    void serverClosingWithoutRespondingToAPostIs502AndNotRetried() throws Exception {
        startOne(Script.always(Reply.close()));
        assertShortError(exchange(POST), 502);
        Thread.sleep(100);
        assertThat(a.requestCount()).isEqualTo(1);
        assertThat(proxy.backend("app").counters().retries()).isZero();
    }

    @Test
    void postIsNotRetriedWhenTheServerResets() throws Exception {
        startOne(Script.always(Reply.reset()));
        assertShortError(exchange(POST), 502);
        Thread.sleep(100);
        assertThat(a.requestCount()).isEqualTo(1);
        assertThat(a.connectionCount()).isEqualTo(1);
    }

    @Test
    void getWhoseConnectionClosesBeforeAnyResponseByteIsRetriedOnce() throws Exception {
        startOne(Script.sequence(Reply.close(), Reply.ok("second try")));
        RawClient.Response r = exchange(GET);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("second try");
        assertThat(a.requests()).extracting(FakeServer.Request::requestLine)
                .containsExactly("GET / HTTP/1.1", "GET / HTTP/1.1");
        assertThat(proxy.backend("app").counters().retries()).isEqualTo(1);
    }

    @Test
    void getIsRetriedOnlyOnceThen502() throws Exception {
        startOne(Script.always(Reply.close()));
        assertShortError(exchange(GET), 502);
        Thread.sleep(100);
        assertThat(a.requestCount()).isEqualTo(2);
    }

    @Test
    void getResetBeforeAnyResponseByteIsRedispatchedToTheOtherServer() throws Exception {
        a = FakeServer.start(Script.always(Reply.reset()));
        b = FakeServer.start(Script.ok("b"));
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    balance: roundrobin
                    redispatch: true
                    servers: [{ name: a, address: "${A}" }, { name: b, address: "${B}" }]
                """, Map.of("A", a, "B", b));
        // Whichever server the rotation starts with, a request that hits a is answered by b.
        for (int i = 0; i < 4; i++) {
            RawClient.Response r = exchange(GET);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("b");
        }
        assertThat(a.requestCount()).isGreaterThanOrEqualTo(1);
        assertThat(proxy.backend("app").counters().redispatches()).isEqualTo(a.requestCount());
    }

    @Test
    void serverClosingInTheMiddleOfTheResponseCutsTheClientConnection() throws Exception {
        startOne(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part").thenClose()));
        try (RawClient c = proxy.client("http")) {
            c.send(GET);
            RawClient.Response head = c.readResponseHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(new String(c.readUntilClosed(), StandardCharsets.ISO_8859_1)).isEqualTo("only part");
        }
        assertThat(a.requestCount()).as("a started response is never retried").isEqualTo(1);
    }

    @Test
    void serverAnswering101ToAPlainRequestIs502() throws Exception {
        startOne(Script.always(Reply.raw("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")));
        assertShortError(exchange(GET), 502);
    }

    @Test
    void responseHeadWithBareLfIs502() throws Exception {
        startOne(Script.always(Reply.raw("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")));
        assertShortError(exchange(GET), 502);
    }

    @Test
    void oversizedResponseHeadIs502() throws Exception {
        startOne(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nX-Big: " + "x".repeat(70_000) + "\r\nContent-Length: 2\r\n\r\nok")));
        assertShortError(exchange(GET), 502);
    }

    @Test
    void malformedChunkedResponseBodyCutsTheClientConnection() throws Exception {
        startOne(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n")));
        try (RawClient c = proxy.client("http")) {
            c.send(GET);
            assertThat(c.readResponseHead().status()).isEqualTo(200);
            c.readUntilClosed();
        }
        a.awaitClosed(0, WAIT);
    }

    @Test
    void serverClosingInTheMiddleOfTheHeadIs502AndNotRetried() throws Exception {
        startOne(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nContent-Le").thenClose()));
        assertShortError(exchange(GET), 502);
        Thread.sleep(100);
        assertThat(a.requestCount()).as("response bytes had arrived: no retry").isEqualTo(1);
    }

    // ---------------------------------------------------------------- silent origin: 504

    @Test
    void serverThatNeverRespondsIs504AfterTimeoutServer() throws Exception {
        startOne(Script.always(Reply.never()), "timeouts: { server: 300ms }", "");
        long start = System.nanoTime();
        RawClient.Response r = exchange(GET);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertShortError(r, 504);
        assertThat(ms).isBetween(250L, 3000L);
        a.awaitClosed(0, WAIT);
        assertThat(a.requestCount()).as("a timeout is not retried").isEqualTo(1);
    }

    @Test
    void serverGoingSilentMidResponseCutsTheClientConnectionAfterTimeoutServer() throws Exception {
        startOne(Script.always(x -> {
            x.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
            x.drainUntilClosed();
            return false;
        }), "timeouts: { server: 500ms }", "");
        try (RawClient c = proxy.client("http")) {
            c.send(GET);
            assertThat(c.readResponseHead().status()).isEqualTo(200);
            long start = System.nanoTime();
            assertThat(new String(c.readUntilClosed(), StandardCharsets.ISO_8859_1)).isEqualTo("partial");
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(200L, 3000L);
        }
    }

    // ---------------------------------------------------------------- unreachable origin: 503

    @Test
    void connectionRefusedOnAllServersIs503AfterRetriesWithRedispatch() throws Exception {
        vars.put("P1", deadPort());
        vars.put("P2", deadPort());
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    retries: 2
                    redispatch: true
                    servers:
                      - { name: s1, address: "127.0.0.1:${P1}" }
                      - { name: s2, address: "127.0.0.1:${P2}" }
                """, vars);
        assertShortError(exchange(GET), 503);
        var counters = proxy.backend("app").counters();
        assertThat(counters.retries()).isEqualTo(2);
        assertThat(counters.redispatches()).isEqualTo(2);
        assertThat(counters.errors()).isEqualTo(1);
        // Three attempts alternating between the two servers: 2 on one, 1 on the other.
        long errorsS1 = proxy.server("app", "s1").errors();
        long errorsS2 = proxy.server("app", "s2").errors();
        assertThat(errorsS1 + errorsS2).isEqualTo(3);
        assertThat(Math.abs(errorsS1 - errorsS2)).isEqualTo(1);
        assertThat(proxy.server("app", "s1").active()).isZero();
        assertThat(proxy.server("app", "s2").active()).isZero();
    }

    @Test
    void connectionRefusedWithoutRedispatchRetriesTheSameServer() throws Exception {
        vars.put("P1", deadPort());
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    balance: source
                    retries: 3
                    redispatch: false
                    servers:
                      - { name: dead, address: "127.0.0.1:${P1}" }
                """, vars);
        assertShortError(exchange(GET), 503);
        assertThat(proxy.backend("app").counters().retries()).isEqualTo(3);
        assertThat(proxy.backend("app").counters().redispatches()).isZero();
        assertThat(proxy.server("app", "dead").errors()).isEqualTo(4);
    }

    @Test
    void connectionRefusedOnOneServerIsRedispatchedToTheOther() throws Exception {
        vars.put("P1", deadPort());
        b = FakeServer.start(Script.ok("b"));
        vars.put("B", b);
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    retries: 1
                    servers:
                      - { name: dead, address: "127.0.0.1:${P1}" }
                      - { name: b, address: "${B}" }
                """, vars);
        for (int i = 0; i < 4; i++) {
            RawClient.Response r = exchange(POST);
            assertThat(r.status()).as("a failed connect sent nothing, so even a POST is retried").isEqualTo(200);
        }
        assertThat(b.requestCount()).isEqualTo(4);
        assertThat(proxy.backend("app").counters().redispatches()).isEqualTo(proxy.server("app", "dead").errors());
    }

    @Test
    void noEligibleServerIs503AtOnce() throws Exception {
        startOne(Script.ok("a"));
        proxy.server("app", "a").setHealthy(false);
        assertShortError(exchange(GET), 503);
        a.assertNothingReceived(Duration.ofMillis(50));
    }

    @Test
    void connectTimeoutIsAFailedAttemptThatIsRetriedThen503() throws Exception {
        // A listener that never accepts, its backlog filled: the kernel drops further SYNs, so connects hang.
        try (ServerSocket full = new ServerSocket()) {
            full.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                        fillers.add(s);
                    } catch (IOException e) {
                        s.close();
                        break; // the queue is full: the next SYN was dropped
                    }
                }
                vars.put("P1", full.getLocalPort());
                proxy = ProxyFixture.start("""
                        frontends:
                          - name: http
                            bind: 127.0.0.1:0
                            default-backend: app
                        backends:
                          - name: app
                            retries: 1
                            timeouts: { connect: 300ms }
                            servers: [{ name: s1, address: "127.0.0.1:${P1}" }]
                        """, vars);
                long start = System.nanoTime();
                assertShortError(exchange(GET), 503);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(ms).as("two attempts of 300ms each").isBetween(550L, 4000L);
                assertThat(proxy.backend("app").counters().retries()).isEqualTo(1);
                assertThat(proxy.server("app", "s1").errors()).isEqualTo(2);
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    // ---------------------------------------------------------------- the client side of a failure

    @Test
    void clientLeavingMidRequestClosesTheServerConnectionAndFreesTheSlot() throws Exception {
        startOne(Script.always(Reply.never()));
        try (RawClient c = proxy.client("http")) {
            c.send(GET);
            a.awaitRequests(1, WAIT);
            assertThat(proxy.server("app", "a").active()).isEqualTo(1);
        }
        a.awaitClosed(0, WAIT);
        Eventually.until(WAIT, "the slot to be freed", () -> proxy.server("app", "a").active() == 0);
        assertThat(proxy.backend("app").counters().errors()).as("counted as a failed request").isEqualTo(1);
    }

    @Test
    void errorAnsweringAHeadRequestHasNoBody() throws Exception {
        startOne(Script.ok("a"));
        proxy.server("app", "a").setHealthy(false);
        try (RawClient c = proxy.client("http")) {
            c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response r = c.readResponseWithoutBody();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("Content-Length")).as("the length the body would have").isNotNull();
            assertThat(c.readUntilClosed()).as("bytes after the head of a response to HEAD").isEmpty();
        }
    }
}
