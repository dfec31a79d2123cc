package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental, strict parser of an HTTP/1.1 message head (RFC 9112 §2–§6), shared by requests and responses.
 *
 * <p>The head is parsed in place in the connection's receive buffer: positions are stored relative to the buffer's
 * reader index, which must stay at the start of the head until {@link #headLength()} bytes are consumed. Nothing is
 * copied and no header objects are allocated; the forwarded head is later written straight from these bytes.
 *
 * <p>Strictness is the point (request smuggling lives in the gaps between two parsers' leniencies): bare LF or CR,
 * obsolete line folding, whitespace before the colon, control characters in values, conflicting Content-Length,
 * Content-Length with Transfer-Encoding, and any Transfer-Encoding whose final coding isn't chunked are refused.
 * Subclasses decide what a refusal means: 400 toward a client, 502 toward a server.
 */
abstract class HeadParser {
    static final int NEED_MORE = 0;
    static final int DONE = 1;

    // Header kinds, recognised once while parsing so that writers never compare names again.
    static final byte OTHER = 0;
    static final byte CONTENT_LENGTH = 1;
    static final byte TRANSFER_ENCODING = 2;
    static final byte HOST = 3;
    static final byte CONNECTION = 4;
    static final byte KEEP_ALIVE = 5;
    static final byte PROXY_CONNECTION = 6;
    static final byte TE = 7;
    static final byte TRAILER = 8;
    static final byte UPGRADE = 9;
    static final byte X_FORWARDED_PROTO = 10;
    static final byte EXPECT = 11;

    private static final byte[][] KIND_NAMES = {
        null, HttpChars.ascii("content-length"), HttpChars.ascii("transfer-encoding"), HttpChars.ascii("host"),
        HttpChars.ascii("connection"), HttpChars.ascii("keep-alive"), HttpChars.ascii("proxy-connection"),
        HttpChars.ascii("te"), HttpChars.ascii("trailer"), HttpChars.ascii("upgrade"),
        HttpChars.ascii("x-forwarded-proto"), HttpChars.ascii("expect"),
    };

    private final int maxFirstLine;
    private final int maxHeadBytes;
    private final int maxHeaders;

    // Parse progress, relative to the head start.
    private int scanPos;
    private int lineStart;
    boolean firstLineDone;
    private int headLength;

    // Header table.
    int headerCount;
    int[] nameStart = new int[16];
    int[] nameEnd = new int[16];
    int[] valueStart = new int[16];
    int[] valueEnd = new int[16];
    byte[] kind = new byte[16];

    // Framing and connection semantics, derived while parsing.
    long contentLength;
    boolean chunked;
    boolean transferEncoding;
    boolean connectionClose;
    boolean connectionKeepAlive;
    boolean connectionUpgrade;
    boolean upgradeWebSocket;
    int hostCount;
    int hostIndex;
    /** Lower-case names listed in Connection that aren't its own options: hop-by-hop by declaration (RFC 9110 §7.6.1). */
    List<String> connectionNominated;

    HeadParser(int maxFirstLine, int maxHeadBytes, int maxHeaders) {
        this.maxFirstLine = maxFirstLine;
        this.maxHeadBytes = maxHeadBytes;
        this.maxHeaders = maxHeaders;
        reset();
    }

    void reset() {
        scanPos = 0;
        lineStart = 0;
        firstLineDone = false;
        headLength = 0;
        headerCount = 0;
        contentLength = -1;
        chunked = false;
        transferEncoding = false;
        connectionClose = false;
        connectionKeepAlive = false;
        connectionUpgrade = false;
        upgradeWebSocket = false;
        hostCount = 0;
        hostIndex = -1;
        connectionNominated = null;
    }

    int headLength() {
        return headLength;
    }

    /** Whether any byte of a head has been seen (used to tell a slow request from an idle connection). */
    boolean started() {
        return scanPos > 0 || lineStart > 0;
    }

    /**
     * Parses as much of the head as {@code buf} holds, starting at its reader index.
     *
     * @return {@link #DONE} when the head is complete, {@link #NEED_MORE} otherwise
     */
    final int parse(ByteBuf buf) throws HttpError {
        final int base = buf.readerIndex();
        final int limit = buf.writerIndex();
        while (true) {
            int from = base + scanPos;
            int lf = from < limit ? buf.forEachByte(from, limit - from, ByteProcessor.FIND_LF) : -1;
            if (lf < 0) {
                scanPos = limit - base;
                if (!firstLineDone && scanPos - lineStart > maxFirstLine + 2) {
                    throw firstLineTooLong();
                }
                if (scanPos > maxHeadBytes) {
                    throw headTooLarge();
                }
                return NEED_MORE;
            }
            int lineEnd = lf - base; // position of LF
            if (lineEnd == lineStart || buf.getByte(lf - 1) != '\r') {
                throw framing("bare LF where CRLF is required");
            }
            int contentEnd = lineEnd - 1; // position of CR
            scanPos = lineEnd + 1;
            if (!firstLineDone) {
                if (contentEnd - lineStart > maxFirstLine) {
                    throw firstLineTooLong();
                }
                firstLineDone = firstLine(buf, base, lineStart, contentEnd);
            } else if (contentEnd == lineStart) {
                headLength = scanPos;
                if (headLength > maxHeadBytes) {
                    throw headTooLarge();
                }
                endOfHead(buf, base);
                return DONE;
            } else {
                if (scanPos > maxHeadBytes) {
                    throw headTooLarge();
                }
                headerLine(buf, base, lineStart, contentEnd);
            }
            lineStart = scanPos;
        }
    }

    /**
     * Parses the request or status line, bytes [start, end) relative to base, CRLF excluded.
     *
     * @return false when the line was an ignorable empty line before the request line (RFC 9112 §2.2)
     */
    abstract boolean firstLine(ByteBuf buf, int base, int start, int end) throws HttpError;

    /** Checks the framing once all headers are known. */
    abstract void endOfHead(ByteBuf buf, int base) throws HttpError;

    abstract HttpError framing(String reason);

    abstract HttpError firstLineTooLong();

    abstract HttpError headTooLarge();

    private void headerLine(ByteBuf buf, int base, int start, int end) throws HttpError {
        byte first = buf.getByte(base + start);
        if (first == ' ' || first == '\t') {
            throw framing("obsolete line folding");
        }
        int colon = -1;
        for (int i = start; i < end; i++) {
            byte b = buf.getByte(base + i);
            if (b == ':') {
                colon = i;
                break;
            }
            if (!HttpChars.isTchar(b)) {
                throw framing(b == ' ' || b == '\t' ? "whitespace in a header name" : "invalid character in a header name");
            }
        }
        if (colon <= start) {
            throw framing(colon == start ? "empty header name" : "header line without a colon");
        }
        int vs = colon + 1;
        while (vs < end && isOws(buf.getByte(base + vs))) {
            vs++;
        }
        int ve = end;
        while (ve > vs && isOws(buf.getByte(base + ve - 1))) {
            ve--;
        }
        for (int i = vs; i < ve; i++) {
            if (!HttpChars.isFieldValue(buf.getByte(base + i))) {
                throw framing("control character in a header value");
            }
        }
        if (headerCount == maxHeaders) {
            throw headTooLarge();
        }
        int n = headerCount++;
        if (n == kind.length) {
            grow();
        }
        nameStart[n] = start;
        nameEnd[n] = colon;
        valueStart[n] = vs;
        valueEnd[n] = ve;
        byte k = classify(buf, base + start, base + colon);
        kind[n] = k;
        switch (k) {
            case CONTENT_LENGTH -> contentLength(buf, base + vs, base + ve);
            case TRANSFER_ENCODING -> transferEncoding(buf, base + vs, base + ve);
            case CONNECTION -> connectionTokens(buf, base + vs, base + ve);
            case UPGRADE -> upgradeWebSocket |= containsToken(buf, base + vs, base + ve, "websocket");
            case HOST -> {
                hostCount++;
                hostIndex = n;
            }
            default -> {
            }
        }
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    private static byte classify(ByteBuf buf, int start, int end) {
        int len = end - start;
        int c = HttpChars.lower(buf.getByte(start));
        for (byte k = 1; k < KIND_NAMES.length; k++) {
            byte[] name = KIND_NAMES[k];
            if (name.length == len && name[0] == c && HttpChars.equalsIgnoreCase(buf, start, end, name)) {
                return k;
            }
        }
        return OTHER;
    }

    /** Content-Length = 1*DIGIT; a comma list of identical values is accepted (RFC 9110 §8.6), anything else is refused. */
    private void contentLength(ByteBuf buf, int start, int end) throws HttpError {
        int i = start;
        if (i == end) {
            throw framing("empty Content-Length");
        }
        while (i < end) {
            long v = 0;
            int digits = 0;
            while (i < end) {
                byte b = buf.getByte(i);
                if (b < '0' || b > '9') {
                    break;
                }
                if (++digits > 18) {
                    throw framing("Content-Length too large");
                }
                v = v * 10 + (b - '0');
                i++;
            }
            if (digits == 0) {
                throw framing("Content-Length is not a number");
            }
            if (contentLength >= 0 && contentLength != v) {
                throw framing("differing Content-Length values");
            }
            contentLength = v;
            while (i < end && isOws(buf.getByte(i))) {
                i++;
            }
            if (i < end) {
                if (buf.getByte(i) != ',') {
                    throw framing("Content-Length is not a number");
                }
                i++;
                while (i < end && isOws(buf.getByte(i))) {
                    i++;
                }
                if (i == end) {
                    throw framing("Content-Length is not a number");
                }
            }
        }
    }

    /** Transfer-Encoding: codings in order; chunked must be the final one and appear once (RFC 9112 §6.1). */
    private void transferEncoding(ByteBuf buf, int start, int end) throws HttpError {
        transferEncoding = true;
        int i = start;
        while (i <= end) {
            int comma = i;
            while (comma < end && buf.getByte(comma) != ',') {
                comma++;
            }
            int ts = i;
            int te = comma;
            while (ts < te && isOws(buf.getByte(ts))) {
                ts++;
            }
            while (te > ts && isOws(buf.getByte(te - 1))) {
                te--;
            }
            if (ts == te) {
                throw framing("empty transfer coding");
            }
            for (int j = ts; j < te; j++) {
                if (!HttpChars.isTchar(buf.getByte(j))) {
                    throw framing("invalid transfer coding");
                }
            }
            if (chunked) {
                throw framing("a transfer coding after chunked");
            }
            if (HttpChars.equalsIgnoreCase(buf, ts, te, CHUNKED)) {
                chunked = true;
            }
            i = comma + 1;
        }
    }

    private static final byte[] CHUNKED = HttpChars.ascii("chunked");

    private void connectionTokens(ByteBuf buf, int start, int end) {
        int i = start;
        while (i < end) {
            int comma = i;
            while (comma < end && buf.getByte(comma) != ',') {
                comma++;
            }
            int ts = i;
            int te = comma;
            while (ts < te && isOws(buf.getByte(ts))) {
                ts++;
            }
            while (te > ts && isOws(buf.getByte(te - 1))) {
                te--;
            }
            if (te > ts) {
                if (HttpChars.equalsIgnoreCase(buf, ts, te, CLOSE)) {
                    connectionClose = true;
                } else if (HttpChars.equalsIgnoreCase(buf, ts, te, KEEP_ALIVE_TOKEN)) {
                    connectionKeepAlive = true;
                } else if (HttpChars.equalsIgnoreCase(buf, ts, te, UPGRADE_TOKEN)) {
                    connectionUpgrade = true;
                } else {
                    if (connectionNominated == null) {
                        connectionNominated = new ArrayList<>(2);
                    }
                    connectionNominated.add(buf.toString(ts, te - ts, java.nio.charset.StandardCharsets.ISO_8859_1)
                            .toLowerCase(java.util.Locale.ROOT));
                }
            }
            i = comma + 1;
        }
    }

    private static final byte[] CLOSE = HttpChars.ascii("close");
    private static final byte[] KEEP_ALIVE_TOKEN = HttpChars.ascii("keep-alive");
    private static final byte[] UPGRADE_TOKEN = HttpChars.ascii("upgrade");

    private static boolean containsToken(ByteBuf buf, int start, int end, String token) {
        byte[] t = HttpChars.ascii(token);
        int i = start;
        while (i < end) {
            int comma = i;
            while (comma < end && buf.getByte(comma) != ',') {
                comma++;
            }
            int ts = i;
            int te = comma;
            while (ts < te && isOws(buf.getByte(ts))) {
                ts++;
            }
            while (te > ts && isOws(buf.getByte(te - 1))) {
                te--;
            }
            // A protocol may carry a version ("websocket/13" is not a thing, but "h2c" vs "HTTP/2.0" are): compare the name.
            int slash = ts;
            while (slash < te && buf.getByte(slash) != '/') {
                slash++;
            }
            if (HttpChars.equalsIgnoreCase(buf, ts, slash, t)) {
                return true;
            }
            i = comma + 1;
        }
        return false;
    }

    /** Whether header {@code i} was named in the Connection header as hop-by-hop. */
    final boolean nominatedByConnection(ByteBuf buf, int base, int i) {
        if (connectionNominated == null) {
            return false;
        }
        String name = buf.toString(base + nameStart[i], nameEnd[i] - nameStart[i],
                java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        return connectionNominated.contains(name);
    }

    /** The value of the first header named {@code lowerName}, or null. Allocates: for routing and tests, not per byte. */
    final String header(ByteBuf buf, int base, String lowerName) {
        byte[] n = HttpChars.ascii(lowerName);
        for (int i = 0; i < headerCount; i++) {
            if (HttpChars.equalsIgnoreCase(buf, base + nameStart[i], base + nameEnd[i], n)) {
                return value(buf, base, i);
            }
        }
        return null;
    }

    final String value(ByteBuf buf, int base, int i) {
        return buf.toString(base + valueStart[i], valueEnd[i] - valueStart[i], java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private void grow() {
        int n = kind.length * 2;
        nameStart = java.util.Arrays.copyOf(nameStart, n);
        nameEnd = java.util.Arrays.copyOf(nameEnd, n);
        valueStart = java.util.Arrays.copyOf(valueStart, n);
        valueEnd = java.util.Arrays.copyOf(valueEnd, n);
        kind = java.util.Arrays.copyOf(kind, n);
    }
}
