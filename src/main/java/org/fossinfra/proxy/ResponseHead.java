package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;

/**
 * A server's response head, parsed in place (see {@link HeadParser}). Every refusal becomes a 502 for the client:
 * a server that sends a malformed head is a bad upstream.
 */
final class ResponseHead extends HeadParser {
    /** Generous: a server's head is trusted more than a client's, but still bounded. */
    private static final int MAX_STATUS_LINE = 8 * 1024;
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_HEADERS = 200;

    int status;
    int version;
    int reasonStart;
    int reasonEnd;

    ResponseHead() {
        super(MAX_STATUS_LINE, MAX_HEAD, MAX_HEADERS);
    }

    @Override
    boolean firstLine(ByteBuf buf, int base, int start, int end) throws HttpError {
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]; a missing final SP is tolerated.
        if (end - start < 12 || buf.getByte(base + start) != 'H' || buf.getByte(base + start + 1) != 'T'
                || buf.getByte(base + start + 2) != 'T' || buf.getByte(base + start + 3) != 'P'
                || buf.getByte(base + start + 4) != '/' || buf.getByte(base + start + 5) != '1'
                || buf.getByte(base + start + 6) != '.' || buf.getByte(base + start + 8) != ' ') {
            throw framing("malformed status line");
        }
        byte minor = buf.getByte(base + start + 7);
        if (minor != '0' && minor != '1') {
            throw framing("unsupported HTTP version in the status line");
        }
        version = minor == '1' ? RequestHead.HTTP_1_1 : RequestHead.HTTP_1_0;
        int s = 0;
        for (int i = 9; i < 12; i++) {
            byte b = buf.getByte(base + start + i);
            if (b < '0' || b > '9') {
                throw framing("malformed status code");
            }
            s = s * 10 + (b - '0');
        }
        if (s < 100) {
            throw framing("status code below 100");
        }
        status = s;
        if (end - start > 12 && buf.getByte(base + start + 12) != ' ') {
            throw framing("malformed status line");
        }
        reasonStart = Math.min(start + 13, end);
        reasonEnd = end;
        for (int i = reasonStart; i < reasonEnd; i++) {
            if (!HttpChars.isFieldValue(buf.getByte(base + i))) {
                throw framing("control character in the reason phrase");
            }
        }
        return true;
    }

    @Override
    void endOfHead(ByteBuf buf, int base) throws HttpError {
        if (transferEncoding && !chunked) {
            // RFC 9112 §6.3: a response whose final coding isn't chunked is delimited by close. Allowed, just slow.
            contentLength = -1;
        }
        if (transferEncoding && contentLength >= 0) {
            // RFC 9112 §6.3 rule 3: Transfer-Encoding overrides Content-Length; the latter is dropped when forwarded.
            contentLength = -1;
        }
    }

    boolean informational() {
        return status >= 100 && status < 200;
    }

    /** Whether a body follows this head for a request of the given kind (RFC 9112 §6.3 rules 1–2). */
    boolean hasBody(boolean headRequest) {
        return !headRequest && !informational() && status != 204 && status != 304;
    }

    /** Delimited by the connection closing: no Content-Length, no chunked. */
    boolean untilClose() {
        return !chunked && contentLength < 0;
    }

    boolean keepAlive() {
        return version == RequestHead.HTTP_1_1 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    @Override
    HttpError framing(String reason) {
        return new HttpError(502, "invalid response from server: " + reason);
    }

    @Override
    HttpError firstLineTooLong() {
        return new HttpError(502, "invalid response from server: status line too long");
    }

    @Override
    HttpError headTooLarge() {
        return new HttpError(502, "invalid response from server: header section too large");
    }
}
