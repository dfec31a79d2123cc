package org.fossinfra.events;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only journal of events on their way to the store, with an acknowledgement mark: everything before
 * {@link #acked()} is in the store. Positions are logical byte offsets that grow for ever; the journal is a series of
 * segment files, each named after the offset of its first byte ({@code 00000000000000000000.journal}), and a segment
 * wholly before the persisted mark is deleted.
 *
 * <p>A record is {@code [int length][int crc32c][payload]}. After a crash the last segment may end in a torn record:
 * opening scans the last segment and cuts it at the first record that is short or fails its checksum. The mark is
 * kept in the file {@code ack}, replaced atomically (write, then rename), and written at most every
 * {@link #ACK_INTERVAL_NANOS}: a mark that lags only makes events be sent again, which the store de-duplicates.
 *
 * <p>Thread-safe by one lock: the journal thread appends while the writer thread reads back and acknowledges; a read
 * holds the lock for one batch. Writes go straight to the file channel (no user-space buffer), so a
 * record is readable, and survives a crash of the process, as soon as {@link #append} returns; {@link #sync} makes it
 * survive a crash of the machine.
 */
final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("events");
    private static final Pattern SEGMENT = Pattern.compile("(\\d{20})\\.journal");
    private static final String ACK_FILE = "ack";
    /** A record larger than this is corruption, not an event (an event is a few hundred bytes). */
    private static final int MAX_RECORD = 16 * 1024 * 1024;
    /** Persisting the mark 5 times a second bounds re-sends after a crash to 200 ms of events. */
    static final long ACK_INTERVAL_NANOS = 200_000_000L;

    /** A record read back, with where it starts and where the next one starts. */
    record Entry(Event event, long start, long end) {
    }

    private final Path dir;
    private final long segmentBytes;
    /** Segment start offset → file. */
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private FileChannel current;
    private long currentStart;
    private long end;
    private long acked;
    private long persistedAck;
    private long lastAckWrite;
    private boolean dirty;

    private Journal(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /** Opens (or creates) the journal in {@code dir}, cutting a torn last record. */
    static Journal open(Path dir, long segmentBytes) throws IOException {
        Files.createDirectories(dir);
        Journal j = new Journal(dir, segmentBytes);
        j.load();
        return j;
    }

    private void load() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = SEGMENT.matcher(p.getFileName().toString());
                if (m.matches()) {
                    segments.put(Long.parseLong(m.group(1)), p);
                }
            }
        }
        long mark = readAck();
        if (segments.isEmpty()) {
            long start = Math.max(mark, 0);
            segments.put(start, segmentPath(start));
        }
        Map.Entry<Long, Path> last = segments.lastEntry();
        currentStart = last.getKey();
        current = FileChannel.open(last.getValue(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long valid = scanValidLength(current);
        if (valid < current.size()) {
            log.warn("event journal {}: cut {} bytes of a torn or damaged record at its end (a crash while writing);"
                    + " the events before it are kept", last.getValue(), current.size() - valid);
            current.truncate(valid);
        }
        current.position(valid);
        end = currentStart + valid;
        long first = segments.firstKey();
        acked = Math.min(Math.max(mark, first), end);
        persistedAck = acked;
    }

    private long readAck() throws IOException {
        Path p = dir.resolve(ACK_FILE);
        if (!Files.exists(p)) {
            return -1;
        }
        try {
            return Long.parseLong(Files.readString(p, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            log.warn("event journal {}: the ack file is unreadable; every journaled event will be sent again (the store"
                    + " skips those it has)", dir);
            return -1;
        }
    }

    /** The length of the prefix of {@code ch} made of whole, intact records. */
    private static long scanValidLength(FileChannel ch) throws IOException {
        long size = ch.size();
        long pos = 0;
        ByteBuffer head = ByteBuffer.allocate(8);
        while (pos + 8 <= size) {
            head.clear();
            ch.read(head, pos);
            head.flip();
            int len = head.getInt();
            int crc = head.getInt();
            if (len <= 0 || len > MAX_RECORD || pos + 8 + len > size) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(len);
            ch.read(payload, pos + 8);
            if (crc(payload.array()) != crc) {
                break;
            }
            pos += 8 + len;
        }
        return pos;
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b, 0, b.length);
        return (int) c.getValue();
    }

    private Path segmentPath(long start) {
        return dir.resolve(String.format("%020d.journal", start));
    }

    /** Appends the events in one write; returns each one's entry (start and end offsets). */
    synchronized List<Entry> append(List<Event> events) throws IOException {
        if (current.position() >= segmentBytes) {
            roll();
        }
        List<Entry> entries = new ArrayList<>(events.size());
        List<byte[]> payloads = new ArrayList<>(events.size());
        int total = 0;
        for (Event e : events) {
            byte[] p = EventCodec.encode(e);
            payloads.add(p);
            total += 8 + p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(total);
        long pos = end;
        for (int i = 0; i < payloads.size(); i++) {
            byte[] p = payloads.get(i);
            b.putInt(p.length).putInt(crc(p)).put(p);
            entries.add(new Entry(events.get(i), pos, pos + 8 + p.length));
            pos += 8 + p.length;
        }
        b.flip();
        while (b.hasRemaining()) {
            current.write(b);
        }
        end = pos;
        dirty = true;
        return entries;
    }

    private void roll() throws IOException {
        current.force(false);
        current.close();
        currentStart = end;
        Path p = segmentPath(end);
        segments.put(end, p);
        current = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Up to {@code max} records from {@code from} (a record boundary), not past {@code limit}. */
    synchronized List<Entry> read(long from, int max, long limit) throws IOException {
        List<Entry> out = new ArrayList<>();
        long pos = from;
        ByteBuffer head = ByteBuffer.allocate(8);
        while (out.size() < max && pos < Math.min(limit, end)) {
            Map.Entry<Long, Path> seg = segments.floorEntry(pos);
            if (seg == null) {
                throw new IOException("event journal " + dir + ": no segment holds offset " + pos);
            }
            Long nextStart = segments.higherKey(seg.getKey());
            try (FileChannel ch = seg.getKey() == currentStart ? null : FileChannel.open(seg.getValue(),
                    StandardOpenOption.READ)) {
                FileChannel r = ch == null ? current : ch;
                long segEnd = nextStart == null ? end : nextStart;
                while (out.size() < max && pos < Math.min(limit, segEnd)) {
                    long at = pos - seg.getKey();
                    head.clear();
                    r.read(head, at);
                    head.flip();
                    int len = head.getInt();
                    head.getInt();
                    ByteBuffer payload = ByteBuffer.allocate(len);
                    while (payload.hasRemaining()) {
                        if (r.read(payload, at + 8 + payload.position()) < 0) {
                            throw new IOException("event journal " + dir + ": record at " + pos + " is cut short");
                        }
                    }
                    payload.flip();
                    out.add(new Entry(EventCodec.decode(payload), pos, pos + 8 + len));
                    pos += 8 + len;
                }
                if (pos >= segEnd && nextStart != null) {
                    pos = nextStart;
                }
            }
        }
        return out;
    }

    synchronized long end() {
        return end;
    }

    synchronized long acked() {
        return acked;
    }

    /** Bytes written but not yet acknowledged. */
    synchronized long pendingBytes() {
        return end - acked;
    }

    /** Everything before {@code offset} is in the store. Persisted lazily; see the class comment. */
    synchronized void ack(long offset) throws IOException {
        if (offset > acked) {
            acked = offset;
        }
        if (System.nanoTime() - lastAckWrite >= ACK_INTERVAL_NANOS) {
            persistAck();
        }
    }

    /** Writes the mark now and deletes the segments wholly before it. */
    synchronized void persistAck() throws IOException {
        lastAckWrite = System.nanoTime();
        if (acked == persistedAck) {
            return;
        }
        Path tmp = dir.resolve(ACK_FILE + ".tmp");
        Files.writeString(tmp, Long.toString(acked) + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, dir.resolve(ACK_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(ACK_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
        persistedAck = acked;
        // A segment may go once the next one starts at or before the persisted mark (never the current one).
        while (segments.size() > 1) {
            Map.Entry<Long, Path> first = segments.firstEntry();
            Long next = segments.higherKey(first.getKey());
            if (next == null || next > persistedAck) {
                break;
            }
            Files.deleteIfExists(first.getValue());
            segments.remove(first.getKey());
        }
    }

    /** Forces written records to the disk (survives a power cut), if anything was written since the last call. */
    synchronized void sync() throws IOException {
        if (dirty) {
            current.force(false);
            dirty = false;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            persistAck();
            sync();
        } finally {
            current.close();
        }
    }
}
