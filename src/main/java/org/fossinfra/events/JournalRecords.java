package org.fossinfra.events;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The journal's record, {@code [int length][int crc32c][payload]}, written and read back. Reading trusts nothing: the
 * length is checked (above zero, at most {@link #MAX_RECORD}, within the bytes left in the segment) before anything is
 * allocated, then the checksum, then the decoding; a record failing any of them is a {@link DamagedRecord}.
 */
final class JournalRecords {
    static final int HEADER = 8;
    /**
     * A record longer than this is damage, not an event: an event is a few hundred bytes, and one of 16 MiB would be a
     * message nobody reads. It also bounds what a garbage length can make a reader allocate.
     */
    static final int MAX_RECORD = 16 * 1024 * 1024;

    private JournalRecords() {
    }

    /** The records of {@code payloads}, one after the other, in one buffer ready to write. */
    static ByteBuffer encode(List<byte[]> payloads, long total) {
        ByteBuffer b = ByteBuffer.allocate((int) total);
        for (byte[] p : payloads) {
            b.putInt(p.length).putInt(crc(p)).put(p);
        }
        return b.flip();
    }

    /** The length of the prefix of {@code ch} made of whole records whose length and checksum hold. */
    static long validLength(FileChannel ch, long size) throws IOException {
        long pos = 0;
        ByteBuffer head = ByteBuffer.allocate(HEADER);
        while (pos + HEADER <= size) {
            head.clear();
            if (!readFully(ch, head, pos)) {
                break;
            }
            int len = head.getInt(0);
            int crc = head.getInt(4);
            if (len <= 0 || len > MAX_RECORD || len > size - pos - HEADER) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(len);
            if (!readFully(ch, payload, pos + HEADER) || crc(payload.array()) != crc) {
                break;
            }
            pos += HEADER + len;
        }
        return pos;
    }

    /**
     * The record at logical offset {@code pos} of the segment starting at {@code segStart} and ending (logically) at
     * {@code segEnd}, read through {@code r}, checked.
     *
     * @throws DamagedRecord when it cannot be trusted; it names {@code dir} and resumes at {@code segEnd}
     */
    static Journal.Entry read(FileChannel r, ByteBuffer head, long segStart, long pos, long segEnd, Path dir)
            throws IOException {
        long at = pos - segStart;
        head.clear();
        if (segEnd - pos < HEADER || !readFully(r, head, at)) {
            throw damaged(dir, pos, segEnd, "its header is cut short");
        }
        int len = head.getInt(0);
        int crc = head.getInt(4);
        long room = segEnd - pos - HEADER;
        if (len <= 0 || len > MAX_RECORD || len > room) {
            throw damaged(dir, pos, segEnd, "length " + len + " is impossible (expected 1 to "
                    + Math.min(MAX_RECORD, room) + ", the bytes left in its segment)");
        }
        ByteBuffer payload = ByteBuffer.allocate(len);
        if (!readFully(r, payload, at + HEADER)) {
            throw damaged(dir, pos, segEnd, "the file ends inside it");
        }
        if (crc(payload.array()) != crc) {
            throw damaged(dir, pos, segEnd, "its checksum does not match");
        }
        payload.flip();
        try {
            return new Journal.Entry(EventCodec.decode(payload), pos, pos + HEADER + len);
        } catch (RuntimeException e) {
            throw damaged(dir, pos, segEnd, "it does not decode (" + e.getMessage() + ")");
        }
    }

    private static DamagedRecord damaged(Path dir, long pos, long resumeAt, String why) {
        return new DamagedRecord("event journal " + dir + ": the record at offset " + pos + " is damaged: " + why,
                pos, resumeAt);
    }

    /** Fills {@code b} from {@code at}; false when the file ends first. */
    private static boolean readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                return false;
            }
        }
        return true;
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b, 0, b.length);
        return (int) c.getValue();
    }
}
