package org.fossinfra.config;

import java.nio.charset.StandardCharsets;

/**
 * IP address literals, read and written without DNS and without allocating: {@code trusted-proxies} in the config and
 * the addresses of {@code X-Forwarded-For} on the data plane go through the same parser, so that what the config calls
 * an address is what a request may name.
 *
 * <p>Strict on purpose, as curl's {@code --haproxy-clientip} is: IPv4 is exactly four decimal parts without leading
 * zeros (no {@code 10.1}, no octal {@code 010.0.0.1}, which other parsers read as other addresses); IPv6 is RFC 4291
 * §2.2 text (one {@code ::} at most, an IPv4 tail allowed), without zone or brackets. An IPv4-mapped IPv6 address
 * ({@code ::ffff:a.b.c.d}) is its IPv4 address: a dual-stack socket reports IPv4 clients that way, and one client
 * must have one address. Text is written per RFC 5952 (lower case, shortest, {@code ::} for the longest zero run).
 */
public final class IpLiteral {
    private static final int MAX_TEXT = 45; // "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"

    private IpLiteral() {
    }

    /**
     * Parses {@code text[from, to)} into {@code out} (at least 16 bytes).
     *
     * @return 4 for IPv4 (out[0..4)), 16 for IPv6 (out[0..16)), or -1 when the text is not an address
     */
    public static int parse(byte[] text, int from, int to, byte[] out) {
        if (to - from < 2 || to - from > MAX_TEXT) {
            return -1;
        }
        boolean colon = false;
        for (int i = from; i < to; i++) {
            if (text[i] == ':') {
                colon = true;
                break;
            }
        }
        if (!colon) {
            return ipv4(text, from, to, out, 0) ? 4 : -1;
        }
        if (!ipv6(text, from, to, out)) {
            return -1;
        }
        if (isIpv4Mapped(out)) {
            System.arraycopy(out, 12, out, 0, 4);
            return 4;
        }
        return 16;
    }

    /** The address of {@code text}, or null: for the config and tests (allocates). */
    public static byte[] parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[16];
        int n = parse(b, 0, b.length, out);
        return n < 0 ? null : java.util.Arrays.copyOf(out, n);
    }

    /**
     * The address a socket reported, with an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, what a dual-stack
     * socket may report for an IPv4 client) read as its IPv4 address: one client, one address.
     */
    public static byte[] unmapped(byte[] address) {
        return address.length == 16 && isIpv4Mapped(address) ? java.util.Arrays.copyOfRange(address, 12, 16) : address;
    }

    /** RFC 5952 text of a 4- or 16-byte address. */
    public static String format(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "."
                    + (address[3] & 0xff);
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("address: " + address.length + " bytes (expected: 4 or 16)");
        }
        // The longest run of two or more zero groups (the first of equal ones) becomes "::" (RFC 5952 §4.2).
        int bestStart = -1;
        int bestLen = 1;
        for (int g = 0; g < 8; ) {
            if (group(address, g) != 0) {
                g++;
                continue;
            }
            int s = g;
            while (g < 8 && group(address, g) == 0) {
                g++;
            }
            if (g - s > bestLen) {
                bestStart = s;
                bestLen = g - s;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                sb.append("::");
                g += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(address, g)));
        }
        return sb.toString();
    }

    private static int group(byte[] a, int g) {
        return (a[2 * g] & 0xff) << 8 | (a[2 * g + 1] & 0xff);
    }

    private static boolean ipv4(byte[] t, int from, int to, byte[] out, int at) {
        int part = 0;
        int i = from;
        while (true) {
            int start = i;
            int v = 0;
            while (i < to && i - start < 3 && t[i] >= '0' && t[i] <= '9') {
                v = v * 10 + (t[i] - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || v > 255 || (digits > 1 && t[start] == '0')) {
                return false;
            }
            out[at + part++] = (byte) v;
            if (part == 4) {
                return i == to;
            }
            if (i == to || t[i] != '.') {
                return false;
            }
            i++;
        }
    }

    private static boolean ipv6(byte[] t, int from, int to, byte[] out) {
        int n = 0;
        int gap = -1;
        int i = from;
        byte[] g = out; // groups are written big-endian straight into out, then moved around the gap
        if (t[i] == ':') {
            if (t[i + 1] != ':') {
                return false;
            }
            gap = 0;
            i += 2;
            if (i == to) {
                java.util.Arrays.fill(out, 0, 16, (byte) 0);
                return true;
            }
        }
        while (true) {
            int start = i;
            int v = 0;
            while (i < to && i - start < 4 && hex(t[i]) >= 0) {
                v = v << 4 | hex(t[i]);
                i++;
            }
            if (i < to && t[i] == '.') {
                // An IPv4 tail takes the last two groups.
                if (n > 6 || !ipv4(t, start, to, g, 2 * n)) {
                    return false;
                }
                n += 2;
                break;
            }
            if (i == start || n == 8) {
                return false;
            }
            g[2 * n] = (byte) (v >> 8);
            g[2 * n + 1] = (byte) v;
            n++;
            if (i == to) {
                break;
            }
            if (t[i] != ':') {
                return false;
            }
            i++;
            if (i < to && t[i] == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = n;
                i++;
                if (i == to) {
                    break;
                }
            } else if (i == to) {
                return false;
            }
        }
        if (gap < 0) {
            return n == 8;
        }
        if (n > 7) {
            return false;
        }
        // Move the groups after the gap to the end and zero the gap.
        int tail = n - gap;
        System.arraycopy(g, 2 * gap, g, 16 - 2 * tail, 2 * tail);
        java.util.Arrays.fill(g, 2 * gap, 16 - 2 * tail, (byte) 0);
        return true;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
