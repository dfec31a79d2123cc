package org.fossinfra.proxy;

import java.util.List;
import org.fossinfra.config.Cidr;

/**
 * A frontend's {@code trusted-proxies}, compiled once per configuration for the data plane: each request's peer and
 * each X-Forwarded-For entry of a trusted peer is tested here, so the blocks are kept as plain arrays and a test
 * allocates nothing. An empty list (the common case at an edge) answers at once.
 */
final class TrustedProxies {
    private final byte[][] networks;
    private final int[] prefixLengths;

    TrustedProxies(List<Cidr> blocks) {
        networks = blocks.stream().map(c -> c.network().getAddress()).toArray(byte[][]::new);
        prefixLengths = blocks.stream().mapToInt(Cidr::prefixLength).toArray();
    }

    /** Whether {@code address[0, length)} (4 or 16 bytes, IPv4-mapped read as IPv4) is a trusted proxy. */
    boolean contains(byte[] address, int length) {
        for (int i = 0; i < networks.length; i++) {
            if (Cidr.matches(networks[i], prefixLengths[i], address, length)) {
                return true;
            }
        }
        return false;
    }
}
