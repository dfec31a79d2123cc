package org.fossinfra.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fixtures checked against each other, without a proxy: what the scenario tests rely on them for. */
class FakeServerTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void keepAliveTrafficIsSplitIntoRequestsByContentLengthAndChunkedFraming() throws Exception {
        try (FakeServer s = FakeServer.start(r -> Reply.ok(r.target() + ":" + r.bodyText()));
             RawClient c = RawClient.connect(s.port())) {
            c.send("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcPOST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2;x=1\r\nde\r\n1\r\nf\r\n0\r\nT: 1\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
            assertThat(c.readResponse().bodyText()).isEqualTo("/a:abc");
            assertThat(c.readResponse().bodyText()).isEqualTo("/b:def");
            assertThat(c.readResponse().bodyText()).isEqualTo("/c:");
            FakeServer.Request chunked = s.awaitRequests(3, WAIT).get(1);
            assertThat(new String(chunked.rawBody(), StandardCharsets.ISO_8859_1))
                    .isEqualTo("2;x=1\r\nde\r\n1\r\nf\r\n0\r\nT: 1\r\n\r\n");
            assertThat(chunked.bodyLength()).isEqualTo(3);
            assertThat(s.requests()).extracting(FakeServer.Request::index).containsExactly(0, 1, 2);
            assertThat(s.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void everyByteReceivedIsRecordedPerConnectionEvenWithoutACompleteRequest() throws Exception {
        try (FakeServer s = FakeServer.start(Script.ok("x"))) {
            try (RawClient c1 = RawClient.connect(s.port()); RawClient c2 = RawClient.connect(s.port())) {
                c1.send("GET / HTTP/1.1\r\n\r\n");
                c1.readResponse();
                s.awaitConnections(2, WAIT);
                c2.send("partial head");
                Eventually.until(WAIT, "bytes on the second connection", () -> s.received().size() == 2
                        && s.received().get(1).length == "partial head".length());
            }
            assertThat(s.receivedTexts()).containsExactly("GET / HTTP/1.1\r\n\r\n", "partial head");
            assertThat(s.requestCount()).isEqualTo(1);
            assertThat(s.bytesReceived()).isEqualTo(18 + 12);
            assertThatThrownBy(() -> s.assertNothingReceived(Duration.ZERO)).isInstanceOf(AssertionError.class);
        }
    }

    @Test
    void resetReachesTheClientAsAReset() throws Exception {
        try (FakeServer s = FakeServer.start(Script.always(Reply.reset()));
             RawClient c = RawClient.connect(s.port())) {
            c.send("GET / HTTP/1.1\r\n\r\n");
            assertThat(c.isClosed()).isTrue();
            assertThat(c.wasReset()).isTrue();
        }
    }

    @Test
    void closeReachesTheClientAsAFin() throws Exception {
        try (FakeServer s = FakeServer.start(Script.always(Reply.close()));
             RawClient c = RawClient.connect(s.port())) {
            c.send("GET / HTTP/1.1\r\n\r\n");
            assertThat(c.isClosed()).isTrue();
            assertThat(c.wasReset()).isFalse();
        }
    }

    @Test
    void rawClientReadsChunkedAndCloseDelimitedBodies() throws Exception {
        try (FakeServer s = FakeServer.start(Script.sequence(
                Reply.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
                Reply.raw("HTTP/1.1 200 OK\r\n\r\nto the end").thenClose()));
             RawClient c = RawClient.connect(s.port())) {
            RawClient.Response chunked = c.send("GET /1 HTTP/1.1\r\n\r\n").readResponse();
            assertThat(chunked.bodyText()).isEqualTo("abc");
            assertThat(chunked.rawText()).endsWith("\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertThat(c.send("GET /2 HTTP/1.1\r\n\r\n").readResponse().bodyText()).isEqualTo("to the end");
        }
    }

    @Test
    void silenceIsATimeoutAssertionNotAHang() throws Exception {
        try (FakeServer s = FakeServer.start(Script.always(Reply.never()));
             RawClient c = RawClient.connect(s.port()).timeout(Duration.ofMillis(200))) {
            c.send("GET / HTTP/1.1\r\n\r\n");
            long start = System.nanoTime();
            assertThatThrownBy(c::readResponse).isInstanceOf(AssertionError.class).hasMessageContaining("timed out");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
            assertThat(c.staysOpenFor(Duration.ofMillis(100))).isTrue();
            assertThatThrownBy(() -> s.awaitRequests(2, Duration.ofMillis(100))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("2 request(s)");
        }
    }

    @Test
    void gateHoldsTheReplyUntilOpened() throws Exception {
        Gate gate = new Gate();
        try (FakeServer s = FakeServer.start(Script.always(Reply.await(gate, Reply.ok("late"))));
             RawClient c = RawClient.connect(s.port()).timeout(Duration.ofMillis(200))) {
            c.send("GET / HTTP/1.1\r\n\r\n");
            assertThatThrownBy(c::readResponse).isInstanceOf(AssertionError.class);
            gate.open();
            assertThat(c.timeout(WAIT).readResponse().bodyText()).isEqualTo("late");
        }
    }
}
