package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BodyFramer} directly on buffers, one behaviour per case: where a body ends (so where the next message
 * starts), what goes on to the sink, and which chunked framing is refused. The pass-through cases are the point for
 * smuggling: every byte forwarded was checked, and nothing after the end of the body is forwarded as body.
 */
class BodyFramerTest {
    /** Collects what the framer hands on, releasing the slices as a real sink would pass them on. */
    private static final class Collected implements BodyFramer.Sink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void body(ByteBuf data) {
            byte[] b = new byte[data.readableBytes()];
            data.readBytes(b);
            data.release();
            bytes.writeBytes(b);
        }

        String text() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static String rest(ByteBuf in) {
        return in.toString(StandardCharsets.ISO_8859_1);
    }

    private static BodyFramer chunked(boolean dechunk) {
        BodyFramer f = new BodyFramer(400, "request");
        f.chunked(dechunk);
        return f;
    }

    // ---------------------------------------------------------------- Content-Length

    @Test
    void lengthBodyEndsAfterExactlyItsLengthAndLeavesTheNextMessage() throws HttpError {
        BodyFramer f = new BodyFramer(400, "request");
        f.length(5);
        Collected out = new Collected();
        ByteBuf in = buf("helloGET / HTTP/1.1\r\n");
        assertThat(f.feed(in, out)).isTrue();
        assertThat(out.text()).isEqualTo("hello");
        assertThat(rest(in)).isEqualTo("GET / HTTP/1.1\r\n");
        assertThat(f.total()).isEqualTo(5);
        in.release();
    }

    @Test
    void lengthBodyInPiecesIsDoneWithTheLastByte() throws HttpError {
        BodyFramer f = new BodyFramer(400, "request");
        f.length(5);
        Collected out = new Collected();
        for (String piece : new String[] {"he", "ll"}) {
            ByteBuf in = buf(piece);
            assertThat(f.feed(in, out)).isFalse();
            in.release();
        }
        assertThat(f.closeEndsBody()).as("a close now would truncate the body").isFalse();
        ByteBuf in = buf("o");
        assertThat(f.feed(in, out)).isTrue();
        in.release();
        assertThat(out.text()).isEqualTo("hello");
    }

    @Test
    void zeroLengthAndNoBodyAreDoneAtOnceAndTakeNothing() throws HttpError {
        BodyFramer f = new BodyFramer(400, "request");
        Collected out = new Collected();
        ByteBuf in = buf("GET /");
        f.length(0);
        assertThat(f.done()).isTrue();
        assertThat(f.feed(in, out)).isTrue();
        f.none();
        assertThat(f.feed(in, out)).isTrue();
        assertThat(rest(in)).isEqualTo("GET /");
        assertThat(out.text()).isEmpty();
        in.release();
    }

    @Test
    void untilCloseTakesEverythingAndOnlyACloseEndsIt() throws HttpError {
        BodyFramer f = new BodyFramer(502, "response");
        f.untilClose();
        Collected out = new Collected();
        ByteBuf in = buf("HTTP/1.1 200 OK\r\n\r\n");
        assertThat(f.feed(in, out)).isFalse();
        in.release();
        assertThat(out.text()).isEqualTo("HTTP/1.1 200 OK\r\n\r\n");
        assertThat(f.closeEndsBody()).isTrue();
        assertThat(f.done()).isTrue();
    }

    // ---------------------------------------------------------------- chunked, accepted

