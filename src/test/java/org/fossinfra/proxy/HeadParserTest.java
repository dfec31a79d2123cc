package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.fossinfra.config.FrontendConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link HeadParser} through {@link RequestHead} and {@link ResponseHead}, directly on buffers: one behaviour per
 * case. What the wire tests (RequestFramingTest, MalformedRequestTest) show end to end, these pin down at the
 * parser: which heads are refused with which status, and the framing derived from those accepted.
 */
class HeadParserTest {
    private static final FrontendConfig.Limits LIMITS = new FrontendConfig.Limits(64, 512, 10);

    private ByteBuf buf;

    @AfterEach
    void release() {
        if (buf != null) {
            buf.release();
        }
    }

    private RequestHead request(String text) throws HttpError {
        RequestHead h = new RequestHead(LIMITS);
        buf = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        assertThat(h.parse(buf)).as("the head is complete").isEqualTo(HeadParser.DONE);
        return h;
    }

    private ResponseHead response(String text) throws HttpError {
        ResponseHead h = new ResponseHead();
        buf = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        assertThat(h.parse(buf)).as("the head is complete").isEqualTo(HeadParser.DONE);
        return h;
    }

    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n";

    // ---------------------------------------------------------------- refusals

    static Stream<Arguments> refusedRequests() {
        return Stream.of(
                arguments("bare LF ends a header line", "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n", 400, "bare LF"),
                arguments("bare LF ends the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF"),
                arguments("bare CR inside a value", GET + "X: a\rb\r\n\r\n", 400, "control character"),
                arguments("obsolete line folding", GET + "X: a\r\n b\r\n\r\n", 400, "folding"),
                arguments("whitespace before the first header", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, "folding"),
                arguments("space before the colon", GET + "Content-Length : 1\r\n\r\n", 400, "whitespace in a header name"),
                arguments("tab before the colon", GET + "Content-Length\t: 1\r\n\r\n", 400, "whitespace in a header name"),
                arguments("empty header name", GET + ": x\r\n\r\n", 400, "empty header name"),
                arguments("header line without a colon", GET + "X\r\n\r\n", 400, "without a colon"),
                arguments("NUL in a value", GET + "X: a\u0000\r\n\r\n", 400, "control character"),
                arguments("DEL in a value", GET + "X: a\u007f\r\n\r\n", 400, "control character"),
                arguments("non-token character in a name", GET + "X(1): a\r\n\r\n", 400, "invalid character in a header name"),
                arguments("Content-Length and Transfer-Encoding", GET + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                        400, "both Content-Length and Transfer-Encoding"),
                arguments("Transfer-Encoding and Content-Length", GET + "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
                        400, "both Content-Length and Transfer-Encoding"),
                arguments("differing Content-Length fields", GET + "Content-Length: 1\r\nContent-Length: 2\r\n\r\n",
                        400, "differing"),
                arguments("differing Content-Length list", GET + "Content-Length: 1, 2\r\n\r\n", 400, "differing"),
                arguments("signed Content-Length", GET + "Content-Length: +1\r\n\r\n", 400, "not a number"),
                arguments("negative Content-Length", GET + "Content-Length: -1\r\n\r\n", 400, "not a number"),
                arguments("empty Content-Length", GET + "Content-Length: \r\n\r\n", 400, "empty Content-Length"),
                arguments("hex Content-Length", GET + "Content-Length: 0x1\r\n\r\n", 400, "not a number"),
                arguments("Content-Length list with an empty element", GET + "Content-Length: 1,,1\r\n\r\n", 400, "not a number"),
                arguments("Content-Length list ending in a comma", GET + "Content-Length: 1,\r\n\r\n", 400, "not a number"),
                arguments("19-digit Content-Length", GET + "Content-Length: 1000000000000000000\r\n\r\n", 400, "too large"),
                arguments("Transfer-Encoding not ending in chunked", GET + "Transfer-Encoding: chunked, gzip\r\n\r\n",
                        400, "after chunked"),
                arguments("Transfer-Encoding gzip alone", GET + "Transfer-Encoding: gzip\r\n\r\n", 400, "not chunked"),
                arguments("Transfer-Encoding identity", GET + "Transfer-Encoding: identity\r\n\r\n", 400, "not chunked"),
                arguments("chunked twice on one line", GET + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400, "after chunked"),
                arguments("chunked on two lines", GET + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                        400, "after chunked"),
                arguments("chunked with a parameter", GET + "Transfer-Encoding: chunked;q=1\r\n\r\n", 400, "invalid transfer coding"),
                arguments("empty transfer coding", GET + "Transfer-Encoding: gzip,,chunked\r\n\r\n", 400, "empty transfer coding"),
                arguments("empty Transfer-Encoding", GET + "Transfer-Encoding: \r\n\r\n", 400, "empty transfer coding"),
                arguments("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
                        400, "HTTP/1.0"),
                arguments("two Host fields", GET + "Host: b\r\n\r\n", 400, "more than one Host"),
                arguments("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400, "without Host"),
                arguments("Host with userinfo", "GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", 400, "invalid Host"),
                arguments("Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "invalid Host"),
                arguments("Host with a backslash", "GET / HTTP/1.1\r\nHost: a\\b\r\n\r\n", 400, "invalid Host"),
                arguments("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "not supported"),
                arguments("lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400, "malformed HTTP version"),
                arguments("two-digit minor version", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400, "malformed HTTP version"),
                arguments("two spaces in the request line", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed request line"),
                arguments("tab in the request line", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid character in the method"),
                arguments("fragment in the target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid character in the request target"),
                arguments("target neither path nor URI", "GET a HTTP/1.1\r\nHost: a\r\n\r\n", 400, "neither a path"),
                arguments("userinfo in absolute-form", "GET http://u@a/ HTTP/1.1\r\n\r\n", 400, "userinfo"),
                arguments("backslash in absolute-form authority", "GET http://a\\b/ HTTP/1.1\r\n\r\n", 400, "invalid authority"),
                arguments("empty absolute-form authority", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "empty authority"),
                arguments("CONNECT", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 501, "CONNECT"),
                arguments("five empty lines first", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "empty lines"),
                arguments("request line over the limit", "GET /" + "a".repeat(60) + " HTTP/1.1\r\nHost: a\r\n\r\n",
                        414, "request line too long"),
                arguments("too many header fields", GET + "X: 1\r\n".repeat(10) + "\r\n", 431, "too large"),
                arguments("header section over the limit", GET + "X: " + "b".repeat(500) + "\r\n\r\n", 431, "too large"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedRequests")
    void requestIsRefused(String what, String text, int status, String reason) {
        assertThatThrownBy(() -> request(text))
                .isInstanceOfSatisfying(HttpError.class, e -> {
                    assertThat(e.status).isEqualTo(status);
                    assertThat(e.getMessage()).contains(reason);
                });
    }

    // ---------------------------------------------------------------- framing of accepted requests

    static Stream<Arguments> requestFraming() {
        return Stream.of(
                arguments("no framing fields: no body", GET + "\r\n", 0L, false),
                arguments("Content-Length", GET + "Content-Length: 5\r\n\r\n", 5L, false),
                arguments("Content-Length 0", GET + "Content-Length: 0\r\n\r\n", 0L, false),
                arguments("identical Content-Length fields", GET + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", 5L, false),
                arguments("identical Content-Length list", GET + "Content-Length: 5 ,\t5\r\n\r\n", 5L, false),
                arguments("Content-Length with leading zeros", GET + "Content-Length: 0005\r\n\r\n", 5L, false),
                arguments("Content-Length with surrounding whitespace", GET + "Content-Length: \t5 \r\n\r\n", 5L, false),
                arguments("18-digit Content-Length", GET + "Content-Length: 999999999999999999\r\n\r\n",
                        999_999_999_999_999_999L, false),
                arguments("chunked", GET + "Transfer-Encoding: chunked\r\n\r\n", -1L, true),
                arguments("Chunked in capitals", GET + "Transfer-Encoding: CHUNKED\r\n\r\n", -1L, true),
                arguments("gzip then chunked", GET + "Transfer-Encoding: gzip, chunked\r\n\r\n", -1L, true),
                arguments("gzip and chunked on two lines", GET + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                        -1L, true),
                arguments("Content-Length in HTTP/1.0", "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\n", 3L, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestFraming")
    void requestBodyLengthIsDerivedFromItsFraming(String what, String text, long bodyLength, boolean chunked)
            throws HttpError {
        RequestHead h = request(text);
        assertThat(h.bodyLength()).isEqualTo(bodyLength);
        assertThat(h.chunked).isEqualTo(chunked);
    }

    static Stream<Arguments> keepAlive() {
        return Stream.of(
                arguments("HTTP/1.1", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
                arguments("HTTP/1.1 close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false),
                arguments("HTTP/1.1 close among options", "GET / HTTP/1.1\r\nHost: a\r\nConnection: x, Close\r\n\r\n", false),
                arguments("HTTP/1.1 keep-alive and close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n", false),
                arguments("HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", false),
                arguments("HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
                arguments("HTTP/1.0 keep-alive on a second field", "GET / HTTP/1.0\r\nConnection: x\r\nConnection: keep-alive\r\n\r\n", true),
                arguments("HTTP/1.0 keep-alive and close", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false),
                arguments("HTTP/1.2 is served as HTTP/1.1", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keepAlive")
    void keepAliveFollowsTheVersionAndConnection(String what, String text, boolean keepAlive) throws HttpError {
        assertThat(request(text).keepAlive()).isEqualTo(keepAlive);
    }

    static Stream<Arguments> upgrades() {
        return Stream.of(
                arguments("websocket", "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", true),
                arguments("WebSocket among protocols", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, upgrade\r\n"
                        + "Upgrade: foo/2, WebSocket\r\n\r\n", true),
                arguments("no Connection: upgrade", "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", false),
                arguments("h2c", "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n", false),
                arguments("HTTP/1.0", "GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("upgrades")
    void onlyAnHttp11WebSocketUpgradeIsAnUpgrade(String what, String text, boolean upgrade) throws HttpError {
        assertThat(request(text).webSocketUpgrade()).isEqualTo(upgrade);
    }

    static Stream<Arguments> methods() {
        return Stream.of(
                arguments("GET", true, false), arguments("HEAD", true, true), arguments("OPTIONS", true, false),
                arguments("PUT", true, false), arguments("DELETE", true, false), arguments("TRACE", true, false),
                arguments("POST", false, false), arguments("PATCH", false, false), arguments("get", false, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void idempotentMethodsAreKnownByTheirCaseSensitiveName(String method, boolean idempotent, boolean head)
            throws HttpError {
        RequestHead h = request(method + " / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(h.idempotent).isEqualTo(idempotent);
        assertThat(h.head).isEqualTo(head);
        assertThat(h.method(buf, buf.readerIndex())).isEqualTo(method);
    }

    // ---------------------------------------------------------------- incremental parsing, positions

    @Test
    void aHeadFedOneByteAtATimeNeedsMoreUntilItsLastByte() throws HttpError {
        String text = "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n";
        RequestHead h = new RequestHead(LIMITS);
        buf = Unpooled.buffer();
        for (int i = 0; i < text.length() - 1; i++) {
            buf.writeByte(text.charAt(i));
            assertThat(h.parse(buf)).as("after %d bytes", i + 1).isEqualTo(HeadParser.NEED_MORE);
        }
        buf.writeByte('\n');
        assertThat(h.parse(buf)).isEqualTo(HeadParser.DONE);
        assertThat(h.headLength()).isEqualTo(text.length());
        assertThat(h.bodyLength()).isEqualTo(5);
    }

    @Test
    void bytesAfterTheHeadAreNotPartOfIt() throws HttpError {
        String head = "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n";
        RequestHead h = request(head + "helloGET / HTTP/1.1\r\n");
        assertThat(h.headLength()).isEqualTo(head.length());
        assertThat(buf.readerIndex()).as("parsing consumes nothing").isZero();
    }

    @Test
    void upToFourEmptyLinesBeforeTheRequestLineAreSkipped() throws HttpError {
        RequestHead h = request("\r\n\r\n\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(h.target(buf, buf.readerIndex())).isEqualTo("/x");
    }

    @Test
    void resetMakesTheParserReadyForTheNextRequest() throws HttpError {
        RequestHead h = request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close, x\r\n\r\n");
        h.reset();
        buf.release();
        buf = Unpooled.copiedBuffer("GET / HTTP/1.0\r\n\r\n", StandardCharsets.ISO_8859_1);
        assertThat(h.parse(buf)).isEqualTo(HeadParser.DONE);
        assertThat(h.chunked).isFalse();
        assertThat(h.transferEncoding).isFalse();
        assertThat(h.connectionClose).isFalse();
        assertThat(h.connectionNominated).isNull();
        assertThat(h.bodyLength()).isZero();
    }

    // ---------------------------------------------------------------- fields the writer needs to know

    @Test
    void fieldsNamedByConnectionAreKnownCaseInsensitively() throws HttpError {
        RequestHead h = request(GET + "Connection: keep-alive, X-Hop, transfer-encoding\r\nx-hop: 1\r\nX-Kept: 2\r\n\r\n");
        assertThat(h.connectionNominated).containsExactly("x-hop", "transfer-encoding");
        assertThat(h.connectionKeepAlive).isTrue();
        int base = buf.readerIndex();
        assertThat(h.nominatedByConnection(buf, base, 2)).as("x-hop").isTrue();
        assertThat(h.nominatedByConnection(buf, base, 3)).as("X-Kept").isFalse();
    }

    @Test
    void framingFieldsAreClassifiedWhateverTheirCase() throws HttpError {
        RequestHead h = request("POST / HTTP/1.1\r\nhOsT: a\r\nCONTENT-length: 1\r\nexpect: 100-continue\r\nX-Other: 1\r\n\r\n");
        assertThat(new byte[] {h.kind[0], h.kind[1], h.kind[2], h.kind[3]}).containsExactly(
                HeadParser.HOST, HeadParser.CONTENT_LENGTH, HeadParser.EXPECT, HeadParser.OTHER);
    }

    @Test
    void lookalikeFramingFieldNamesAreOrdinaryFields() throws HttpError {
        RequestHead h = request(GET + "Transfer_Encoding: chunked\r\nContent-Length2: 5\r\nX-Transfer-Encoding: chunked\r\n\r\n");
        assertThat(h.transferEncoding).isFalse();
        assertThat(h.bodyLength()).isZero();
        assertThat(new byte[] {h.kind[1], h.kind[2], h.kind[3]}).containsOnly(HeadParser.OTHER);
    }

    @Test
    void valuesAreTrimmedOfOptionalWhitespace() throws HttpError {
        RequestHead h = request(GET + "X-A: \t v a \t\r\n\r\n");
        assertThat(h.header(buf, buf.readerIndex(), "x-a")).isEqualTo("v a");
    }

    static Stream<Arguments> hosts() {
        return Stream.of(
                arguments("GET / HTTP/1.1\r\nHost: Example.COM:8080\r\n\r\n", "example.com", "/"),
                arguments("GET /a?b HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "[::1]", "/a"),
                arguments("GET http://Abs.example:81/p/q?x HTTP/1.1\r\nHost: other\r\n\r\n", "abs.example", "/p/q"),
                arguments("GET http://abs.example?x HTTP/1.1\r\n\r\n", "abs.example", "/"),
                arguments("GET / HTTP/1.0\r\n\r\n", "", "/"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hosts")
    void hostAndPathForRoutingComeFromTheAuthorityOrHost(String text, String host, String path) throws HttpError {
        RequestHead h = request(text);
        assertThat(h.host(buf, buf.readerIndex())).isEqualTo(host);
        assertThat(h.path(buf, buf.readerIndex())).isEqualTo(path);
    }

    // ---------------------------------------------------------------- responses

    static Stream<Arguments> refusedResponses() {
        return Stream.of(
                arguments("not HTTP", "HTTX/1.1 200 OK\r\n\r\n", "malformed status line"),
                arguments("HTTP/2", "HTTP/2.0 200 OK\r\n\r\n", "malformed status line"),
                arguments("HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n", "unsupported HTTP version"),
                arguments("two-digit status", "HTTP/1.1 20 OK\r\n\r\n", "malformed"),
                arguments("status below 100", "HTTP/1.1 099 OK\r\n\r\n", "below 100"),
                arguments("differing Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                        "differing"),
                arguments("bare LF", "HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\n", "bare LF"),
                arguments("control character in the reason", "HTTP/1.1 200 O\u0001K\r\n\r\n", "control character"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedResponses")
    void responseIsRefusedAsABadGateway(String what, String text, String reason) {
        assertThatThrownBy(() -> response(text))
                .isInstanceOfSatisfying(HttpError.class, e -> {
                    assertThat(e.status).isEqualTo(502);
                    assertThat(e.getMessage()).contains(reason);
                });
    }

    @Test
    void responseWithTransferEncodingAndContentLengthIsFramedByTheTransferEncoding() throws HttpError {
        // RFC 9112 §6.3 rule 3: the Content-Length is ignored (and not forwarded, see HeadWriter).
        ResponseHead h = response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertThat(h.chunked).isTrue();
        assertThat(h.contentLength).isEqualTo(-1);
        assertThat(h.untilClose()).isFalse();
    }

    @Test
    void responseWhoseLastCodingIsNotChunkedLastsUntilClose() throws HttpError {
        ResponseHead h = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
        assertThat(h.untilClose()).isTrue();
    }

    static Stream<Arguments> responseBodies() {
        return Stream.of(
                arguments("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", false, true),
                arguments("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", true, false),
                arguments("HTTP/1.1 204 No Content\r\n\r\n", false, false),
                arguments("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false, false),
                arguments("HTTP/1.1 100 Continue\r\n\r\n", false, false),
                arguments("HTTP/1.1 404 Not Found\r\n\r\n", false, true));
    }

    @ParameterizedTest(name = "{0} to HEAD: {1}")
    @MethodSource("responseBodies")
    void responseHasABodyUnlessHeadOr1xxOr204Or304(String text, boolean headRequest, boolean body) throws HttpError {
        assertThat(response(text).hasBody(headRequest)).isEqualTo(body);
    }
}
