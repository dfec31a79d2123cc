package org.fossinfra.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;

    private static List<Event> events(long firstId, int n) {
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Event(firstId + i, Instant.parse("2026-11-27T10:00:00.123456Z").plusSeconds(i), "t.x",
                    "actor", "subject/" + i, "message ünïcode " + i, Map.of("k", "v" + i), "node-1"));
        }
        return out;
    }

    @Test
    void appendedEventsReadBackEqualAndInOrder() throws IOException {
        try (Journal j = Journal.open(dir, 1 << 20)) {
            List<Event> in = events(1, 10);
            List<Journal.Entry> entries = j.append(in);
            assertThat(entries.getFirst().start()).isZero();
            assertThat(entries.getLast().end()).isEqualTo(j.end());
            List<Journal.Entry> back = j.read(0, 100, Long.MAX_VALUE);
            assertThat(back).extracting(Journal.Entry::event).containsExactlyElementsOf(in);
            assertThat(j.read(entries.get(4).start(), 3, Long.MAX_VALUE)).extracting(e -> e.event().id())
                    .containsExactly(5L, 6L, 7L);
        }
    }

    @Test
    void theAckMarkSurvivesReopeningAndNothingBeforeItIsSentAgain() throws IOException {
        long mark;
        try (Journal j = Journal.open(dir, 1 << 20)) {
            List<Journal.Entry> e = j.append(events(1, 10));
            mark = e.get(5).end();
            j.ack(mark);
        }
        try (Journal j = Journal.open(dir, 1 << 20)) {
            assertThat(j.acked()).isEqualTo(mark);
            assertThat(j.read(j.acked(), 100, Long.MAX_VALUE)).extracting(e -> e.event().id())
                    .containsExactly(7L, 8L, 9L, 10L);
        }
    }

    @Test
    void aTornLastRecordIsCutAndTheOnesBeforeItKept() throws IOException {
        long end;
        try (Journal j = Journal.open(dir, 1 << 20)) {
            j.append(events(1, 3));
            end = j.end();
        }
        Path segment = segments().getFirst();
        // A crash in the middle of a write: half a record at the end.
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 100, 1, 2, 3, 4, 5, 6}));
        }
        try (Journal j = Journal.open(dir, 1 << 20)) {
            assertThat(j.end()).isEqualTo(end);
            assertThat(j.read(0, 100, Long.MAX_VALUE)).hasSize(3);
            j.append(events(4, 1));
            assertThat(j.read(0, 100, Long.MAX_VALUE)).extracting(e -> e.event().id()).containsExactly(1L, 2L, 3L, 4L);
        }
    }

    @Test
    void aDamagedRecordEndsTheSegmentThere() throws IOException {
        List<Journal.Entry> entries;
        try (Journal j = Journal.open(dir, 1 << 20)) {
            entries = j.append(events(1, 3));
        }
        try (FileChannel ch = FileChannel.open(segments().getFirst(), StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {42}), entries.get(2).start() + 20);
        }
        try (Journal j = Journal.open(dir, 1 << 20)) {
            assertThat(j.end()).isEqualTo(entries.get(1).end());
        }
    }

    @Test
    void segmentsRollAndGoOnceAcknowledged() throws IOException {
        try (Journal j = Journal.open(dir, 1024)) {
            List<Journal.Entry> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                all.addAll(j.append(events(1 + i * 5L, 5)));
            }
            assertThat(segments().size()).isGreaterThan(3);
            assertThat(j.read(0, 1000, Long.MAX_VALUE)).extracting(e -> e.event().id())
                    .containsExactlyElementsOf(all.stream().map(e -> e.event().id()).toList());
            j.ack(all.get(80).end());
            j.persistAck();
            assertThat(segments().size()).isLessThan(4);
            assertThat(j.read(j.acked(), 1000, Long.MAX_VALUE)).extracting(e -> e.event().id())
                    .containsExactlyElementsOf(all.subList(81, 100).stream().map(e -> e.event().id()).toList());
        }
        try (Journal j = Journal.open(dir, 1024)) {
            assertThat(j.read(j.acked(), 1000, Long.MAX_VALUE)).hasSize(19);
        }
    }

    // ---- a full disk, torn writes, damaged records ----

    private static List<Long> ids(List<Journal.Entry> entries) {
        return entries.stream().map(e -> e.event().id()).toList();
    }

    @Test
    void aWriteThatFailsHalfWayIsCutBackAndLaterOffsetsStayRight() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        long good;
        try (Journal j = Journal.open(dir, 1 << 20, disk)) {
            j.append(events(1, 3));
            good = j.end();
            disk.failNextWrite(30); // the disk fills up 30 bytes into the next batch
            assertThatThrownBy(() -> j.append(events(4, 3))).isInstanceOf(IOException.class)
                    .hasMessageContaining("No space left");
            assertThat(disk.tornWrites).as("the write really tore").hasValue(1);
            assertThat(j.end()).isEqualTo(good);
            assertThat(Files.size(segments().getFirst())).as("the torn bytes are cut off").isEqualTo(good);
            List<Journal.Entry> later = j.append(events(7, 2));
            assertThat(later.getFirst().start()).as("the next record starts where the last good one ended")
                    .isEqualTo(good);
            assertThat(ids(j.read(0, 100, Long.MAX_VALUE))).containsExactly(1L, 2L, 3L, 7L, 8L);
        }
        try (Journal j = Journal.open(dir, 1 << 20)) {
            assertThat(ids(j.read(0, 100, Long.MAX_VALUE))).containsExactly(1L, 2L, 3L, 7L, 8L);
        }
    }

    @Test
    void whenTheTornBytesCannotBeCutTheJournalGoesOnInANewSegment() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        long good;
        try (Journal j = Journal.open(dir, 1 << 20, disk)) {
            j.append(events(1, 3));
            good = j.end();
            disk.failNextWrite(30);
            disk.failingTruncates.set(1);
            assertThatThrownBy(() -> j.append(events(4, 3))).isInstanceOf(IOException.class);
            List<Journal.Entry> later = j.append(events(7, 2));
            assertThat(later.getFirst().start()).isEqualTo(good);
            assertThat(segments()).extracting(p -> p.getFileName().toString())
                    .containsExactly("00000000000000000000.journal", String.format("%020d.journal", good));
            assertThat(Files.size(segments().getFirst())).as("the torn bytes stay behind the segment's end")
                    .isEqualTo(good + 30);
            assertThat(ids(j.read(0, 100, Long.MAX_VALUE))).containsExactly(1L, 2L, 3L, 7L, 8L);
        }
        try (Journal j = Journal.open(dir, 1 << 20)) {
            assertThat(ids(j.read(0, 100, Long.MAX_VALUE))).containsExactly(1L, 2L, 3L, 7L, 8L);
            j.append(events(9, 1));
            assertThat(ids(j.read(0, 100, Long.MAX_VALUE))).containsExactly(1L, 2L, 3L, 7L, 8L, 9L);
        }
    }

    @Test
    void aFailedFirstWriteOfASegmentThatCannotBeCutStartsTheSegmentAfresh() throws IOException {
        FaultyDisk disk = new FaultyDisk();
        try (Journal j = Journal.open(dir, 1 << 20, disk)) {
            disk.failNextWrite(30);
            disk.failingTruncates.set(1);
            assertThatThrownBy(() -> j.append(events(1, 3))).isInstanceOf(IOException.class);
            j.append(events(4, 2));
            assertThat(ids(j.read(0, 100, Long.MAX_VALUE))).containsExactly(4L, 5L);
        }
        try (Journal j = Journal.open(dir, 1 << 20)) {
            assertThat(ids(j.read(0, 100, Long.MAX_VALUE))).containsExactly(4L, 5L);
        }
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private void scribble(Path file, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
        }
    }

    @Test
    void aGarbageLengthIsDamageAndIsNeverAllocated() throws IOException {
        try (Journal j = Journal.open(dir, 1 << 20)) {
            List<Journal.Entry> entries = j.append(events(1, 5));
            long third = entries.get(2).start();
            // What a torn write with offsets from the old end looked like: a length of almost 2 GiB.
            scribble(segments().getFirst(), third, ByteBuffer.allocate(4).putInt(0x7ff0_0000).array());
            long before = allocatedByThisThread();
            assertThat(ids(j.read(0, 100, Long.MAX_VALUE))).as("the records before the damage")
                    .containsExactly(1L, 2L);
            assertThatThrownBy(() -> j.read(third, 100, Long.MAX_VALUE))
                    .isInstanceOfSatisfying(DamagedRecord.class, d -> {
                        assertThat(d.at()).isEqualTo(third);
                        assertThat(d.resumeAt()).isEqualTo(j.end());
                    })
                    .hasMessageContaining("length 2146435072");
            assertThat(allocatedByThisThread() - before).as("bytes allocated reading it").isLessThan(1 << 20);
            scribble(segments().getFirst(), third, ByteBuffer.allocate(4).putInt(-8).array());
            assertThatThrownBy(() -> j.read(third, 100, Long.MAX_VALUE)).isInstanceOf(DamagedRecord.class)
                    .hasMessageContaining("length -8");
        }
    }

    @Test
    void aRecordWhoseChecksumFailsIsDamageNotAnEvent() throws IOException {
        try (Journal j = Journal.open(dir, 1 << 20)) {
            List<Journal.Entry> entries = j.append(events(1, 3));
            // One byte of the second event's data value ("v1" becomes "w1"): it would still decode.
            long at = entries.get(1).end() - 2;
            scribble(segments().getFirst(), at, new byte[] {'w'});
            assertThat(ids(j.read(0, 100, Long.MAX_VALUE))).containsExactly(1L);
            assertThatThrownBy(() -> j.read(entries.get(1).start(), 100, Long.MAX_VALUE))
                    .isInstanceOf(DamagedRecord.class).hasMessageContaining("checksum");
        }
    }

    @Test
    void damageInAnEarlierSegmentResumesAtTheNextSegment() throws IOException {
        try (Journal j = Journal.open(dir, 1024)) {
            List<Journal.Entry> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.addAll(j.append(events(1 + i * 5L, 5)));
            }
            Path first = segments().getFirst();
            scribble(first, all.get(1).start(), ByteBuffer.allocate(4).putInt(999_999).array());
            long second = Long.parseLong(segments().get(1).getFileName().toString().substring(0, 20));
            assertThatThrownBy(() -> j.read(all.get(1).start(), 100, Long.MAX_VALUE))
                    .isInstanceOfSatisfying(DamagedRecord.class,
                            d -> assertThat(d.resumeAt()).isEqualTo(second));
            assertThat(j.read(second, 1, Long.MAX_VALUE).getFirst().start()).isEqualTo(second);
        }
    }

    @Test
    void aTornTailFoundAtOpenIsCutAndReportedOnce() throws IOException {
        try (Journal j = Journal.open(dir, 1 << 20)) {
            j.append(events(1, 3));
        }
        try (FileChannel ch = FileChannel.open(segments().getFirst(), StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x7f, 0, 0, 0, 1, 2, 3, 4, 5, 6}));
        }
        List<String> reports = new ArrayList<>();
        try (Journal j = Journal.open(dir, 1 << 20, JournalDisk.REAL, reports::add)) {
            assertThat(ids(j.read(0, 100, Long.MAX_VALUE))).containsExactly(1L, 2L, 3L);
        }
        assertThat(reports).hasSize(1);
        assertThat(reports.getFirst()).contains("cut 10 bytes");
    }

    @Test
    void whenTheStoreHasEverythingTheCurrentSegmentCanBeReleased() throws IOException {
        long end;
        try (Journal j = Journal.open(dir, 1 << 20)) {
            j.append(events(1, 50));
            end = j.end();
            j.ack(end);
            assertThat(j.releaseAcknowledged()).as("bytes freed").isEqualTo(end);
            assertThat(segments()).extracting(p -> p.getFileName().toString())
                    .containsExactly(String.format("%020d.journal", end));
            assertThat(Files.size(segments().getFirst())).isZero();
            j.append(events(51, 1));
        }
        try (Journal j = Journal.open(dir, 1 << 20)) {
            assertThat(ids(j.read(j.acked(), 100, Long.MAX_VALUE))).containsExactly(51L);
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".journal")).sorted().toList();
        }
    }
}
