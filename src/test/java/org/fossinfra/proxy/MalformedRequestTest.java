package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request smuggling and malformed requests (RFC 9112 §2–§7, the cases of HAProxy's reg-tests/http-messaging): each
 * request is sent in one write, must be answered with the status the proxy documents, a short plain-text body and
 * {@code Connection: close}, the connection must then close, and the server must have received not one byte.
 *
 * <p>The frontend has small limits (256-byte request line, 1 KiB header section) so that an oversized request fits
 * in the proxy's first read: refusing it then leaves no unread bytes behind, whose close would turn into a reset.
 */
class MalformedRequestTest {
    private static final Duration SETTLE = Duration.ofMillis(100);

    private static FakeServer server;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                    limits: { max-request-line: 256, max-header-bytes: 1k, max-headers: 20 }
                backends:
                  - name: app
                    servers: [{ name: app1, address: "127.0.0.1:${PORT}" }]
                """, Map.of("PORT", 1)); // replaced per test by a fresh server (see freshServer)
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** A fresh server per test, so that "received nothing" is about this test's request alone. */
    @BeforeEach
    void freshServer() throws Exception {
        server = FakeServer.start(Script.ok("ok"));
        proxy.reload("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                    limits: { max-request-line: 256, max-header-bytes: 1k, max-headers: 20 }
                backends:
                  - name: app
                    servers: [{ name: app1, address: "127.0.0.1:${PORT}" }]
                """, Map.of("PORT", server.port()));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    /** Sends {@code request} in one write and checks the refusal, the close, and that the server saw nothing. */
    private void assertRefused(String request, int status) throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send(request);
            RawClient.Response r = c.readResponse();
            assertThat(r.status()).as("status for %s", r.rawText()).isEqualTo(status);
            assertThat(r.header("Content-Type")).startsWith("text/plain");
            assertThat(r.bodyText()).startsWith(status + " ").hasSizeLessThan(200);
            assertThat(r.saysClose()).as("Connection: close").isTrue();
            assertThat(c.isClosed()).as("connection closed after the refusal").isTrue();
        }
        server.assertNothingReceived(SETTLE);
    }

    /** The same framing, well formed, reaches the server: the refusals above are about the defect alone. */
    private void assertForwarded(String request) throws Exception {
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send(request).readResponse();
            assertThat(r.status()).as(r.rawText()).isEqualTo(200);
        }
        assertThat(server.requestCount()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- Content-Length and Transfer-Encoding

    @Test
    void bothContentLengthAndTransferEncodingIsRefusedAndNeverReachesTheServer() throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n", 400);
    }

    @Test
    void transferEncodingBeforeContentLengthIsRefusedToo() throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    }

    @Test
    void differingDuplicateContentLengthsAreRefused() throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400);
    }

    @Test
    void differingContentLengthsInOneFieldAreRefused() throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+5", "-5", "5a", "0x5", "5 5", "5;", "", "1e1", "99999999999999999999"})
    void contentLengthThatIsNotPlainDigitsIsRefused(String value) throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + value + "\r\n\r\nhello", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"chunked, gzip", "identity", "xchunked", "gzip", "chunked, chunked", "chunked;q=1", ","})
    void transferEncodingOtherThanAFinalChunkedIsRefused(String value) throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + value + "\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void chunkedOnTwoTransferEncodingLinesIsRefused() throws Exception {
        // Chunked applied twice (RFC 9112 §6.1); a server joining the lines differently would frame it differently.
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n", 400);
    }

    @Test
    void transferEncodingContinuedOnAFoldedLineIsRefused() throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n ,chunked\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void connectionNamingContentLengthDoesNotMakeContentLengthWithTransferEncodingAcceptable() throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nConnection: content-length\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {",5", "5,", "5,,5", "5 ,", "5\t6"})
    void contentLengthListWithAnEmptyElementIsRefused(String value) throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + value + "\r\n\r\nhello", 400);
    }

    @Test
    void transferEncodingInAnHttp10RequestIsRefused() throws Exception {
        assertRefused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void gzipThenChunkedIsForwarded() throws Exception {
        assertForwarded("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    }

    // ---------------------------------------------------------------- chunked framing in the first packet

    @ParameterizedTest
    @ValueSource(strings = {"0x10", "-1", "g", "00000000000000001", "fffffffffffffffff", " 5", "5 x", ""})
    void invalidChunkSizeSentWithTheHeadIsRefused(String size) throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\nhello\r\n"
                + "0\r\n\r\n", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5;a=\u0001", "5;a=b\nc", "5;a=\"b\rc\"", "5x;a=b"})
    void chunkExtensionWithAControlCharacterIsRefused(String line) throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + line + "\r\nhello\r\n"
                + "0\r\n\r\n", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {" folded: x", "NoColon", "X-A: a\u0000b", "X A: b", "X-A: b\nX-B: c"})
    void malformedTrailerIsRefused(String trailer) throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"
                + trailer + "\r\n\r\n", 400);
    }

    @Test
    void chunkDataLongerThanItsSizeIsRefused() throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloworld\r\n"
                + "0\r\n\r\n", 400);
    }

    @Test
    void chunkSizeLineWithBareLfIsRefused() throws Exception {
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400);
    }

    @Test
    void validChunkedBodyWithExtensionsAndTrailersIsForwarded() throws Exception {
        assertForwarded("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=v\r\nhello\r\n"
                + "0\r\nX-Checksum: 1\r\n\r\n");
        assertThat(server.requests().getFirst().bodyText()).isEqualTo("hello");
    }

    @Test
    void whitespaceBeforeAChunkExtensionIsForwarded() throws Exception {
        assertForwarded("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 ;a=b\r\nhello\r\n0\r\n\r\n");
        assertThat(server.requests().getFirst().bodyText()).isEqualTo("hello");
    }

    @Test
    void invalidChunkArrivingAfterForwardingStartedClosesTheServerConnectionBeforeTheSmuggledRequest()
            throws Exception {
        try (RawClient c = proxy.client("http")) {
            String head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
            c.send(head);
            server.awaitConnections(1, Duration.ofSeconds(5));
            Thread.sleep(50);
            c.send("5\r\nhelloXXXX\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response r = c.readResponse();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.isClosed()).isTrue();
            server.awaitClosed(0, Duration.ofSeconds(5));
            assertThat(server.receivedText()).isNotEmpty().doesNotContain("smuggled").doesNotContain("XXXX");
            assertThat(server.requestCount()).isZero();
        }
    }

    // ---------------------------------------------------------------- line syntax

    @Test
    void obsoleteLineFoldingIsRefused() throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n\r\n", 400);
    }

    @Test
    void whitespaceBeforeTheFirstHeaderLineIsRefused() throws Exception {
        // RFC 9112 §2.2: a server that took it for a folded request line would not see this Transfer-Encoding.
        assertRefused("POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: a\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void bareLfLineEndingIsRefused() throws Exception {
        assertRefused("GET / HTTP/1.1\nHost: a\n\n", 400);
    }

    @Test
    void bareLfInsideTheHeaderSectionIsRefused() throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n", 400);
    }

    @Test
    void bareCrIsRefused() throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: a\rX-Smuggle: b\r\n\r\n", 400);
    }

    @Test
    void bareCrInTheRequestLineIsRefused() throws Exception {
        assertRefused("GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    }

    @Test
    void headerNameWithASpaceBeforeTheColonIsRefused() throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "\u0001", "\u001b", "\u007f", "\u000b"})
    void headerValueWithAControlCharacterIsRefused(String control) throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX-A: a" + control + "b\r\n\r\n", 400);
    }

    @Test
    void headerLineWithoutAColonIsRefused() throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n", 400);
    }

    @Test
    void requestLineWithTwoSpacesIsRefused() throws Exception {
        assertRefused("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    }

    @Test
    void requestTargetWithAFragmentIsRefused() throws Exception {
        assertRefused("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    }

    // ---------------------------------------------------------------- sizes

    @Test
    void oversizedRequestLineIs414() throws Exception {
        assertRefused("GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414);
    }

    @Test
    void oversizedRequestLineStillArrivingIs414() throws Exception {
        assertRefused("GET /" + "a".repeat(400), 414);
    }

    @Test
    void oversizedHeaderSectionIs431() throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(1100) + "\r\n\r\n", 431);
    }

    @Test
    void tooManyHeaderFieldsIs431() throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\n" + "X-A: 1\r\n".repeat(25) + "\r\n", 431);
    }

    @Test
    void requestLineAtTheLimitIsForwarded() throws Exception {
        String line = "GET /" + "a".repeat(256 - "GET / HTTP/1.1".length()) + " HTTP/1.1";
        assertThat(line).hasSize(256);
        assertForwarded(line + "\r\nHost: a\r\n\r\n");
    }

    // ---------------------------------------------------------------- versions, Host, methods

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/2.0", "HTTP/3.0", "HTTP/0.9"})
    void unsupportedHttpVersionIs505(String version) throws Exception {
        assertRefused("GET / " + version + "\r\nHost: a\r\n\r\n", 505);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.10", "HTTP/1", "http/1.1", "HTTP/1.x", "HTTP/11"})
    void malformedHttpVersionIs400(String version) throws Exception {
        assertRefused("GET / " + version + "\r\nHost: a\r\n\r\n", 400);
    }

    @Test
    void http11WithoutHostIsRefused() throws Exception {
        assertRefused("GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400);
    }

    @Test
    void http10WithoutHostIsForwarded() throws Exception {
        assertForwarded("GET / HTTP/1.0\r\n\r\n");
    }

    @Test
    void higherHttp1MinorVersionIsServedAsHttp11() throws Exception {
        // RFC 9110 §2.5: handled as the highest 1.x we implement, so it still needs its Host...
        assertRefused("GET / HTTP/1.2\r\n\r\n", 400);
        // ...and is forwarded as HTTP/1.1.
        assertForwarded("GET / HTTP/1.2\r\nHost: a\r\n\r\n");
        assertThat(server.receivedText()).startsWith("GET / HTTP/1.1\r\n");
    }

    @Test
    void twoHostHeadersAreRefused() throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a@b", "a/b", "a b", "a\\b"})
    void hostWithCharactersThatSplitAuthoritiesIsRefused(String host) throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 400);
    }

    @Test
    void connectIs501() throws Exception {
        assertRefused("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 501);
    }

    @Test
    void absoluteFormWithABackslashInTheAuthorityIsRefused() throws Exception {
        assertRefused("GET http://a\\b.example/ HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    }

    @Test
    void tabInTheRequestLineIsRefused() throws Exception {
        assertRefused("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    }

    @Test
    void absoluteFormWithUserinfoIsRefused() throws Exception {
        assertRefused("GET http://user@example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n", 400);
    }
}
