package org.fossinfra.config;

import java.nio.charset.StandardCharsets;

/**
 * The one definition of "the same path" that routing uses: the config reader checks {@code path-prefix} values with
 * it, and the data plane turns every request's path into this form before matching, so that a rule and a request are
 * always compared in the same form. What is forwarded is never changed: the server gets the client's bytes.
 *
 * <p>The steps, in RFC 3986's order (§6.2.2, then §5.2.4):
 * <ol>
 *   <li>percent-decoding of unreserved characters only (§2.3: letters, digits, {@code - . _ ~}), so {@code %61pi} is
 *       {@code api} and {@code %2e%2e} is a dot segment; every other triplet stays encoded, with upper-case hex
 *       (§6.2.2.1), so {@code %3f} and {@code %3F} are one path;</li>
 *   <li>repeated slashes become one (not RFC 3986, but what nginx's {@code merge_slashes} and most servers' file
 *       mapping do: {@code //api} must meet the {@code /api} rule);</li>
 *   <li>dot segments are removed (§5.2.4), after the decoding, so an encoded dot segment is one too.</li>
 * </ol>
 *
 * <p>Refused (the data plane answers 400): a path some server would split or read differently from us, which a rule
 * could then not describe. {@code %2F} and {@code %5C} (a server that decodes them sees other segments than we
 * matched: {@code /public%2F..%2Fadmin}), {@code %00} (C servers stop there), a malformed triplet, a raw backslash
 * (not a URI character, and a separator to some servers), {@code ..} above the root (nginx refuses it too: a naive
 * file server would leave its root), and a dot segment with parameters ({@code ..;}: Tomcat reads it as {@code ..}).
 *
 * <p>Hazard: this runs on every request. It works in place on a byte array and allocates nothing; the data plane
 * recognises an already normal path without calling it (see {@code RequestPath}), and must agree with
 * {@link #normalize(byte[], int)} on which paths are normal.
 */
public final class PathNormalizer {
    /** Why a path cannot be normalised; {@link #normalize} returns {@code -1 - ordinal()}. */
    public enum Refusal {
        MALFORMED_PERCENT("malformed percent-encoding in the path"),
        ENCODED_SEPARATOR("encoded '/' or '\\' (%2F, %5C) in the path"),
        ENCODED_NUL("encoded NUL (%00) in the path"),
        BACKSLASH("backslash in the path"),
        DOT_SEGMENT_PARAMETERS("dot segment with parameters (..; or .;) in the path"),
        ABOVE_ROOT("'..' above the root of the path");

        private final String reason;

        Refusal(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private static final Refusal[] REFUSALS = Refusal.values();
    private static final boolean[] UNRESERVED = new boolean[128];
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.ISO_8859_1);

    static {
        for (int c = 'a'; c <= 'z'; c++) {
            UNRESERVED[c] = true;
            UNRESERVED[c - 32] = true;
        }
        for (int c = '0'; c <= '9'; c++) {
            UNRESERVED[c] = true;
        }
        UNRESERVED['-'] = true;
        UNRESERVED['.'] = true;
        UNRESERVED['_'] = true;
        UNRESERVED['~'] = true;
    }

    private PathNormalizer() {
    }

    /**
     * Normalises {@code path[0, length)} in place: the path only (no query), starting with '/'. The result is never
     * longer than the input.
     *
     * @return the length of the normal path (at least 1), or a negative code: {@link #refusal(int)} names it
     */
    public static int normalize(byte[] path, int length) {
        if (length == 0 || path[0] != '/') {
            throw new IllegalArgumentException("path: does not start with '/' (expected: an origin-form path)");
        }
        int n = decodeUnreserved(path, length);
        return n < 0 ? n : removeDotSegments(path, n);
    }

    /** The refusal a negative result of {@link #normalize} stands for. */
    public static Refusal refusal(int code) {
        return REFUSALS[-1 - code];
    }

    /**
     * The normal form of a path written in the config, e.g. a {@code path-prefix}.
     *
     * @throws IllegalArgumentException naming the {@link Refusal} when no request with this path is ever served
     */
    public static String normalize(String path) {
        byte[] b = path.getBytes(StandardCharsets.ISO_8859_1);
        int n = normalize(b, b.length);
        if (n < 0) {
            throw new IllegalArgumentException(refusal(n).reason());
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Step 1: decodes %XX of unreserved characters and upper-cases the hex of the others; refuses what must be. */
    private static int decodeUnreserved(byte[] p, int length) {
        int w = 0;
        for (int r = 0; r < length; r++) {
            byte b = p[r];
            if (b == '\\') {
                return code(Refusal.BACKSLASH);
            }
            if (b != '%') {
                p[w++] = b;
                continue;
            }
            int hi = r + 2 < length ? hexValue(p[r + 1]) : -1;
            int lo = hi >= 0 ? hexValue(p[r + 2]) : -1;
            if (lo < 0) {
                return code(Refusal.MALFORMED_PERCENT);
            }
            int v = hi << 4 | lo;
            if (v == '/' || v == '\\') {
                return code(Refusal.ENCODED_SEPARATOR);
            }
            if (v == 0) {
                return code(Refusal.ENCODED_NUL);
            }
            if (v < 128 && UNRESERVED[v]) {
                p[w++] = (byte) v;
            } else {
                p[w++] = '%';
                p[w++] = HEX[hi];
                p[w++] = HEX[lo];
            }
            r += 2;
        }
        return w;
    }

    /**
     * Steps 2 and 3, segment by segment: an empty segment (from "//") and "." are dropped, ".." drops the segment
     * before it. A path whose last segment was empty, "." or ".." ends with '/', as in §5.2.4 ("/a/." is "/a/").
     * The output never overtakes the input (each written segment was read with at least its '/'), so one array does.
     */
    private static int removeDotSegments(byte[] p, int length) {
        int w = 0;
        int r = 0;
        boolean endsInSlash = false;
        while (r < length) {
            int start = ++r; // past the '/'
            while (r < length && p[r] != '/') {
                r++;
            }
            int len = r - start;
            endsInSlash = true;
            if (len == 0 || (len == 1 && p[start] == '.')) {
                continue;
            }
            if (len >= 2 && p[start] == '.' && (p[start + 1] == ';' || (p[start + 1] == '.'
                    && (len == 2 || p[start + 2] == ';')))) {
                if (len > 2 || p[start + 1] == ';') {
                    return code(Refusal.DOT_SEGMENT_PARAMETERS);
                }
                if (w == 0) {
                    return code(Refusal.ABOVE_ROOT);
                }
                do {
                    w--;
                } while (p[w] != '/');
                continue;
            }
            endsInSlash = false;
            p[w++] = '/';
            System.arraycopy(p, start, p, w, len);
            w += len;
        }
        if (w == 0 || endsInSlash) {
            p[w++] = '/';
        }
        return w;
    }

    private static int hexValue(byte b) {
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

    private static int code(Refusal r) {
        return -1 - r.ordinal();
    }
}
