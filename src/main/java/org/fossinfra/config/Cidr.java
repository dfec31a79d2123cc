package org.fossinfra.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A block of IP addresses, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a block of one. Used for
 * {@code trusted-proxies}. IPv4 and IPv6 blocks never contain each other's addresses (an IPv4-mapped IPv6 address is
 * read as IPv4 by {@link IpLiteral}, on both sides).
 *
 * <p>A value (equal blocks are equal, so a reload that keeps them changes nothing); the data plane compiles blocks
 * into arrays once per configuration and tests them with {@link #matches}, which allocates nothing.
 *
 * @param network      the first address (4 or 16 bytes), with no bit set past the prefix
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record Cidr(InetAddress network, int prefixLength) {
    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefixLength: " + prefixLength + " (expected: 0.." + bits + ")");
        }
        if (!Arrays.equals(masked(network.getAddress(), prefixLength), network.getAddress())) {
            throw new IllegalArgumentException("network: " + network.getHostAddress() + " has bits set past /"
                    + prefixLength);
        }
    }

    /**
     * Parses {@code a.b.c.d/n}, {@code v6/n} or a bare address.
     *
     * @throws IllegalArgumentException with a message fit for a config error: {@code problem; fix}
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] network = IpLiteral.parse(address);
        if (network == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or a CIDR block; write e.g."
                    + " 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32");
        }
        int bits = network.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("'" + text + "' has no valid prefix length; write /0 to /" + bits
                        + " after an " + (bits == 32 ? "IPv4" : "IPv6") + " address");
            }
            prefix = Integer.parseInt(p);
        }
        byte[] masked = masked(network, prefix);
        if (!Arrays.equals(masked, network)) {
            // Like "10.0.0.1/8": likely a typo for a host (/32) or for the network; say which block it is.
            throw new IllegalArgumentException("'" + text + "' has bits set past its /" + prefix + " prefix; write "
                    + IpLiteral.format(masked) + "/" + prefix + " for the block, or " + address
                    + " alone for the one address");
        }
        try {
            return new Cidr(InetAddress.getByAddress(network), prefix); // a literal's bytes: no DNS
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are an address", e);
        }
    }

    /** Whether {@code address} (4 or 16 bytes, IPv4-mapped already read as IPv4) lies in this block. Allocates. */
    public boolean contains(byte[] address) {
        return matches(network.getAddress(), prefixLength, address, address.length);
    }

    /**
     * Whether {@code address[0, length)} lies in the block {@code network}/{@code prefixLength}: the first
     * {@code prefixLength} bits are equal, and the families are the same.
     */
    public static boolean matches(byte[] network, int prefixLength, byte[] address, int length) {
        if (length != network.length) {
            return false;
        }
        int full = prefixLength >>> 3;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength & 7;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }

    private static byte[] masked(byte[] address, int prefixLength) {
        byte[] m = address.clone();
        for (int bit = prefixLength; bit < m.length * 8; bit++) {
            m[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        return m;
    }

    @Override
    public String toString() {
        return IpLiteral.format(network.getAddress()) + "/" + prefixLength;
    }
}
