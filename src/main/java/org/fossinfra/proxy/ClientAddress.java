package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.fossinfra.balance.KeyHash;
import org.fossinfra.config.IpLiteral;
import org.fossinfra.config.RateLimitConfig;

/**
 * Who the client of a request is: the connection's peer, or, when the peer is one of the frontend's trusted proxies,
 * the right-most address of X-Forwarded-For that is not itself a trusted proxy (nginx's {@code real_ip_recursive on}).
 * It is the address that rate limits count (IPv6 by its /64), {@code balance source} hashes, the log names and
 * {@code forwarded-for: replace} sends.
 *
 * <p>Why from the right: each proxy appends the address it saw, so an entry is known true only if a trusted hop wrote
 * it; everything left of the first untrusted entry was written by the client or by someone we know nothing of. When
 * every entry is trusted the left-most is the client; an entry that is not an address ends the walk, and the last
 * address read before it is the client (the peer when there was none).
 *
 * <p>Hazard: allocation. The peer's forms (text, hash, rate-limit key) are made once per connection; a believed client
 * only when it differs from the previous request's (a CDN multiplexes many clients on a connection, a single proxy
 * sends the same one). Reading the list uses this object's scratch arrays only.
 */
final class ClientAddress {
    private static final byte[] X_FORWARDED_FOR = HttpChars.ascii("x-forwarded-for");
    /** Longer entries are not addresses; "[v6]:port" is at most 53 characters. */
    private static final int MAX_ENTRY = 64;

    /** One address in all the forms the data plane uses. */
    private record Forms(byte[] address, String text, byte[] ascii, long hash, String limitKey) {
        static Forms of(byte[] address) {
            String text = IpLiteral.format(address);
            return new Forms(address, text, text.getBytes(StandardCharsets.ISO_8859_1), KeyHash.ofAddress(address),
                    RateLimitConfig.ClientAddress.keyOf(address));
        }
    }

    private static final Forms UNKNOWN = new Forms(null, "-", null, 0, "-");

    private Forms peer = UNKNOWN;
    private boolean peerTrusted;
    /** The client of the request in progress. */
    private Forms client = UNKNOWN;
    /** The last client believed from a list, kept so that the next request naming it allocates nothing. */
    private Forms lastBelieved;

    private final byte[] entry = new byte[MAX_ENTRY];
    private final byte[] candidate = new byte[16];
    private final byte[] best = new byte[16];

    /** The connection is open: its peer is the client until a request says otherwise. */
    void onConnect(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a && a.getAddress() != null) {
            peer = Forms.of(IpLiteral.unmapped(a.getAddress().getAddress()));
        }
        onNewHead();
    }

    /** A new request begins: until its head is in, it is the peer's. */
    void onNewHead() {
        client = peer;
        peerTrusted = false;
    }

    /** The head of a request is in: decides who its client is. */
    void onRequest(TrustedProxies trusted, RequestHead req, ByteBuf buf, int base) {
        client = peer;
        peerTrusted = peer.address != null && trusted.contains(peer.address, peer.address.length);
        if (!peerTrusted) {
            return;
        }
        int n = believed(trusted, req, buf, base);
        if (n == 0 || Arrays.equals(best, 0, n, peer.address, 0, peer.address.length)) {
            return;
        }
        Forms last = lastBelieved;
        if (last == null || !Arrays.equals(best, 0, n, last.address, 0, last.address.length)) {
            last = Forms.of(Arrays.copyOf(best, n));
            lastBelieved = last;
        }
        client = last;
    }

    /** Whether the peer of this request is a trusted proxy (its X-Forwarded-Proto is kept, its list believed). */
    boolean peerTrusted() {
        return peerTrusted;
    }

    /** The client's address as text, ASCII, for X-Forwarded-For; null when the connection has no IP address. */
    byte[] ascii() {
        return client.ascii;
    }

    /** The peer's address as text, ASCII, for an appended X-Forwarded-For; null when none. */
    byte[] peerAscii() {
        return peer.ascii;
    }

    long hash() {
        return client.hash;
    }

    /** What {@code client-address} rate limits count this request under. */
    String limitKey() {
        return client.limitKey;
    }

    /** For the log: the client, and the proxy it came through when that's another address. Allocates. */
    String logText() {
        return client == peer ? peer.text : client.text + " (via " + peer.text + ")";
    }

    /** Walks X-Forwarded-For from the right; the believed address is left in {@link #best}, its length returned. */
    private int believed(TrustedProxies trusted, RequestHead req, ByteBuf buf, int base) {
        int bestLength = 0;
        for (int h = req.headerCount - 1; h >= 0; h--) {
            if (!HttpChars.equalsIgnoreCase(buf, base + req.nameStart[h], base + req.nameEnd[h], X_FORWARDED_FOR)) {
                continue;
            }
            int vs = base + req.valueStart[h];
            int e = base + req.valueEnd[h];
            while (e > vs) {
                int comma = e - 1;
                while (comma >= vs && buf.getByte(comma) != ',') {
                    comma--;
                }
                int n = parseEntry(buf, comma + 1, e);
                e = comma;
                if (n == 0) {
                    continue; // an empty list element, which RFC 9110 §5.6.1 says to ignore
                }
                if (n < 0) {
                    return bestLength;
                }
                System.arraycopy(candidate, 0, best, 0, n);
                bestLength = n;
                if (!trusted.contains(candidate, n)) {
                    return bestLength;
                }
            }
        }
        return bestLength;
    }

    /**
     * One list entry, buf[s, e): an address, "[v6]", "[v6]:port" or "v4:port", with optional whitespace around.
     *
     * @return its length in {@link #candidate} (4 or 16), 0 for an empty entry, -1 for anything else
     */
    private int parseEntry(ByteBuf buf, int s, int e) {
        while (s < e && isOws(buf.getByte(s))) {
            s++;
        }
        while (e > s && isOws(buf.getByte(e - 1))) {
            e--;
        }
        if (s == e) {
            return 0;
        }
        if (e - s > MAX_ENTRY) {
            return -1;
        }
        buf.getBytes(s, entry, 0, e - s);
        int len = e - s;
        int from = 0;
        int to = len;
        if (entry[0] == '[') {
            int close = 1;
            while (close < len && entry[close] != ']') {
                close++;
            }
            if (close == len || (close + 1 < len && !isPort(entry, close + 1, len))) {
                return -1;
            }
            from = 1;
            to = close;
        } else {
            int colons = 0;
            int colon = -1;
            for (int i = 0; i < len; i++) {
                if (entry[i] == ':') {
                    colons++;
                    colon = i;
                }
            }
            if (colons == 1) {
                if (!isPort(entry, colon, len)) {
                    return -1;
                }
                to = colon;
            }
        }
        return IpLiteral.parse(entry, from, to, candidate);
    }

    /** ":digits" at entry[at, end). */
    private static boolean isPort(byte[] b, int at, int end) {
        if (b[at] != ':' || end - at < 2 || end - at > 6) {
            return false;
        }
        for (int i = at + 1; i < end; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }
}
