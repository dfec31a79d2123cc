package org.fossinfra.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as written in the config: plain bytes ({@code 8192}) or with a 1024-based suffix ({@code 8k}, {@code 1m}). */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})([kKmM]?)");
    private static final Pattern OTHER_UNIT = Pattern.compile("(\\d+)\\s*[a-zA-Z]+");
    private static final int K = 1024;
    private static final int M = 1024 * 1024;

    private Sizes() {
    }

    static int parse(String text) {
        Matcher m = SIZE.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            long bytes = switch (m.group(2)) {
                case "k", "K" -> n * K;
                case "m", "M" -> n * M;
                default -> n;
            };
            if (bytes > Integer.MAX_VALUE) {
                throw new Invalid("'" + text + "' is too large", "use at most 1023m");
            }
            return (int) bytes;
        }
        Matcher other = OTHER_UNIT.matcher(text);
        if (other.matches()) {
            throw new Invalid("'" + text + "' has an unknown unit",
                    "write bytes, or k or m (1024-based), e.g. " + other.group(1) + "k");
        }
        throw new Invalid("expected a size, found '" + text + "'", "write bytes, or k or m (1024-based), e.g. 8k");
    }

    /** The shortest exact spelling: 256, 8k, 1m. */
    static String format(int bytes) {
        if (bytes != 0 && bytes % M == 0) {
            return bytes / M + "m";
        }
        if (bytes != 0 && bytes % K == 0) {
            return bytes / K + "k";
        }
        return Integer.toString(bytes);
    }
}
