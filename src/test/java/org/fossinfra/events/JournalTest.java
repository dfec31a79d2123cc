package org.fossinfra.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".journal")).sorted().toList();
        }
    }
}
