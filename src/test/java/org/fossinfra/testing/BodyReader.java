package org.fossinfra.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Reads one request body for {@link FakeServer}, by Content-Length or chunked framing (leniently: it must show what a
 * proxy sent, not judge it), keeping the raw and decoded bytes up to a cap and the decoded length and CRC-32 in full.
 */
final class BodyReader {
    private final int cap;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final ByteArrayOutputStream decoded = new ByteArrayOutputStream();
    private final CRC32 crc = new CRC32();
    private long length;

    BodyReader(int cap) {
        this.cap = cap;
    }

    byte[] raw() {
        return raw.toByteArray();
    }

    byte[] decoded() {
        return decoded.toByteArray();
    }

    long length() {
        return length;
    }

    long crc32() {
        return crc.getValue();
    }

    void readLength(WireIn in, long n) throws IOException {
        byte[] b = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int r = in.read(b, 0, (int) Math.min(b.length, left));
            if (r < 0) {
                throw new EOFException("body ended after " + (n - left) + " of " + n + " bytes");
            }
            data(b, 0, r);
            left -= r;
        }
    }

    void readChunked(WireIn in) throws IOException {
        while (true) {
            byte[] line = in.readLine(64 * 1024);
            framing(line);
            String size = new String(line, StandardCharsets.ISO_8859_1).strip();
            int semi = size.indexOf(';');
            long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).strip(), 16);
            if (n == 0) {
                while (true) {
                    byte[] trailer = in.readLine(64 * 1024);
                    framing(trailer);
                    if (trailer.length <= 2 && (trailer[0] == '\r' || trailer[0] == '\n')) {
                        return;
                    }
                }
            }
            readLength(in, n);
            framing(in.readLine(16));
        }
    }

    private void framing(byte[] b) {
        int room = cap - raw.size();
        if (room > 0) {
            raw.write(b, 0, Math.min(room, b.length));
        }
    }

    private void data(byte[] b, int off, int len) {
        int room = cap - raw.size();
        if (room > 0) {
            raw.write(b, off, Math.min(room, len));
        }
        room = cap - decoded.size();
        if (room > 0) {
            decoded.write(b, off, Math.min(room, len));
        }
        crc.update(b, off, len);
        length += len;
    }
}
