package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.fossinfra.config.FrontendConfig;

/**
 * A client's request head, parsed in place (see {@link HeadParser}). Refusals are 400, except an oversized request
 * line (414), an oversized header section (431), an unsupported HTTP version (505) and CONNECT (501: a reverse proxy doesn't open tunnels).
 */
final class RequestHead extends HeadParser {
    static final int HTTP_1_0 = 0;
    static final int HTTP_1_1 = 1;

    int methodStart;
    int methodEnd;
    int targetStart;
    int targetEnd;
    /** For absolute-form targets: where the authority is (host routing uses it) and where the path starts. */
    int authorityStart = -1;
    int authorityEnd = -1;
    int version;
    boolean head;
    boolean options;
    boolean idempotent;
    private int emptyLinesSkipped;

    private final FrontendConfig.Limits limits;

    RequestHead(FrontendConfig.Limits limits) {
        super(limits.maxRequestLine(), limits.maxHeaderBytes(), limits.maxHeaders());
        this.limits = limits;
    }

    boolean sameLimits(FrontendConfig.Limits other) {
        return limits.equals(other);
    }

    @Override
    void reset() {
        super.reset();
        authorityStart = -1;
        authorityEnd = -1;
        emptyLinesSkipped = 0;
        head = false;
        options = false;
        idempotent = false;
    }

    @Override
    boolean firstLine(ByteBuf buf, int base, int start, int end) throws HttpError {
        if (start == end) {
            // A stray CRLF after a previous body: ignore a few, as RFC 9112 §2.2 allows, but not a flood of them.
            if (++emptyLinesSkipped > 4) {
                throw framing("empty lines instead of a request line");
            }
            return false;
        }
        int sp1 = start;
        while (sp1 < end && buf.getByte(base + sp1) != ' ') {
            if (!HttpChars.isTchar(buf.getByte(base + sp1))) {
                throw framing("invalid character in the method");
            }
            sp1++;
        }
        if (sp1 == start || sp1 == end) {
            throw framing("malformed request line");
        }
        int ts = sp1 + 1;
        int sp2 = ts;
        while (sp2 < end && buf.getByte(base + sp2) != ' ') {
            if (!HttpChars.isTargetChar(buf.getByte(base + sp2))) {
                throw framing("invalid character in the request target");
            }
            sp2++;
        }
        if (sp2 == ts || sp2 == end) {
            throw framing("malformed request line");
        }
        int vs = sp2 + 1;
        if (end - vs != 8 || !startsWith(buf, base + vs, HTTP_SLASH)) {
            throw framing("malformed HTTP version");
        }
        int major = buf.getByte(base + vs + 5);
        int dot = buf.getByte(base + vs + 6);
        int minor = buf.getByte(base + vs + 7);
        if (dot != '.' || major < '0' || major > '9' || minor < '0' || minor > '9') {
            throw framing("malformed HTTP version");
        }
        if (major != '1') {
            throw new HttpError(505, "HTTP version not supported");
        }
        // RFC 9110 §2.5: a higher minor version of a major version we implement is handled as the highest we know.
        version = minor == '0' ? HTTP_1_0 : HTTP_1_1;
        methodStart = start;
        methodEnd = sp1;
        targetStart = ts;
        targetEnd = sp2;
        int mlen = sp1 - start;
        head = is(buf, base + start, mlen, "HEAD");
        options = is(buf, base + start, mlen, "OPTIONS");
        idempotent = head || options || is(buf, base + start, mlen, "GET")
                || is(buf, base + start, mlen, "PUT") || is(buf, base + start, mlen, "DELETE")
                || is(buf, base + start, mlen, "TRACE");
        if (is(buf, base + start, mlen, "CONNECT")) {
            throw new HttpError(501, "CONNECT is not supported");
        }
        byte t0 = buf.getByte(base + ts);
        if (t0 == '/') {
            return true;
        }
        if (t0 == '*' && sp2 - ts == 1 && options) {
            return true;
        }
        absoluteForm(buf, base, ts, sp2);
        return true;
    }

    private static final byte[] HTTP_SLASH = HttpChars.ascii("HTTP/");

