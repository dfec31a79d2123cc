package org.fossinfra.config;

/**
 * The value of one ASCII hex digit, for the byte-level parsers: IPv6 groups ({@link IpLiteral}), percent-escapes in
 * paths ({@link PathNormalizer}) and, in the proxy, chunk sizes. Any other byte (a non-ASCII one included) is not a
 * digit: -1.
 */
public final class HexDigits {
    private HexDigits() {
    }

    /** 0..15 for {@code 0-9}, {@code a-f} and {@code A-F}; -1 for anything else. */
    public static int value(byte b) {
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
}
