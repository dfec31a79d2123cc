package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The responses the proxy itself sends (HAProxy's errorfiles): a short plain-text body, the frontend's configured
 * response headers, and {@code Connection: close}, since after a refusal the connection's framing can't be trusted.
 * Built once per frontend; sending one costs a duplicate, not a render. The 429 of a rate limit carries a
 * {@code Retry-After} that differs per answer: it is written from a prebuilt head and tail around the number.
 */
final class ErrorResponses {
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(400, "Bad Request"), Map.entry(405, "Method Not Allowed"), Map.entry(408, "Request Timeout"),
            Map.entry(414, "URI Too Long"), Map.entry(429, "Too Many Requests"),
            Map.entry(431, "Request Header Fields Too Large"), Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"), Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"), Map.entry(505, "HTTP Version Not Supported"));

    private static final Map<Integer, String> BODIES = Map.ofEntries(
            Map.entry(400, "Your browser sent a request that this server could not understand."),
            Map.entry(405, "This method is not supported here."),
            Map.entry(408, "The request took too long to arrive."),
            Map.entry(414, "The request line is too long."),
            Map.entry(429, "Too many requests; slow down."),
            Map.entry(431, "The request headers are too large."),
            Map.entry(500, "An internal error occurred."),
            Map.entry(501, "Not implemented."),
            Map.entry(502, "The server returned an invalid or incomplete response."),
            Map.entry(503, "No server is available to handle this request."),
            Map.entry(504, "The server didn't respond in time."),
            Map.entry(505, "Only HTTP/1.0 and HTTP/1.1 are supported."));

    private final Map<Integer, ByteBuf> responses = new HashMap<>();
    /** The same responses without their body, for HEAD requests (RFC 9110 §9.3.2). */
    private final Map<Integer, ByteBuf> heads = new HashMap<>();
    /** The 429's head up to the {@code Retry-After} value, and what follows it, with and without the body. */
    private final byte[] limitedHead;
    private final byte[] limitedTail;
    private final byte[] limitedTailNoBody;

    ErrorResponses(Map<String, String> responseHeaders) {
        for (var e : REASONS.entrySet()) {
            int status = e.getKey();
            String body = status + " " + e.getValue() + "\n" + BODIES.get(status) + "\n";
            StringBuilder head = new StringBuilder()
                    .append("HTTP/1.1 ").append(status).append(' ').append(e.getValue()).append("\r\n")
                    .append("Content-Type: text/plain; charset=utf-8\r\n")
                    .append("Content-Length: ").append(body.length()).append("\r\n")
                    .append("Cache-Control: no-cache\r\n");
            responseHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Connection: close\r\n\r\n");
            responses.put(status, constant(head + body));
            heads.put(status, constant(head.toString()));
        }
        String h = new String(bytes(responses.get(429)), StandardCharsets.ISO_8859_1);
        int end = h.indexOf("\r\n\r\n") + 2; // after the last header line
        limitedHead = (h.substring(0, end) + "Retry-After: ").getBytes(StandardCharsets.ISO_8859_1);
        limitedTail = ("\r\n" + h.substring(end)).getBytes(StandardCharsets.ISO_8859_1);
        limitedTailNoBody = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    /**
     * 429 Too Many Requests with {@code Retry-After: seconds} (RFC 6585 §4, RFC 9110 §10.2.3), in a buffer of
     * {@code alloc}; without the body for a HEAD request.
     */
    ByteBuf tooManyRequests(ByteBufAllocator alloc, long retryAfterSeconds, boolean head) {
        byte[] tail = head ? limitedTailNoBody : limitedTail;
        ByteBuf b = alloc.directBuffer(limitedHead.length + 20 + tail.length);
        b.writeBytes(limitedHead);
        writeDigits(b, Math.max(1, retryAfterSeconds));
        return b.writeBytes(tail);
    }

    /** Decimal digits of a positive number, without making a String. */
    private static void writeDigits(ByteBuf b, long n) {
        long div = 1;
        while (n / div >= 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            b.writeByte((int) ('0' + n / div % 10));
        }
    }

    private static ByteBuf constant(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes).asReadOnly());
    }

    /** A fresh duplicate of the response for {@code status} (500 if unknown), ready to write. */
    ByteBuf get(int status) {
        ByteBuf b = responses.get(status);
        return (b == null ? responses.get(500) : b).duplicate();
    }

    /** As {@link #get}, without the body: the answer to a HEAD request. */
    ByteBuf head(int status) {
        ByteBuf b = heads.get(status);
        return (b == null ? heads.get(500) : b).duplicate();
    }

    static String reason(int status) {
        return REASONS.getOrDefault(status, "Error");
    }
}