    /** absolute-form (RFC 9112 §3.2.2): http://authority[/path]; its authority replaces Host. */
    private void absoluteForm(ByteBuf buf, int base, int ts, int te) throws HttpError {
        int p;
        if (startsWithIgnoreCase(buf, base + ts, te - ts, "http://")) {
            p = ts + 7;
        } else if (startsWithIgnoreCase(buf, base + ts, te - ts, "https://")) {
            p = ts + 8;
        } else {
            throw framing("request target is neither a path nor an absolute URI");
        }
        int as = p;
        while (p < te && buf.getByte(base + p) != '/' && buf.getByte(base + p) != '?') {
            byte b = buf.getByte(base + p);
            if (b == '@') {
                throw framing("userinfo in the request target");
            }
            if (b == '\\') {
                throw framing("invalid authority in the request target"); // refused in Host too
            }
            p++;
        }
        if (p == as) {
            throw framing("empty authority in the request target");
        }
        authorityStart = as;
        authorityEnd = p;
        targetStart = p; // forwarded in origin-form (HeadWriter): an empty path becomes "/", or "*" for OPTIONS
    }

    @Override
    void endOfHead(ByteBuf buf, int base) throws HttpError {
        if (transferEncoding) {
            if (version == HTTP_1_0) {
                throw framing("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (contentLength >= 0) {
                throw framing("both Content-Length and Transfer-Encoding");
            }
            if (!chunked) {
                throw framing("Transfer-Encoding whose final coding is not chunked");
            }
        }
        if (hostCount > 1) {
            throw framing("more than one Host header");
        }
        if (version == HTTP_1_1 && hostCount == 0 && authorityStart < 0) {
            throw framing("HTTP/1.1 request without Host");
        }
        if (hostIndex >= 0) {
            for (int i = valueStart[hostIndex]; i < valueEnd[hostIndex]; i++) {
                byte b = buf.getByte(base + i);
                if (b == '@' || b == '/' || b == ' ' || b == '\t' || b == '\\' || b == '?' || b == '#') {
                    throw framing("invalid Host header");
                }
            }
        }
    }

    /** The body length: -1 for chunked, otherwise the Content-Length or 0. */
    long bodyLength() {
        return chunked ? -1 : Math.max(contentLength, 0);
    }

    boolean keepAlive() {
        return version == HTTP_1_1 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    boolean webSocketUpgrade() {
        return upgradeWebSocket && connectionUpgrade && version == HTTP_1_1;
    }

    /** The path of the target (from '/' up to '?'), for routing. */
    String path(ByteBuf buf, int base) {
        int end = targetStart;
        while (end < targetEnd && buf.getByte(base + end) != '?') {
            end++;
        }
        if (end == targetStart) {
            return "/";
        }
        return buf.toString(base + targetStart, end - targetStart, StandardCharsets.ISO_8859_1);
    }

    /** The host the client asked for, lower case, without port; "" when none. */
    String host(ByteBuf buf, int base) {
        int s;
        int e;
        if (authorityStart >= 0) {
            s = authorityStart;
            e = authorityEnd;
        } else if (hostIndex >= 0) {
            s = valueStart[hostIndex];
            e = valueEnd[hostIndex];
        } else {
            return "";
        }
        String h = buf.toString(base + s, e - s, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close > 0 ? h.substring(0, close + 1) : h;
        }
        int colon = h.lastIndexOf(':');
        return colon >= 0 ? h.substring(0, colon) : h;
    }

    String method(ByteBuf buf, int base) {
        return buf.toString(base + methodStart, methodEnd - methodStart, StandardCharsets.ISO_8859_1);
    }

    String target(ByteBuf buf, int base) {
        return buf.toString(base + targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
    }

    @Override
    HttpError framing(String reason) {
        return new HttpError(400, reason);
    }

    @Override
    HttpError firstLineTooLong() {
        return new HttpError(414, "request line too long");
    }

    @Override
    HttpError headTooLarge() {
        return new HttpError(431, "request header fields too large");
    }

    private static boolean startsWith(ByteBuf buf, int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (buf.getByte(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean is(ByteBuf buf, int at, int len, String word) {
        if (len != word.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (buf.getByte(at + i) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithIgnoreCase(ByteBuf buf, int at, int len, String prefix) {
        if (len < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (HttpChars.lower(buf.getByte(at + i)) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
