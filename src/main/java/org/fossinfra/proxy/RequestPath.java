package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import org.fossinfra.config.PathNormalizer;

/**
 * The path a request is routed on: the request target's path (before '?') in {@link PathNormalizer}'s normal form.
 * The forwarded head is written from the original bytes; this is only what rules look at.
 *
 * <p>Fast path: every browser sends normal paths, so one scan over the target finds the '?' and decides that the bytes
 * in the receive buffer already are the normal path; rules then compare against them in place: nothing is copied or
 * allocated. Only a path that isn't normal (a '%', a '\', "//", a dot segment) is copied into this connection's
 * scratch array (which grows to the longest path seen, at most the request line limit) and normalised there. The scan
 * ({@link NormalScan}) must say "normal" only for paths that {@link PathNormalizer#normalize} leaves unchanged
 * (RequestPathTest checks the two agree on random paths).
 *
 * <p>One per client connection, reused for each request.
 */
final class RequestPath {
    private static final int INITIAL_SCRATCH = 256;

    /** The asterisk-form target of {@code OPTIONS *}: there is no path, and no path condition holds. */
    private boolean none;
    /** The normal path is the request's own bytes, [start, end) relative to the head's base. */
    private boolean inPlace;
    private int start;
    private int end;
    /** Otherwise it is scratch[0, length). */
    private byte[] scratch = new byte[INITIAL_SCRATCH];
    private int length;
    private final NormalScan scan = new NormalScan();

    /**
     * Finds the normal path of the request whose head starts at {@code base}.
     *
     * @throws HttpError 400 when the path is one {@link PathNormalizer} refuses
     */
    void parse(RequestHead req, ByteBuf buf, int base) throws HttpError {
        int ts = req.targetStart;
        int te = req.targetEnd;
        none = false;
        if (ts == te || buf.getByte(base + ts) != '/') {
            // "OPTIONS *", or an absolute-form target without a path ("http://h" or "http://h?q"): its path is "/".
            none = te - ts == 1 && buf.getByte(base + ts) == '*';
            inPlace = false;
            scratch[0] = '/';
            length = 1;
            return;
        }
        // One pass over the bytes after the first '/': finds the '?' and whether the path is normal as it is.
        scan.reset();
        int q = te - ts == 1 ? -1 : buf.forEachByte(base + ts + 1, te - ts - 1, scan);
        int pe = q < 0 ? te : q - base;
        if (scan.normalAtEnd()) {
            inPlace = true;
            start = ts;
            end = pe;
            return;
        }
        int n = pe - ts;
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        buf.getBytes(base + ts, scratch, 0, n);
        int r = PathNormalizer.normalize(scratch, n);
        if (r < 0) {
            throw new HttpError(400, PathNormalizer.refusal(r).reason());
        }
        inPlace = false;
        length = r;
    }

    /**
     * Whether buf[from, to), a path starting with '/', is already normal (for tests; {@link #parse} does the same in
     * its one pass).
     */
    static boolean isNormalInPlace(ByteBuf buf, int from, int to) {
        NormalScan scan = new NormalScan();
        if (to - from > 1) {
            buf.forEachByte(from + 1, to - from - 1, scan);
        }
        return scan.normalAtEnd();
    }

    /**
     * The in-place check, fed the bytes after the path's first '/' and stopping at '?': the path is normal when it
     * has no '%' or '\' at all (decoding could change or refuse it) and no segment that is empty (but the last), "."
     * or "..", or starts with ".;" or "..;". A {@link ByteProcessor}, so that the buffer checks its bounds once for
     * the whole scan instead of once a byte.
     */
    private static final class NormalScan implements ByteProcessor {
        private boolean normal;
        /** Bytes in the current segment so far, and whether all of them are dots. */
        private int segmentLength;
        private boolean allDots;

        void reset() {
            normal = true;
            segmentLength = 0;
            allDots = true;
        }

        NormalScan() {
            reset();
        }

        @Override
        public boolean process(byte b) {
            if (b == '?') {
                return false;
            }
            if (!normal) {
                return true; // only looking for the '?' now
            }
            if (b == '/') {
                if (segmentLength == 0 || (allDots && segmentLength <= 2)) {
                    normal = false; // "//", "/./" or "/../"
                }
                segmentLength = 0;
                allDots = true;
            } else if (b == '%' || b == '\\' || (b == ';' && allDots && segmentLength > 0 && segmentLength <= 2)) {
                normal = false;
            } else {
                segmentLength++;
                allDots &= b == '.';
            }
            return true;
        }

        /** After the last byte: the last segment may be empty (a trailing '/'), but not "." or "..". */
        boolean normalAtEnd() {
            return normal && !(allDots && segmentLength > 0 && segmentLength <= 2);
        }
    }

    /**
     * Whether the path is {@code prefix} or lies below it: {@code /api} holds for {@code /api}, {@code /api/} and
     * {@code /api/x}, not for {@code /apix}. A prefix that ends with '/' holds for what starts with it.
     *
     * @param prefix a normal path ({@link PathNormalizer}), as the config reader ensures
     */
    boolean underPrefix(ByteBuf buf, int base, byte[] prefix) {
        if (none) {
            return false;
        }
        int len = inPlace ? end - start : length;
        int p = prefix.length;
        if (len < p) {
            return false;
        }
        if (inPlace) {
            int at = base + start;
            for (int i = 0; i < p; i++) {
                if (buf.getByte(at + i) != prefix[i]) {
                    return false;
                }
            }
            return len == p || prefix[p - 1] == '/' || buf.getByte(at + p) == '/';
        }
        for (int i = 0; i < p; i++) {
            if (scratch[i] != prefix[i]) {
                return false;
            }
        }
        return len == p || prefix[p - 1] == '/' || scratch[p] == '/';
    }

    /** The normal path as text, for messages and tests; "*" for the asterisk form. Allocates. */
    String toString(ByteBuf buf, int base) {
        if (none) {
            return "*";
        }
        return inPlace ? buf.toString(base + start, end - start, StandardCharsets.ISO_8859_1)
                : new String(scratch, 0, length, StandardCharsets.ISO_8859_1);
    }
}
