package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the heads the proxy forwards, straight from the parsed bytes, dropping hop-by-hop fields
 * (RFC 9110 §7.6.1: Connection, the fields it names, Keep-Alive, Proxy-Connection, TE, Upgrade unless a WebSocket
 * upgrade is under way) and normalising a request's framing (one canonical Content-Length, or one Transfer-Encoding
 * field ending in lower-case chunked).
 *
 * <p>Hazard: a request's framing fields (Transfer-Encoding, Content-Length, Host) and Expect are never dropped because
 * Connection names them: a client that sends {@code Connection: transfer-encoding} would otherwise have its chunked
 * body read by the server as further requests. docs/security.md lists every field dropped or rewritten here and why
 * the server still frames each request as the client did.
 */
final class HeadWriter {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] COLON_SP = {':', ' '};
    private static final byte[] HTTP11 = HttpChars.ascii(" HTTP/1.1\r\n");
    private static final byte[] HTTP10 = HttpChars.ascii(" HTTP/1.0\r\n");
    private static final byte[] STATUS11 = HttpChars.ascii("HTTP/1.1 ");
    private static final byte[] CONTENT_LENGTH = HttpChars.ascii("Content-Length: ");
    private static final byte[] TRANSFER_ENCODING = HttpChars.ascii("Transfer-Encoding: ");
    private static final byte[] CHUNKED = HttpChars.ascii("chunked");
    private static final byte[] LIST_SEP = HttpChars.ascii(", ");
    private static final byte[] XFF = HttpChars.ascii("X-Forwarded-For: ");
    private static final byte[] HOST = HttpChars.ascii("Host: ");
    private static final byte[] UPGRADE_WS = HttpChars.ascii("Connection: upgrade\r\nUpgrade: websocket\r\n");
    private static final byte[] CONN_KEEP_ALIVE = HttpChars.ascii("Connection: keep-alive\r\n");
    private static final byte[] CONN_CLOSE = HttpChars.ascii("Connection: close\r\n");

    /** Per-frontend precomputed pieces of the response rewrite. */
    static final class ResponseRewrite {
        final byte[] setHeaders;
        final byte[][] overriddenNames;

        ResponseRewrite(Map<String, String> responseHeaders) {
            StringBuilder sb = new StringBuilder();
            responseHeaders.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            setHeaders = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            overriddenNames = responseHeaders.keySet().stream()
                    .map(k -> HttpChars.ascii(k.toLowerCase(Locale.ROOT))).toArray(byte[][]::new);
        }

        boolean overrides(ByteBuf buf, int start, int end) {
            for (byte[] n : overriddenNames) {
                if (HttpChars.equalsIgnoreCase(buf, start, end, n)) {
                    return true;
                }
            }
            return false;
        }
    }

    private HeadWriter() {
    }

    /**
     * The request head for the server. HTTP/1.1 goes on as HTTP/1.1; HTTP/1.0 goes on as HTTP/1.0 asking for
     * keep-alive, so the server never answers it with chunked framing it couldn't pass back.
     *
     * @param forwarded what to drop and add of the forwarded fields, as {@link ForwardedHeaders} decided
     */
    static ByteBuf request(ByteBufAllocator alloc, RequestHead req, ByteBuf buf, int base,
                           ForwardedHeaders.Plan forwarded) {
        boolean ws = req.webSocketUpgrade();
        ByteBuf out = alloc.directBuffer(req.headLength() + 128);
        out.writeBytes(buf, base + req.methodStart, req.methodEnd - req.methodStart);
        out.writeByte(' ');
        boolean absolute = req.authorityStart >= 0;
        if (absolute) {
            writeOriginForm(out, req, buf, base);
        } else {
            out.writeBytes(buf, base + req.targetStart, req.targetEnd - req.targetStart);
        }
        out.writeBytes(req.version == RequestHead.HTTP_1_1 ? HTTP11 : HTTP10);
        for (int i = 0; i < req.headerCount; i++) {
            byte k = req.kind[i];
            switch (k) {
                // Framing is written once, canonically, after the other fields.
                case HeadParser.CONNECTION, HeadParser.KEEP_ALIVE, HeadParser.PROXY_CONNECTION, HeadParser.TE,
                     HeadParser.UPGRADE, HeadParser.CONTENT_LENGTH, HeadParser.TRANSFER_ENCODING -> {
                    continue;
                }
                case HeadParser.X_FORWARDED_PROTO -> {
                    if (forwarded.protoLine != null) {
                        continue;
                    }
                }
                case HeadParser.HOST -> {
                    if (absolute) {
                        continue;
                    }
                }
                case HeadParser.EXPECT -> {
                    // Kept even when Connection names it, as Host above and the framing below: the server must
                    // frame the body exactly as we did, and know that the client waits for a 100 (HAProxy 2.6 keeps
                    // them too). docs/security.md, "Request framing and smuggling".
                }
                default -> {
                    if (req.connectionNominated != null && req.nominatedByConnection(buf, base, i)) {
                        continue;
                    }
                    if (forwarded.dropClientAddressFields && ForwardedHeaders.isClientAddressField(buf,
                            base + req.nameStart[i], base + req.nameEnd[i])) {
                        continue;
                    }
                }
            }
            writeField(out, buf, base, req, i);
        }
        if (absolute) {
            out.writeBytes(HOST).writeBytes(buf, base + req.authorityStart, req.authorityEnd - req.authorityStart)
                    .writeBytes(CRLF);
        }
        if (req.transferEncoding) {
            writeTransferEncoding(out, req, buf, base);
        } else if (req.contentLength >= 0) {
            out.writeBytes(CONTENT_LENGTH);
            writeDecimal(out, req.contentLength);
            out.writeBytes(CRLF);
        }
        if (forwarded.forwardedFor != null) {
            out.writeBytes(XFF).writeBytes(forwarded.forwardedFor).writeBytes(CRLF);
        }
        if (forwarded.protoLine != null) {
            out.writeBytes(forwarded.protoLine);
        }
        if (ws) {
            out.writeBytes(UPGRADE_WS);
        } else if (req.version == RequestHead.HTTP_1_0) {
            out.writeBytes(CONN_KEEP_ALIVE);
        }
        out.writeBytes(CRLF);
        return out;
    }

    /**
     * The response head for the client.
     *
     * @param rewrite     the frontend's header settings, or null for none (1xx responses)
     * @param dechunk     the body is being de-chunked for an HTTP/1.0 client: drop Transfer-Encoding
     * @param tunnel      a 101 to a WebSocket upgrade: say so in Connection/Upgrade
     * @param close       the client connection closes after this response
     * @param keepAlive10 an HTTP/1.0 client asked for keep-alive and gets it
     */
    static ByteBuf response(ByteBufAllocator alloc, ResponseHead res, ByteBuf buf, int base, ResponseRewrite rewrite,
                            boolean dechunk, boolean tunnel, boolean close, boolean keepAlive10) {
        ByteBuf out = alloc.directBuffer(res.headLength() + 64 + (rewrite == null ? 0 : rewrite.setHeaders.length));
        out.writeBytes(STATUS11);
        writeDecimal(out, res.status);
        out.writeByte(' ');
        out.writeBytes(buf, base + res.reasonStart, res.reasonEnd - res.reasonStart);
        out.writeBytes(CRLF);
        for (int i = 0; i < res.headerCount; i++) {
            byte k = res.kind[i];
            switch (k) {
                case HeadParser.CONNECTION, HeadParser.KEEP_ALIVE, HeadParser.PROXY_CONNECTION, HeadParser.TE,
                     HeadParser.UPGRADE -> {
                    continue;
                }
                case HeadParser.CONTENT_LENGTH -> {
                    if (res.chunked || res.transferEncoding) {
                        continue;
                    }
                }
                case HeadParser.TRANSFER_ENCODING -> {
                    if (dechunk) {
                        continue;
                    }
                }
                default -> {
                    if (res.connectionNominated != null && res.nominatedByConnection(buf, base, i)) {
                        continue;
                    }
                    if (rewrite != null && rewrite.overriddenNames.length > 0
                            && rewrite.overrides(buf, base + res.nameStart[i], base + res.nameEnd[i])) {
                        continue;
                    }
                }
            }
            writeField(out, buf, base, res, i);
        }
        if (rewrite != null) {
            out.writeBytes(rewrite.setHeaders);
        }
        if (tunnel) {
            out.writeBytes(UPGRADE_WS);
        } else if (close) {
            out.writeBytes(CONN_CLOSE);
        } else if (keepAlive10) {
            out.writeBytes(CONN_KEEP_ALIVE);
        }
        out.writeBytes(CRLF);
        return out;
    }

    /**
     * The target of an absolute-form request in origin-form (RFC 9112 §3.2.2): the path and query as sent, "/" when
     * the path is empty, and "*" for an OPTIONS with neither path nor query (§3.2.4).
     */
    private static void writeOriginForm(ByteBuf out, RequestHead req, ByteBuf buf, int base) {
        int len = req.targetEnd - req.targetStart;
        if (len == 0 && req.options) {
            out.writeByte('*');
            return;
        }
        if (len == 0 || buf.getByte(base + req.targetStart) != '/') {
            out.writeByte('/'); // "http://host?q" is "/?q" on the host
        }
        out.writeBytes(buf, base + req.targetStart, len);
    }

    /**
     * Every Transfer-Encoding field of the request as one field, the codings in order, separated by ", ", and the
     * final chunked in lower case. The parser has checked that the list is well formed and ends in chunked; writing
     * it as one canonical field leaves no room for a server that reads only the first field, or compares "chunked"
     * case-sensitively, to frame the body differently from us.
     */
    private static void writeTransferEncoding(ByteBuf out, RequestHead req, ByteBuf buf, int base) {
        out.writeBytes(TRANSFER_ENCODING);
        boolean first = true;
        for (int i = 0; i < req.headerCount; i++) {
            if (req.kind[i] != HeadParser.TRANSFER_ENCODING) {
                continue;
            }
            int end = base + req.valueEnd[i];
            int p = base + req.valueStart[i];
            while (p < end) {
                int comma = p;
                while (comma < end && buf.getByte(comma) != ',') {
                    comma++;
                }
                int ts = p;
                int te = comma;
                while (ts < te && isOws(buf.getByte(ts))) {
                    ts++;
                }
                while (te > ts && isOws(buf.getByte(te - 1))) {
                    te--;
                }
                if (!first) {
                    out.writeBytes(LIST_SEP);
                }
                first = false;
                if (HttpChars.equalsIgnoreCase(buf, ts, te, CHUNKED)) {
                    out.writeBytes(CHUNKED);
                } else {
                    out.writeBytes(buf, ts, te - ts);
                }
                p = comma + 1;
            }
        }
        out.writeBytes(CRLF);
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    private static void writeField(ByteBuf out, ByteBuf buf, int base, HeadParser h, int i) {
        out.writeBytes(buf, base + h.nameStart[i], h.nameEnd[i] - h.nameStart[i]);
        out.writeBytes(COLON_SP);
        out.writeBytes(buf, base + h.valueStart[i], h.valueEnd[i] - h.valueStart[i]);
        out.writeBytes(CRLF);
    }

    static void writeDecimal(ByteBuf out, long v) {
        if (v == 0) {
            out.writeByte('0');
            return;
        }
        int start = out.writerIndex();
        while (v > 0) {
            out.writeByte((int) ('0' + v % 10));
            v /= 10;
        }
        // reverse the digits in place
        int end = out.writerIndex() - 1;
        for (int i = start; i < end; i++, end--) {
            byte t = out.getByte(i);
            out.setByte(i, out.getByte(end));
            out.setByte(end, t);
        }
    }
}
