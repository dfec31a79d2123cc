package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Message bodies in both directions (RFC 9112 §6–§7): framing passes through byte-exact, or is rewritten on purpose. */
class BodiesTest {
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
        start(FakeServer.builder().script(script));
    }

    private void start(FakeServer.Builder builder) throws Exception {
        server = builder.start();
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

    /** Every byte value, several times: a body no text-minded layer could pass unharmed by accident. */
    private static byte[] binary(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private static byte[] concat(String head, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    @Test
    void chunkedRequestBodyPassesThroughByteExact() throws Exception {
        start(Script.ok("ok"));
        String body = "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n";
        try (RawClient c = proxy.client("http")) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
            assertThat(c.readResponse().status()).isEqualTo(200);
        }
        FakeServer.Request r = server.awaitRequests(1, WAIT).getFirst();
        assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(new String(r.rawBody(), StandardCharsets.ISO_8859_1)).isEqualTo(body);
        assertThat(r.bodyText()).isEqualTo("helloabcdefghijklmnopqrstuvwxyz");
    }

    @Test
    void chunkedRequestBodySentInPiecesArrivesWhole() throws Exception {
        start(Script.ok("ok"));
        try (RawClient c = proxy.client("http")) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r");
            for (String piece : new String[] {"\nhel", "lo\r\n", "3\r\nabc", "\r\n0\r", "\n\r\n"}) {
                Thread.sleep(20);
                c.send(piece);
            }
            assertThat(c.readResponse().status()).isEqualTo(200);
        }
        assertThat(server.awaitRequests(1, WAIT).getFirst().bodyText()).isEqualTo("helloabc");
    }

    @Test
    void contentLengthBodyPassesByteExact() throws Exception {
        start(Script.ok("ok"));
        byte[] body = binary(100_000);
        try (RawClient c = proxy.client("http")) {
            c.send(concat("PUT /blob HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n", body));
            assertThat(c.readResponse().status()).isEqualTo(200);
        }
        FakeServer.Request r = server.awaitRequests(1, WAIT).getFirst();
        assertThat(r.header("Content-Length")).isEqualTo("100000");
        assertThat(r.body()).isEqualTo(body);
    }

    @Test
    void chunkedResponsePassesThroughByteExact() throws Exception {
        String body = "4\r\nwiki\r\n5;x=y\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\n";
        start(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)));
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.bodyText()).isEqualTo("wikipedia in\r\n\r\nchunks.");
            assertThat(r.rawText()).endsWith("\r\n\r\n" + body);
            // The connection stays usable: the proxy found the end of the chunked body.
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().bodyText()).isEqualTo("wikipedia in\r\n\r\nchunks.");
        }
    }

    @Test
    void chunkedResponseWithContentLengthTooLosesTheContentLength() throws Exception {
        start(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n")));
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(r.headers().has("Content-Length")).isFalse();
            assertThat(r.bodyText()).isEqualTo("ok");
        }
    }

    @Test
    void closeDelimitedResponsePassesAndTheClientConnectionClosesAfter() throws Exception {
        start(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end").thenClose()));
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.saysClose()).isTrue();
            assertThat(r.bodyText()).isEqualTo("until the end");
        }
    }

    @Test
    void headResponseWithContentLengthHasNoBody() throws Exception {
        start(r -> r.method().equals("HEAD")
                ? Reply.raw("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                : Reply.ok("after"));
        try (RawClient c = proxy.client("http")) {
            RawClient.Response head = c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n").readResponseWithoutBody();
            assertThat(head.header("Content-Length")).isEqualTo("1000");
            // Had the proxy waited for 1000 body bytes, this would time out.
            RawClient.Response next = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(next.rawText()).startsWith("HTTP/1.1 200").endsWith("after");
        }
    }

    @Test
    void noContentAndNotModifiedResponsesHaveNoBody() throws Exception {
        start(Script.sequence(Reply.raw("HTTP/1.1 204 No Content\r\n\r\n"),
                Reply.raw("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nETag: \"x\"\r\n\r\n"),
                Reply.ok("third")));
        try (RawClient c = proxy.client("http")) {
            assertThat(c.send("DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(204);
            RawClient.Response notModified = c.send("GET /x HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"x\"\r\n\r\n")
                    .readResponse();
            assertThat(notModified.status()).isEqualTo(304);
            assertThat(notModified.header("ETag")).isEqualTo("\"x\"");
            RawClient.Response third = c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(third.bodyText()).isEqualTo("third");
            assertThat(third.rawText()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void expectContinueGetsTheServers100ThenTheFinalResponse() throws Exception {
        start(r -> Reply.ok("got " + r.bodyText()));
        try (RawClient c = proxy.client("http")) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response interim = c.readResponse();
            assertThat(interim.status()).isEqualTo(100);
            assertThat(server.requestCount()).as("the body has not been sent yet").isZero();
            c.send("hello");
            RawClient.Response last = c.readResponse();
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.bodyText()).isEqualTo("got hello");
        }
        assertThat(server.awaitRequests(1, WAIT).getFirst().header("Expect")).isEqualTo("100-continue");
    }

    @Test
    void expectContinueAnsweredWithAFinalStatusIsRelayedWithoutTheBodyEverBeingSent() throws Exception {
        start(FakeServer.builder().autoContinue(false).readBodies(false)
                .script(r -> Reply.raw("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")));
        try (RawClient c = proxy.client("http")) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response r = c.readResponse();
            assertThat(r.status()).isEqualTo(417);
            assertThat(r.saysClose()).as("the announced body was never sent, so the framing is lost").isTrue();
            assertThat(c.isClosed()).isTrue();
        }
    }

    @Test
    void http10ClientReadingAChunkedResponseGetsItDechunked() throws Exception {
        start(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
                + "5\r\nhello\r\n6;e=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")));
        try (RawClient c = proxy.client("http")) {
            c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            byte[] all = c.readUntilClosed();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            String head = text.substring(0, split + 2).toLowerCase();
            assertThat(head).doesNotContain("transfer-encoding").contains("connection: close").contains("x-a: 1");
            assertThat(text.substring(split + 4)).isEqualTo("hello world");
        }
    }

    @Test
    void responseBodySentInSlowPiecesArrivesWhole() throws Exception {
        start(r -> x -> {
            x.write("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc");
            Thread.sleep(50);
            x.write("def");
            Thread.sleep(50);
            x.write("ghi");
            return true;
        });
        try (RawClient c = proxy.client("http")) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().bodyText()).isEqualTo("abcdefghi");
        }
    }

    @Test
    void emptyChunkedRequestBodyIsForwarded() throws Exception {
        start(r -> Reply.ok("[" + r.bodyText() + "]"));
        try (RawClient c = proxy.client("http")) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
            assertThat(c.readResponse().bodyText()).isEqualTo("[]");
        }
    }

    @Test
    void zeroContentLengthRequestIsForwardedWithItsContentLength() throws Exception {
        start(Script.ok("ok"));
        try (RawClient c = proxy.client("http")) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
            assertThat(c.readResponse().status()).isEqualTo(200);
        }
        assertThat(server.awaitRequests(1, WAIT).getFirst().header("Content-Length")).isEqualTo("0");
    }

    @Test
    void earlyHintsAreForwardedBeforeTheFinalResponse() throws Exception {
        start(Script.always(Reply.raw("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody")));
        try (RawClient c = proxy.client("http")) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response hints = c.readResponse();
            assertThat(hints.status()).isEqualTo(103);
            assertThat(hints.header("Link")).isEqualTo("</style.css>; rel=preload");
            RawClient.Response last = c.readResponse();
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.bodyText()).isEqualTo("body");
        }
    }

    @Test
    void interimResponsesAreNotSentToAnHttp10Client() throws Exception {
        start(Script.always(Reply.raw("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody")));
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET / HTTP/1.0\r\n\r\n").readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("body");
        }
    }

    @Test
    void responseWhoseTransferCodingIsNotChunkedIsDelimitedByClose() throws Exception {
        start(Script.always(Reply.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\n"
                + "abcdef").thenClose()));
        try (RawClient c = proxy.client("http")) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            String text = new String(c.readUntilClosed(), StandardCharsets.ISO_8859_1);
            assertThat(text).doesNotContainIgnoringCase("content-length").endsWith("\r\n\r\nabcdef");
            assertThat(text.toLowerCase()).contains("connection: close");
        }
    }

    @Test
    void headResponseWithChunkedFramingHasNoBody() throws Exception {
        start(r -> r.method().equals("HEAD")
                ? Reply.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                : Reply.ok("after"));
        try (RawClient c = proxy.client("http")) {
            RawClient.Response head = c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n").readResponseWithoutBody();
            assertThat(head.status()).isEqualTo(200);
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().bodyText()).isEqualTo("after");
        }
    }

    @Test
    void serverAnsweringBeforeTheRequestBodyEndsIsRelayedAndTheConnectionClosed() throws Exception {
        start(FakeServer.builder().readBodies(false).script(r -> Reply.raw(
                "HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\nConnection: close\r\n\r\ntoo much").thenClose()));
        try (RawClient c = proxy.client("http")) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\nfirst bytes");
            RawClient.Response r = c.readResponse();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.bodyText()).isEqualTo("too much");
            assertThat(r.saysClose()).as("the rest of the body can't be framed any more").isTrue();
            assertThat(c.isClosed()).isTrue();
        }
    }
}
