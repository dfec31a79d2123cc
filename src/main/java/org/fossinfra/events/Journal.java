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
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only journal of events on their way to the store, with an acknowledgement mark: everything before
 * {@link #acked()} is in the store. Positions are logical byte offsets that grow for ever; the journal is a series of
 * segment files, each named after the offset of its first byte ({@code 00000000000000000000.journal}), and a segment
 * wholly before the acknowledged mark is deleted. A segment's logical end is the next segment's start: bytes a segment
 * file holds beyond it are never read.
 *
 * <p>A record is {@code [int length][int crc32c][payload]} ({@link JournalRecords}). Nothing read from the disk is
 * trusted: every read checks the length (above zero, at most {@link #MAX_RECORD}, and within the segment's logical
 * end) before allocating anything, then the checksum, then the decoding, and a record failing any of them is a
 * {@link DamagedRecord}, never an event. Opening scans the last segment and cuts it at the first such record (a crash while writing leaves one).
 *
 * <p>A failed append (a full disk: write(2) puts some bytes, then says ENOSPC) leaves torn bytes after the last good
 * record. They are cut off at once ({@code truncate}); if even that fails, the journal goes on in a new segment starting
 * at the last good end, so that the torn bytes lie beyond the old segment's logical end. Either way {@link #end()}
 * stays the end of the last good record and the next record starts there. (Before this, the next write went after
 * the torn bytes while its offsets were counted from the old end: a reader then took torn bytes for a length.)
 *
 * <p>The mark is kept in the file {@code ack}, replaced atomically (write, then rename), and written at most every
 * {@link #ACK_INTERVAL_NANOS}: a mark that lags only makes events be sent again, which the store de-duplicates.
 * Segments wholly before the mark in memory are deleted before the file is written: on a full disk that is what makes
 * room for it, and it is safe since the mark in memory only moves after the store's commit (after a crash the mark is
 * at least the first remaining segment's start).
 *
 * <p>Thread-safe by one lock: the journal thread appends while the writer thread reads back and acknowledges; a read
 * holds the lock for one batch. Writes go straight to the file channel at explicit positions (no user-space buffer,
 * no reliance on the channel's position), so a record is readable, and survives a crash of the process, as soon as
 * {@link #append} returns; {@link #sync} makes it survive a crash of the machine.
 */
final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("events");
    private static final Pattern SEGMENT = Pattern.compile("(\\d{20})\\.journal");
    private static final String ACK_FILE = "ack";
    private static final int HEADER = JournalRecords.HEADER;
    static final int MAX_RECORD = JournalRecords.MAX_RECORD;
    /** Persisting the mark 5 times a second bounds re-sends after a crash to 200 ms of events. */
    static final long ACK_INTERVAL_NANOS = 200_000_000L;

    /** A record read back, with where it starts and where the next one starts. */
    record Entry(Event event, long start, long end) {
    }

    private final Path dir;
    private final long segmentBytes;
    private final JournalDisk disk;
    /** Segment start offset → file. */
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private FileChannel current;
    private long currentStart;
    private long end;
    /** The current segment's file may hold bytes after {@link #end} (a write failed half-way): cut before appending. */
    private boolean torn;
    private long acked;
    private long persistedAck;
    private long lastAckWrite;
    private boolean dirty;

    private Journal(Path dir, long segmentBytes, JournalDisk disk) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.disk = disk;
    }

    /** Opens (or creates) the journal in {@code dir}, cutting a torn last record (logged). */
    static Journal open(Path dir, long segmentBytes) throws IOException {
        return open(dir, segmentBytes, JournalDisk.REAL);
    }

    static Journal open(Path dir, long segmentBytes, JournalDisk disk) throws IOException {
        return open(dir, segmentBytes, disk, damage -> log.warn("{}", damage));
    }

    /** @param onDamage told once, in a sentence, when opening cut a torn or damaged tail */
    static Journal open(Path dir, long segmentBytes, JournalDisk disk, Consumer<String> onDamage) throws IOException {
        Files.createDirectories(dir);
        Journal j = new Journal(dir, segmentBytes, disk);
        j.load(onDamage);
        return j;
    }

    private void load(Consumer<String> onDamage) throws IOException {
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
        current = disk.open(last.getValue(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long size = current.size();
        long valid = JournalRecords.validLength(current, size);
        if (valid < size) {
            current.truncate(valid);
            onDamage.accept("event journal " + last.getValue() + ": cut " + (size - valid) + " bytes of a torn or"
                    + " damaged record at its end (offset " + (currentStart + valid) + "; a crash or a full disk while"
                    + " writing); the events before it are kept");
        }
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

    private Path segmentPath(long start) {
        return dir.resolve(String.format("%020d.journal", start));
    }

    /** Whether {@code e} can be journaled: its record is at most {@link #MAX_RECORD}. */
    static boolean fits(Event e) {
        return EventCodec.encode(e).length <= MAX_RECORD;
    }

    /**
     * Appends the events in one write; returns each one's entry (start and end offsets). On a failure nothing is
     * appended: the torn bytes are cut off (or left behind a new segment) before the next append, and {@link #end()}
     * has not moved.
     *
     * @throws IllegalArgumentException when an event is larger than {@link #MAX_RECORD} (nothing is written; see
     *                                  {@link #fits})
     */
    synchronized List<Entry> append(List<Event> events) throws IOException {
        repair();
        if (end - currentStart >= segmentBytes) {
            roll();
        }
        List<Entry> entries = new ArrayList<>(events.size());
        List<byte[]> payloads = new ArrayList<>(events.size());
        long total = 0;
        for (Event e : events) {
            byte[] p = EventCodec.encode(e);
            if (p.length > MAX_RECORD) {
                throw new IllegalArgumentException("event " + e.id() + " (" + e.type() + ") takes " + p.length
                        + " bytes, above the journal's limit of " + MAX_RECORD);
            }
            payloads.add(p);
            total += HEADER + p.length;
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a batch of " + total + " bytes; append fewer events at once");
        }
        ByteBuffer b = JournalRecords.encode(payloads, total);
        long pos = end;
        for (int i = 0; i < payloads.size(); i++) {
            entries.add(new Entry(events.get(i), pos, pos + HEADER + payloads.get(i).length));
            pos += HEADER + payloads.get(i).length;
        }
        long at = end - currentStart;
        // From the first byte on, the file may hold bytes that end does not count: torn until the last one is written.
        torn = true;
        try {
            while (b.hasRemaining()) {
                at += current.write(b, at);
            }
        } catch (Throwable t) {
            try {
                repair();
            } catch (IOException r) {
                t.addSuppressed(r); // tried again before the next append
            }
            throw t;
        }
        torn = false;
        end = pos;
        dirty = true;
        return entries;
    }

    /**
     * After a failed write: cuts the current segment back to the last good record, or, when the file cannot be cut (an
     * I/O error, a file system gone read-only), goes on in a new segment starting at the last good end.
     */
    private void repair() throws IOException {
        if (!torn) {
            return;
        }
        long good = end - currentStart;
        try {
            long size = current.size();
            current.truncate(good);
            torn = false;
            if (size > good) {
                log.info("event journal {}: cut {} torn bytes after offset {} (a write that failed half-way)", dir,
                        size - good, end);
            }
            return;
        } catch (IOException e) {
            log.warn("event journal {}: cannot cut the torn bytes after offset {} ({}); going on in a new segment",
                    dir, end, e.toString());
        }
        Path path = segmentPath(end);
        if (good == 0) {
            // The new segment would have the same name (it holds no good record): start the file afresh instead.
            closeQuietly(current);
            Files.deleteIfExists(path);
            current = disk.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } else {
            FileChannel next = disk.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            try {
                current.force(false);
            } catch (IOException e) {
                log.warn("event journal {}: syncing the segment before {} failed ({}); its last second may not survive"
                        + " a power cut", dir, end, e.toString());
            }
            closeQuietly(current);
            current = next;
            currentStart = end;
            segments.put(end, path);
        }
        torn = false;
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            log.debug("closing a journal segment: {}", e.toString());
        }
    }

    /** Starts a new segment at {@link #end}; on a failure nothing has changed. */
    private void roll() throws IOException {
        current.force(false);
        Path p = segmentPath(end);
        FileChannel next = disk.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        closeQuietly(current);
        current = next;
        currentStart = end;
        segments.put(end, p);
        dirty = false;
    }

    /**
     * Up to {@code max} records from {@code from} (a record boundary), not past {@code limit}. Records before a
     * damaged one are returned; a read that starts at a damaged one throws.
     *
     * @throws DamagedRecord when the record at the start cannot be trusted
     * @throws IOException   when the disk fails (worth trying again)
     */
    synchronized List<Entry> read(long from, int max, long limit) throws IOException {
        List<Entry> out = new ArrayList<>();
        long pos = from;
        long stop = Math.min(limit, end);
        ByteBuffer head = ByteBuffer.allocate(HEADER);
        while (out.size() < max && pos < stop) {
            Map.Entry<Long, Path> seg = segments.floorEntry(pos);
            if (seg == null) {
                throw new DamagedRecord("event journal " + dir + ": no segment holds offset " + pos
                        + " (a segment file was removed)", pos, segments.firstKey());
            }
            Long nextStart = segments.higherKey(seg.getKey());
            long segEnd = nextStart == null ? end : nextStart;
            try (FileChannel ch = seg.getKey() == currentStart ? null : disk.open(seg.getValue(),
                    StandardOpenOption.READ)) {
                FileChannel r = ch == null ? current : ch;
                while (out.size() < max && pos < Math.min(stop, segEnd)) {
                    Entry e;
                    try {
                        e = JournalRecords.read(r, head, seg.getKey(), pos, segEnd, dir);
                    } catch (DamagedRecord d) {
                        if (out.isEmpty()) {
                            throw d;
                        }
                        return out; // the next read starts at the damage and reports it
                    }
                    out.add(e);
                    pos = e.end();
                }
            }
            if (pos >= segEnd && nextStart != null) {
                pos = nextStart;
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

    /** Deletes the segments wholly before the mark, then writes the mark now. */
    synchronized void persistAck() throws IOException {
        lastAckWrite = System.nanoTime();
        deleteAcknowledgedSegments();
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
    }

    /** A segment may go once the next one starts at or before the mark (never the current one); returns bytes freed. */
    private long deleteAcknowledgedSegments() throws IOException {
        long freed = 0;
        while (segments.size() > 1) {
            Map.Entry<Long, Path> first = segments.firstEntry();
            Long next = segments.higherKey(first.getKey());
            if (next == null || next > acked) {
                break;
            }
            long size = Files.exists(first.getValue()) ? Files.size(first.getValue()) : 0;
            Files.deleteIfExists(first.getValue());
            segments.remove(first.getKey());
            freed += size;
        }
        return freed;
    }

    /**
     * When the store has every journaled event, moves to a new, empty segment so that the current one can go too, and
     * deletes it: what a journal stopped on a full disk does to give back its own space. Returns the bytes freed (0
     * when something is not yet acknowledged, or nothing is there to free).
     */
    synchronized long releaseAcknowledged() throws IOException {
        if (acked != end || end == currentStart || torn) {
            return 0;
        }
        roll();
        long freed = deleteAcknowledgedSegments();
        persistAck();
        return freed;
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
