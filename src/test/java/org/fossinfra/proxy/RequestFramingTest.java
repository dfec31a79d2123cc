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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request framing as the backend sees it (HAProxy's reg-tests/http-messaging in spirit): every test sends bytes a
 * smuggler would send and asserts the exact bytes the server received, not only the status at the edge, because a
 * desync is invisible at the edge: the proxy answers 200 while the server has read a second, hidden request.
 *
 * <p>The frontend adds no X-Forwarded-* fields here, so that what the server receives is the client's head with only
 * the framing and hop-by-hop rewrites this class is about. The server answers each request with its method, target
 * and decoded body, so the client side can tell what the server took for one request too.
 */
class RequestFramingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CONFIG = """
            frontends:
              - name: http
                bind: 127.0.0.1:0
                default-backend: app
                forwarded-for: false
                forwarded-proto: false
            backends:
              - name: app
                servers: [{ name: app1, address: "127.0.0.1:${PORT}" }]
            """;

    private static ProxyFixture proxy;
    private FakeServer server;

    @BeforeAll
    static void start() throws Exception {
        proxy = ProxyFixture.start(CONFIG, Map.of("PORT", 1)); // each test points it at its own server
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** A fresh server per test, so that what it received is this test's traffic alone. */
    @BeforeEach
    void freshServer() throws Exception {
        useServer(FakeServer.builder().script(echo()));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private void useServer(FakeServer.Builder builder) throws Exception {
        if (server != null) {
            server.close();
        }
        server = builder.start();
        proxy.reload(CONFIG, Map.of("PORT", server.port()));
    }

    /** "METHOD target [body]": what the server took for one request. */
    private static Script echo() {
        return r -> Reply.ok(r.method() + " " + r.target() + " [" + r.bodyText() + "]");
    }

    /** Waits until the server has received exactly {@code expected} (all connections, in order), then checks it. */
    private void assertServerReceived(String expected) throws InterruptedException {
        try {
            Eventually.until(WAIT, "the server to receive the expected bytes",
                    () -> server.receivedText().equals(expected));
        } catch (AssertionError timedOut) {
            // fall through: the comparison below shows the difference
        }
        assertThat(server.receivedText()).as("bytes the server received").isEqualTo(expected);
    }

    /** Sends {@code request} on a new connection and reads one final response (interim ones skipped). */
    private RawClient.Response exchange(String request) throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send(request);
            RawClient.Response r = c.readResponse();
            while (r.status() < 200) {
                r = c.readResponse();
            }
            return r;
        }
    }

    /** Sends {@code request}, expects 200, and then that the server received exactly {@code expected}. */
    private void assertForwardedAs(String request, String expected) throws Exception {
        RawClient.Response r = exchange(request);
        assertThat(r.status()).as(r.rawText()).isEqualTo(200);
        assertServerReceived(expected);
    }

    private static String hex(String chunk) {
        return Integer.toHexString(chunk.length());
    }

    // ---------------------------------------------------------------- Connection may not remove framing

    @Test
    void connectionNamingTransferEncodingDoesNotRemoveTheChunkedFraming() throws Exception {
        String hidden = "GET /smuggled HTTP/1.1\r\nX: ";
        try (RawClient c = proxy.client("http")) {
            c.send("POST /p HTTP/1.1\r\nHost: a\r\nConnection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n"
                    + "\r\n" + hex(hidden) + "\r\n" + hidden + "\r\n0\r\n\r\n");
            RawClient.Response r = c.readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("POST /p [" + hidden + "]");
        }
        assertServerReceived("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + hex(hidden) + "\r\n" + hidden + "\r\n0\r\n\r\n");
        assertThat(server.requests()).extracting(FakeServer.Request::target).containsExactly("/p");
    }

    @Test
    void connectionNamingContentLengthDoesNotRemoveIt() throws Exception {
        assertForwardedAs("POST /p HTTP/1.1\r\nHost: a\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello",
                "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
    }

    @Test
    void connectionNamingHostDoesNotRemoveIt() throws Exception {
        assertForwardedAs("GET /g HTTP/1.1\r\nConnection: host\r\nHost: a\r\n\r\n", "GET /g HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @Test
    void connectionNamingExpectDoesNotRemoveTheExpectation() throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send("POST /p HTTP/1.1\r\nHost: a\r\nConnection: expect\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertThat(c.readResponse().status()).as("the server was asked for a 100 and sent it").isEqualTo(100);
            c.send("hello");
            assertThat(c.readResponse().bodyText()).isEqualTo("POST /p [hello]");
        }
        assertServerReceived("POST /p HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello");
    }

    @Test
    void connectionNamingAllFramingFieldsAtOnceStillKeepsThem() throws Exception {
        assertForwardedAs("POST /p HTTP/1.1\r\nHost: a\r\nConnection: host, transfer-encoding, content-length, x-hop\r\n"
                        + "X-Hop: 1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void connectionOptionsAndTheFieldsTheyNameAreRemoved() throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send("GET /g HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close, x-hop\r\nKeep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nX-Hop: 1\r\nX-Kept: 2\r\n\r\n");
            RawClient.Response r = c.readResponse();
            assertThat(r.saysClose()).as("close is for the client connection").isTrue();
            assertThat(c.isClosed()).isTrue();
        }
        // close ends the client connection, not the server's: the server is not told to close.
        assertServerReceived("GET /g HTTP/1.1\r\nHost: a\r\nX-Kept: 2\r\n\r\n");
    }

    // ---------------------------------------------------------------- Content-Length

    @Test
    void duplicateIdenticalContentLengthsReachTheServerAsOne() throws Exception {
        assertForwardedAs("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-A: 1\r\nContent-Length: 5\r\n\r\nhello",
                "POST /p HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nContent-Length: 5\r\n\r\nhello");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5, 5", "5,5", "005", " 5 ", "\t5", "5,\t5"})
    void contentLengthIsRewrittenAsPlainDigits(String value) throws Exception {
        assertForwardedAs("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: " + value + "\r\n\r\nhello",
                "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
    }

    @Test
    void contentLengthDecidesWhereTheNextRequestStarts() throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhelloGET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse().bodyText()).isEqualTo("POST /p [helloGET /]");
            assertThat(c.readResponse().status()).as("\"x HTTP/1.1\" is no request line").isEqualTo(400);
        }
        assertServerReceived("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhelloGET /");
    }

    @Test
    void requestWithoutContentLengthOrTransferEncodingHasNoBody() throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send("POST /p HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse().bodyText()).isEqualTo("POST /p []");
            assertThat(c.readResponse().bodyText()).isEqualTo("GET /next []");
        }
        assertServerReceived("POST /p HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @Test
    void getWithABodyIsForwardedWithItsBody() throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send("GET /g HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nbye\r\n0\r\n\r\n");
            assertThat(c.readResponse().bodyText()).isEqualTo("GET /g [hello]");
            assertThat(c.readResponse().bodyText()).isEqualTo("GET /c [bye]");
        }
        assertServerReceived("GET /g HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nbye\r\n0\r\n\r\n");
    }

    // ---------------------------------------------------------------- Transfer-Encoding

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Transfer-Encoding: chunked                              | chunked",
        "Transfer-Encoding: Chunked                              | chunked",
        "Transfer-Encoding: CHUNKED                              | chunked",
        "'Transfer-Encoding:\tchunked\t'                         | chunked",
        "Transfer-Encoding: gzip, chunked                        | gzip, chunked",
        "Transfer-Encoding: gzip,chunked                         | gzip, chunked",
        "'Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked' | gzip, chunked",
        "'transfer-encoding: x-a , GZIP ,chunked'                | x-a, GZIP, chunked",
    })
    void transferEncodingReachesTheServerAsOneFieldEndingInChunked(String fields, String forwarded) throws Exception {
        assertForwardedAs("POST /p HTTP/1.1\r\nHost: a\r\n" + fields + "\r\nX-A: 1\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                "POST /p HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nTransfer-Encoding: " + forwarded + "\r\n\r\n"
                        + "3\r\nabc\r\n0\r\n\r\n");
    }

    @Test
    void chunkedBodyWithExtensionsTrailersAndOddSizesPassesByteExact() throws Exception {
        String body = "0005;name=\"v a\"\r\nhello\r\nA ;x\r\n0123456789\r\n0;last\r\nX-Trailer: t\r\nX-Two: 2\r\n\r\n";
        assertForwardedAs("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
                "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
        assertThat(server.requests().getFirst().bodyText()).isEqualTo("hello0123456789");
    }

    @Test
    void chunkedBodySentOneByteAtATimeArrivesExactly() throws Exception {
        String body = "5;e=1\r\nhello\r\n0\r\nT: 1\r\n\r\n";
        try (RawClient c = proxy.client("http")) {
            c.send("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (char ch : body.toCharArray()) {
                c.send(String.valueOf(ch));
            }
            assertThat(c.readResponse().bodyText()).isEqualTo("POST /p [hello]");
        }
        assertServerReceived("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    }

    // ---------------------------------------------------------------- pipelining

    @Test
    void severalRequestsInOnePacketReachTheServerInOrderOnOneConnection() throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\ntwo"
                    + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nthree\r\n0\r\n\r\n"
                    + "GET /4 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse().bodyText()).isEqualTo("GET /1 []");
            assertThat(c.readResponse().bodyText()).isEqualTo("POST /2 [two]");
            assertThat(c.readResponse().bodyText()).isEqualTo("POST /3 [three]");
            assertThat(c.readResponse().bodyText()).isEqualTo("GET /4 []");
        }
        assertServerReceived("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\ntwo"
                + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nthree\r\n0\r\n\r\n"
                + "GET /4 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void requestHiddenInAContentLengthBodyStaysBody() throws Exception {
        String hidden = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
        assertForwardedAs("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: " + hidden.length() + "\r\n\r\n" + hidden,
                "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: " + hidden.length() + "\r\n\r\n" + hidden);
        assertThat(server.requests()).extracting(FakeServer.Request::target).containsExactly("/p");
    }

    @Test
    void requestAfterTheLastChunkIsTheNextRequest() throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                    + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse().bodyText()).isEqualTo("POST /p []");
            assertThat(c.readResponse().bodyText()).isEqualTo("GET /next []");
        }
        assertServerReceived("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    // ---------------------------------------------------------------- Expect: 100-continue

    @Test
    void expectContinueWithoutABodyIsForwardedAndTheConnectionsStayInStep() throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send("GET /g HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.readResponse().status()).isEqualTo(100);
            assertThat(c.readResponse().bodyText()).isEqualTo("GET /g []");
            assertThat(c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().bodyText())
                    .isEqualTo("GET /next []");
        }
        assertServerReceived("GET /g HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n"
                + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void expectContinueWithTheBodySentAtOnceIsForwardedWhole() throws Exception {
        assertForwardedAs("PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
                "PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello");
    }

    @Test
    void serverAnsweringAnExpectationWithAFinalStatusIsNeverReusedForTheNextRequest() throws Exception {
        // The server refuses the body and stays open; it still waits for 5 body bytes that will never come, so the
        // next request must not go over this connection, or its first 5 bytes would be taken for that body.
        useServer(FakeServer.builder().autoContinue(false).readBodies(false).script(r -> r.method().equals("POST")
                ? Reply.raw("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
                : Reply.ok(r.method() + " " + r.target())));
        try (RawClient c = proxy.client("http")) {
            c.send("POST /p HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            RawClient.Response r = c.readResponse();
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.saysClose()).isTrue();
            assertThat(c.isClosed()).isTrue();
        }
        server.awaitClosed(0, WAIT);
        assertThat(exchange("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").bodyText()).isEqualTo("GET /next");
        assertThat(server.receivedTexts()).containsExactly(
                "POST /p HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
                "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    // ---------------------------------------------------------------- HTTP/1.0, HEAD

    @Test
    void http10KeepAliveRequestsGoOnAsHttp10AskingForKeepAlive() throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send("GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Response r = c.readResponse();
            assertThat(r.bodyText()).isEqualTo("GET /1 []");
            assertThat(r.headers().hasToken("Connection", "keep-alive")).isTrue();
            c.send("POST /2 HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\ntwo");
            assertThat(c.readResponse().bodyText()).isEqualTo("POST /2 [two]");
        }
        assertServerReceived("GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                + "POST /2 HTTP/1.0\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\ntwo");
    }

    @Test
    void http10WithoutKeepAliveStillKeepsTheServerConnection() throws Exception {
        try (RawClient c = proxy.client("http")) {
            assertThat(c.send("GET /1 HTTP/1.0\r\n\r\n").readResponse().bodyText()).isEqualTo("GET /1 []");
            assertThat(c.isClosed()).isTrue();
        }
        assertServerReceived("GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    }

    @Test
    void headRequestThenAnotherOnTheSameConnectionsStayInStep() throws Exception {
        useServer(FakeServer.builder().script(r -> r.method().equals("HEAD")
                ? Reply.raw("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
                : Reply.ok(r.method() + " " + r.target())));
        try (RawClient c = proxy.client("http")) {
            c.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /g HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response head = c.readResponseWithoutBody();
            assertThat(head.header("Content-Length")).isEqualTo("5");
            assertThat(c.readResponse().bodyText()).isEqualTo("GET /g");
        }
        assertServerReceived("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /g HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- Upgrade

    @Test
    void upgradeOtherThanWebSocketIsRemovedWithItsConnectionOptions() throws Exception {
        assertForwardedAs("GET /g HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n", "GET /g HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @Test
    void upgradeWebSocketWithoutConnectionUpgradeIsNoUpgrade() throws Exception {
        assertForwardedAs("GET /g HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", "GET /g HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @Test
    void webSocketUpgradeReachesTheServerWithCanonicalConnectionAndUpgrade() throws Exception {
        // The server declines the upgrade (200): an ordinary response, and the exchange is over.
        assertForwardedAs("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n",
                "GET /ws HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Version: 13\r\nConnection: upgrade\r\nUpgrade: websocket\r\n"
                        + "\r\n");
    }

    // ---------------------------------------------------------------- absolute-form (RFC 9112 §3.2.2)

    @Test
    void absoluteFormWithoutAPathIsForwardedWithSlash() throws Exception {
        assertForwardedAs("GET http://example.com HTTP/1.1\r\nHost: other.example\r\nX-A: 1\r\n\r\n",
                "GET / HTTP/1.1\r\nX-A: 1\r\nHost: example.com\r\n\r\n");
    }

    @Test
    void absoluteFormWithAQueryButNoPathGetsSlashBeforeTheQuery() throws Exception {
        assertForwardedAs("GET http://example.com:8080?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
                "GET /?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
    }

    @Test
    void absoluteFormOptionsWithoutAPathAsksAboutTheServerAsAWhole() throws Exception {
        // RFC 9112 §3.2.4: the last proxy forwards OPTIONS to an empty path as "*".
        assertForwardedAs("OPTIONS http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n",
                "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n");
    }

    @Test
    void absoluteFormOverHttp10GetsTheHostFromTheAuthority() throws Exception {
        try (RawClient c = proxy.client("http")) {
            assertThat(c.send("GET http://example.com/x HTTP/1.0\r\n\r\n").readResponse().bodyText())
                    .isEqualTo("GET /x []");
        }
        assertServerReceived("GET /x HTTP/1.0\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n");
    }

    // ---------------------------------------------------------------- the response's framing

    @Test
    void connectionInAResponseDoesNotRemoveTheResponsesFraming() throws Exception {
        useServer(FakeServer.builder().script(r -> Reply.raw("HTTP/1.1 200 OK\r\nConnection: transfer-encoding, x-hop\r\n"
                + "X-Hop: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")));
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.headers().names()).doesNotContain("x-hop", "connection");
            assertThat(r.bodyText()).isEqualTo("ok");
            assertThat(c.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().bodyText())
                    .as("the client connection is still in step").isEqualTo("ok");
        }
    }
}