    static Stream<Arguments> validChunked() {
        return Stream.of(
                arguments("one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("empty body", "0\r\n\r\n", ""),
                arguments("upper and lower hex", "A\r\n0123456789\r\nb\r\n0123456789a\r\n0\r\n\r\n", "01234567890123456789a"),
                arguments("leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello"),
                arguments("15 hex digits of zeros and a size", "000000000000005\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("extension", "5;name=value\r\nhello\r\n0;x\r\n\r\n", "hello"),
                arguments("quoted extension", "5;n=\"a b;c\"\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("whitespace before an extension", "5 \t;n\r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("whitespace after the size", "5 \r\nhello\r\n0\r\n\r\n", "hello"),
                arguments("trailers", "5\r\nhello\r\n0\r\nX-A: 1\r\nX-B:\r\n\r\n", "hello"),
                arguments("CRLF inside chunk data", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n"),
                arguments("a request inside chunk data", "11\r\nGET /x HTTP/1.1\r\n\r\n0\r\n\r\n", "GET /x HTTP/1.1\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validChunked")
    void chunkedBodyPassesThroughExactlyAndStopsAtItsEnd(String what, String body, String data) throws HttpError {
        BodyFramer f = chunked(false);
        Collected out = new Collected();
        ByteBuf in = buf(body + "GET /next HTTP/1.1\r\n");
        assertThat(f.feed(in, out)).isTrue();
        assertThat(out.text()).as("forwarded as received, framing included").isEqualTo(body);
        assertThat(rest(in)).as("the next message").isEqualTo("GET /next HTTP/1.1\r\n");
        assertThat(f.total()).isEqualTo(body.length());
        in.release();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validChunked")
    void chunkedBodyDechunkedHandsOnOnlyTheData(String what, String body, String data) throws HttpError {
        BodyFramer f = chunked(true);
        Collected out = new Collected();
        ByteBuf in = buf(body);
        assertThat(f.feed(in, out)).isTrue();
        assertThat(out.text()).isEqualTo(data);
        in.release();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validChunked")
    void chunkedBodyFedOneByteAtATimeEndsWithItsLastByte(String what, String body, String data) throws HttpError {
        BodyFramer f = chunked(false);
        Collected out = new Collected();
        for (int i = 0; i < body.length(); i++) {
            ByteBuf in = buf(body.substring(i, i + 1));
            assertThat(f.feed(in, out)).as("done after byte %d of %d", i + 1, body.length())
                    .isEqualTo(i == body.length() - 1);
            assertThat(in.isReadable()).isFalse();
            in.release();
        }
        assertThat(out.text()).isEqualTo(body);
    }

    @Test
    void fifteenHexDigitsIsTheLargestChunkSizeAndDoesNotOverflow() throws HttpError {
        BodyFramer f = chunked(false);
        Collected out = new Collected();
        ByteBuf in = buf("fffffffffffffff\r\nabc");
        assertThat(f.feed(in, out)).isFalse();
        assertThat(out.text()).isEqualTo("fffffffffffffff\r\nabc");
        assertThat(f.closeEndsBody()).isFalse();
        in.release();
    }

    // ---------------------------------------------------------------- chunked, refused

    static Stream<Arguments> invalidChunked() {
        return Stream.of(
                arguments("no size", "\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                arguments("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                arguments("negative size", "-5\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                arguments("plus sign", "+5\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                arguments("space before the size", " 5\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                arguments("non-hex digit", "5g\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                arguments("16 hex digits", "0000000000000005\r\nhello\r\n0\r\n\r\n", "chunk size too large"),
                arguments("2^64 wraps to zero elsewhere", "10000000000000000\r\n\r\n", "chunk size too large"),
                arguments("text after the size without ';'", "5 x\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                arguments("bare LF after the size", "5\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                arguments("bare CR after the size", "5\rhello\r\n0\r\n\r\n", "bare CR"),
                arguments("LF in an extension", "5;a\nb\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                arguments("NUL in an extension", "5;a\u0000\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                arguments("extension over 8 KiB", "5;" + "a".repeat(8200) + "\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                arguments("data longer than its size", "5\r\nhelloX\r\n0\r\n\r\n", "longer than its size"),
                arguments("bare LF after data", "5\r\nhello\n0\r\n\r\n", "longer than its size"),
                arguments("bare CR after data", "5\r\nhello\rX0\r\n\r\n", "bare CR after chunk data"),
                arguments("folded trailer", "0\r\nX-A: 1\r\n b\r\n\r\n", "folding"),
                arguments("trailer without a colon", "0\r\nX-A\r\n\r\n", "invalid trailer field"),
                arguments("space in a trailer name", "0\r\nX A: 1\r\n\r\n", "invalid trailer field"),
                arguments("trailer starting with a colon", "0\r\n: 1\r\n\r\n", "invalid trailer field"),
                arguments("control character in a trailer", "0\r\nX-A: \u0001\r\n\r\n", "control character"),
                arguments("bare LF in a trailer", "0\r\nX-A: 1\nX-B: 2\r\n\r\n", "control character"),
                arguments("trailers over 8 KiB", "0\r\n" + ("X-A: " + "b".repeat(1000) + "\r\n").repeat(9) + "\r\n",
                        "trailer section too large"),
                arguments("bare LF ends the body", "0\r\n\n", "invalid trailer field"),
                arguments("bare CR ends the body", "0\r\n\rX", "bare CR at the end"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidChunked")
    void invalidChunkedFramingIsRefused(String what, String body, String reason) {
        BodyFramer f = chunked(false);
        ByteBuf in = buf(body);
        try {
            assertThatThrownBy(() -> f.feed(in, new Collected()))
                    .isInstanceOfSatisfying(HttpError.class, e -> {
                        assertThat(e.status).isEqualTo(400);
                        assertThat(e.getMessage()).contains(reason).endsWith("in the request body");
                    });
        } finally {
            in.release();
        }
    }

    @Test
    void aResponseFramerRefusesWithABadGateway() {
        BodyFramer f = new BodyFramer(502, "response");
        f.chunked(false);
        ByteBuf in = buf("zz\r\n");
        try {
            assertThatThrownBy(() -> f.feed(in, new Collected()))
                    .isInstanceOfSatisfying(HttpError.class, e -> {
                        assertThat(e.status).isEqualTo(502);
                        assertThat(e.getMessage()).isEqualTo("invalid chunk size in the response body");
                    });
        } finally {
            in.release();
        }
    }

    @Test
    void aFramerIsReusedForTheNextBodyFromAClearState() throws HttpError {
        BodyFramer f = chunked(false);
        ByteBuf first = buf("5;ext\r\nhel");
        assertThat(f.feed(first, new Collected())).isFalse();
        first.release();
        f.chunked(false); // the next message, e.g. after the first was cut off
        Collected out = new Collected();
        ByteBuf second = buf("3\r\nabc\r\n0\r\n\r\n");
        assertThat(f.feed(second, out)).isTrue();
        second.release();
        assertThat(out.text()).isEqualTo("3\r\nabc\r\n0\r\n\r\n");
        assertThat(f.total()).isEqualTo(out.text().length());
    }
}
