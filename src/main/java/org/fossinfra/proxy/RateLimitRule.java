package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.fossinfra.config.RateLimitConfig;
import org.fossinfra.ratelimit.Limiter;

/**
 * A rate-limit rule as the data plane applies it: its limiter (local or Redis), how a request's key is taken, how
 * long to wait for a remote answer and what to do without one. Shared by every frontend and backend naming the rule,
 * and kept across reloads while the rule is unchanged (so are its counts).
 */
final class RateLimitRule {
    /** Header values longer than this are counted under their SHA-256: a key is not a place to store kilobytes. */
    static final int MAX_KEY_BYTES = 128;
    private static final byte[] HEADER_KEY_PREFIX = {'h', ':'};

    final RateLimitConfig config;
    final Limiter limiter;
    /** Lower case, or null when the key is the client address. */
    private final byte[] header;
    /** How long a request waits for the answer; {@link Long#MAX_VALUE} when answers come at once (local). */
    final long timeoutNanos;
    final boolean failOpen;

    RateLimitRule(RateLimitConfig config, Limiter limiter, long timeoutNanos, boolean failOpen) {
        this.config = config;
        this.limiter = limiter;
        this.header = config.key() instanceof RateLimitConfig.Header h
                ? HttpChars.ascii(h.name().toLowerCase(Locale.ROOT)) : null;
        this.timeoutNanos = timeoutNanos;
        this.failOpen = failOpen;
    }

    String name() {
        return config.name();
    }

    /**
     * The key this request is counted under: the client address, or {@code h:} and the header's value. A request
     * without the header (or with it empty) is counted under its address, so leaving it out doesn't escape the
     * limit; the prefix keeps a header value from ever naming an address's count.
     *
     * @param address the client's key ({@link ClientAddress#limitKey}: an IPv6 client's /64), made once per
     *                connection or per believed client: the common case allocates nothing
     */
    String key(RequestHead req, ByteBuf buf, int base, String address) {
        if (header == null) {
            return address;
        }
        for (int i = 0; i < req.headerCount; i++) {
            if (HttpChars.equalsIgnoreCase(buf, base + req.nameStart[i], base + req.nameEnd[i], header)) {
                int len = req.valueEnd[i] - req.valueStart[i];
                if (len == 0) {
                    return address;
                }
                if (len > MAX_KEY_BYTES) {
                    return "h#" + sha256(buf, base + req.valueStart[i], len);
                }
                byte[] k = new byte[HEADER_KEY_PREFIX.length + len];
                System.arraycopy(HEADER_KEY_PREFIX, 0, k, 0, HEADER_KEY_PREFIX.length);
                buf.getBytes(base + req.valueStart[i], k, HEADER_KEY_PREFIX.length, len);
                return new String(k, StandardCharsets.ISO_8859_1);
            }
        }
        return address;
    }

    private static String sha256(ByteBuf buf, int at, int len) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(buf.nioBuffer(at, len));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
