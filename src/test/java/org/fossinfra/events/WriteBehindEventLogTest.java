package org.fossinfra.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.fossinfra.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBehindEventLogTest {
    @TempDir
    Path dir;

    /** A store that keeps what it is sent, skips what it has (as PostgreSQL's ON CONFLICT does), and can fail or hang. */
    static final class FakeStore implements EventStore {
        final Set<String> keys = ConcurrentHashMap.newKeySet();
        final List<Event> stored = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger calls = new AtomicInteger();
        volatile String failure;
        volatile CountDownLatch hang;
        /** Inserts still to fail with an Error (not an Exception): a failure nobody planned for. */
        final AtomicInteger errors = new AtomicInteger();

        @Override
        public int insert(List<Event> batch) throws Exception {
            calls.incrementAndGet();
            CountDownLatch h = hang;
            if (h != null) {
                h.await();
            }
            if (failure != null) {
                throw new Exception(failure);
            }
            if (errors.get() > 0 && errors.getAndDecrement() > 0) {
                throw new InternalError("injected: the driver blew up");
            }
            int n = 0;
            for (Event e : batch) {
                if (keys.add(e.node() + "/" + e.id() + "/" + e.time())) {
                    stored.add(e);
                    n++;
                }
            }
            return n;
        }

        @Override
        public EventPage query(EventQuery query, StoreStatus status) {
            throw new UnsupportedOperationException();
        }
    }

    private DurableEventLog log(int buffer, int batch) {
        return EventLog.writeBehind(new WriteBehindConfig("n1", 100_000, dir.resolve("journal"), buffer, batch,
                Duration.ofSeconds(5)));
    }

    private WriteBehindEventLog log(FaultyDisk disk, int buffer, int batch, long minFree, long segmentBytes) {
        return new WriteBehindEventLog(new WriteBehindConfig("n1", 100_000, dir.resolve("journal"), buffer, batch,
                Duration.ofSeconds(5), minFree), disk, segmentBytes);
    }

    private static Set<Long> ids(List<Event> events) {
        Set<Long> out = new HashSet<>();
        events.forEach(e -> out.add(e.id()));
        return out;
    }

    private static void drained(DurableEventLog log) throws InterruptedException {
        Eventually.until(Duration.ofSeconds(20), "all written: " + log.stats(), () -> log.stats().waiting() == 0 && log.stats().journalBytes() == 0);
    }

    @Test
    void everyEventReachesTheStoreExactlyOnceAcrossAnOutage() throws Exception {
        FakeStore store = new FakeStore();
        // Accepted and refused, as the log answered each writer: on a starved machine the journal thread can fall a
        // whole buffer behind, and then events are refused (visibly), never lost once accepted.
        Set<Long> accepted = ConcurrentHashMap.newKeySet();
        Set<Long> refused = ConcurrentHashMap.newKeySet();
        try (DurableEventLog log = log(1000, 50)) {
            log.attach(store, "fake");
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int n = t;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 2000; i++) {
                        switch (log.recordDurably("load", "test", "w" + n, "event " + i, java.util.Map.of())) {
                            case Recorded.Accepted a -> accepted.add(a.event().id());
                            case Recorded.Refused r -> refused.add(r.event().id());
                        }
                        if (i % 100 == 0) {
                            try {
                                Thread.sleep(5);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                }));
                if (t == 1) {
                    store.failure = "PostgreSQL at 127.0.0.1:5432 refused the password of user 'foss'";
                }
            }
            Thread.sleep(1500);
            store.failure = null;
            for (Thread w : writers) {
                w.join();
            }
            drained(log);
            List<Event> all = log.recent(Integer.MAX_VALUE, null);
            assertThat(accepted.size() + refused.size()).isEqualTo(8000);
            assertThat(ids(store.stored)).containsAll(accepted).noneMatch(refused::contains);
            assertThat(ids(all)).containsAll(ids(store.stored));
            assertThat(store.stored).as("everything not refused, the log's own events included")
                    .hasSize((int) (all.size() - log.stats().dropped()));
            assertThat(store.keys).hasSize(store.stored.size());
            assertThat(log.recent(100, EventType.STORE_UNAVAILABLE)).as("one event for the outage, not one per retry")
                    .hasSize(1);
            assertThat(log.recent(100, EventType.STORE_UNAVAILABLE).getFirst().message()).contains("refused the password");
            assertThat(log.storeStatus().state()).isEqualTo(StoreStatus.State.AVAILABLE);
            assertThat(store.calls.get()).isGreaterThan(2);
        }
    }

    @Test
    void recordingNeverWaitsForAHungStore() throws Exception {
        FakeStore store = new FakeStore();
        store.hang = new CountDownLatch(1);
        try (DurableEventLog log = log(20_000, 100)) {
            log.attach(store, "fake");
            // The store stays hung until the end of this test: a record() that waited for it would never return, so
            // the bound only has to be finite, not tight (a tight one measured the machine's load, not the design).
            CompletableFuture<Void> recording = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 10_000; i++) {
                    log.record("load", "test", "s", "event " + i);
                }
            });
            assertThat(recording).as("10,000 records with the store hung").succeedsWithin(Duration.ofSeconds(60));
            assertThat(store.hang.getCount()).as("the store was hung throughout").isEqualTo(1);
            Eventually.until(Duration.ofSeconds(10), "journaled", () -> log.stats().journaled() >= 10_001);
            assertThat(log.stats().dropped()).isZero();
            store.hang.countDown();
            store.hang = null;
            drained(log);
            assertThat(store.stored).hasSize(log.recent(Integer.MAX_VALUE, null).size());
        }
    }

    @Test
    void eventsJournaledWithoutAStoreAreWrittenAtTheNextStart() throws Exception {
        List<Event> first;
        try (DurableEventLog log = log(1000, 50)) {
            for (int i = 0; i < 300; i++) {
                log.record("early", "test", "s", "before any store " + i);
            }
            first = log.recent(Integer.MAX_VALUE, "early");
            assertThat(log.query(EventQuery.newest(10, null)).source()).isEqualTo(EventPage.Source.MEMORY);
            assertThat(log.query(EventQuery.newest(10, null)).store().state()).isEqualTo(StoreStatus.State.STARTING);
        }
        FakeStore store = new FakeStore();
        try (DurableEventLog log = log(1000, 50)) {
            Event later = log.record("later", "test", "s", "after restart");
            assertThat(later.id()).as("ids never repeat across runs").isGreaterThan(first.getFirst().id());
            log.attach(store, "fake");
            drained(log);
            assertThat(ids(store.stored)).containsAll(ids(first)).contains(later.id());
        }
    }

    @Test
    void aCrashBeforeTheMarkWasKeptResendsAndTheStoreSkipsEveryDuplicate() throws Exception {
        FakeStore store = new FakeStore();
        try (DurableEventLog log = log(1000, 50)) {
            log.attach(store, "fake");
            for (int i = 0; i < 500; i++) {
                log.record("x", "test", "s", "e" + i);
            }
            drained(log);
        }
        int stored = store.stored.size();
        // As if the process died before the mark reached the disk: everything is sent again.
        Files.delete(dir.resolve("journal/ack"));
        try (DurableEventLog log = log(1000, 50)) {
            log.attach(store, "fake");
            drained(log);
            assertThat(log.stats().duplicates()).isGreaterThanOrEqualTo(500);
        }
        assertThat(store.stored.size()).as("only the new run's own events were added").isLessThan(stored + 5);
        assertThat(store.keys).hasSize(store.stored.size());
    }

    @Test
    void anOutageIsReportedOnceWhateverItsCausesAndTheDetailFollowsTheLatest() throws Exception {
        try (DurableEventLog log = log(1000, 50)) {
            log.storeUnavailable("nothing accepts connections at 127.0.0.1:1 (connection refused)");
            log.storeUnavailable("nothing accepts connections at 127.0.0.1:1 (connection refused)");
            log.storeUnavailable("PostgreSQL at 127.0.0.1:5432 refused the password of user 'foss'");
            assertThat(log.recent(10, EventType.STORE_UNAVAILABLE)).hasSize(1);
            EventPage page = log.query(EventQuery.newest(5, null));
            assertThat(page.source()).isEqualTo(EventPage.Source.MEMORY);
            assertThat(page.store().detail()).contains("refused the password");
        }
    }

    // ---- failures nobody planned for, a full disk, damage ----

    @Test
    void theWriterThreadCarriesOnAfterAnErrorFromTheStore() throws Exception {
        FakeStore store = new FakeStore();
        store.errors.set(3);
        try (DurableEventLog log = log(1000, 50)) {
            for (int i = 0; i < 200; i++) {
                log.record("x", "test", "s", "e" + i);
            }
            log.attach(store, "fake");
            drained(log);
            assertThat(ids(store.stored)).isEqualTo(ids(log.recent(Integer.MAX_VALUE, null)));
            assertThat(store.keys).hasSize(store.stored.size());
            List<Event> failed = log.recent(10, EventType.JOURNAL_THREAD_FAILED);
            assertThat(failed).as("one event for the three failures").hasSize(1);
            assertThat(failed.getFirst().message()).contains("event-writer").contains("injected: the driver blew up");
        }
    }

    @Test
    void theJournalThreadCarriesOnAfterAnErrorFromTheDisk() throws Exception {
        FaultyDisk disk = new FaultyDisk();
        FakeStore store = new FakeStore();
        try (DurableEventLog log = log(disk, 1000, 50, 0, WriteBehindEventLog.SEGMENT_BYTES)) {
            log.attach(store, "fake");
            drained(log);
            disk.writeError.set(new InternalError("injected: the file system driver blew up"));
            for (int i = 0; i < 200; i++) {
                log.record("x", "test", "s", "e" + i);
            }
            drained(log);
            assertThat(disk.writeError.get()).as("the error was thrown").isNull();
            assertThat(ids(store.stored)).isEqualTo(ids(log.recent(Integer.MAX_VALUE, null)));
            assertThat(store.keys).hasSize(store.stored.size());
            assertThat(log.recent(10, EventType.JOURNAL_THREAD_FAILED)).hasSize(1);
            assertThat(log.recent(10, EventType.JOURNAL_THREAD_FAILED).getFirst().message())
                    .contains("event-journal").contains("injected");
        }
    }

    @Test
    void aWriteTornByAFullDiskIsRetriedAndEveryEventArrivesOnce() throws Exception {
        FaultyDisk disk = new FaultyDisk();
        FakeStore store = new FakeStore();
        try (DurableEventLog log = log(disk, 1000, 50, 0, WriteBehindEventLog.SEGMENT_BYTES)) {
            log.attach(store, "fake");
            drained(log);
            disk.tearAfter.set(100);
            disk.failingWrites.set(3);
            for (int i = 0; i < 200; i++) {
                log.record("x", "test", "s", "e" + i);
            }
            Eventually.until(Duration.ofSeconds(10), "three torn writes", () -> disk.failingWrites.get() <= 0);
            drained(log);
            assertThat(disk.tornWrites).hasValue(3);
            assertThat(ids(store.stored)).isEqualTo(ids(log.recent(Integer.MAX_VALUE, null)));
            assertThat(store.keys).hasSize(store.stored.size());
            assertThat(log.recent(10, EventType.JOURNAL_STOPPED)).as("one stop for the three failures").hasSize(1);
            assertThat(log.recent(10, EventType.JOURNAL_STOPPED).getFirst().message()).contains("No space left");
            assertThat(log.recent(10, EventType.JOURNAL_RESUMED)).hasSize(1);
            assertThat(log.stats().dropped()).isZero();
        }
    }

    @Test
    void theReportsOfAnAppendFailureThatFilledTheBufferArePersistedToo() throws Exception {
        FaultyDisk disk = new FaultyDisk();
        FakeStore store = new FakeStore();
        try (WriteBehindEventLog log = log(disk, 100, 10, 0, WriteBehindEventLog.SEGMENT_BYTES)) {
            log.attach(store, "fake");
            drained(log);
            disk.tearAfter.set(10);
            disk.failingWrites.set(Integer.MAX_VALUE);
            log.record("x", "test", "s", "the first that fails");
            Eventually.until(Duration.ofSeconds(10), "journaling stopped",
                    () -> !log.recent(10, EventType.JOURNAL_STOPPED).isEmpty());
            int refused = 0;
            for (int i = 0; i < 300; i++) {
                if (log.recordDurably("x", "test", "s", "e" + i, java.util.Map.of()) instanceof Recorded.Refused) {
                    refused++;
                }
            }
            assertThat(refused).as("the buffer filled up").isPositive();
            disk.failingWrites.set(0);
            Eventually.until(Duration.ofSeconds(10), "journaling again",
                    () -> !log.recent(10, EventType.JOURNAL_RESUMED).isEmpty()
                            && !log.recent(10, EventType.JOURNAL_DROPPED).isEmpty());
            drained(log);
            assertThat(ids(store.stored)).as("the resume and the drop count reached the store")
                    .contains(log.recent(1, EventType.JOURNAL_RESUMED).getFirst().id(),
                            log.recent(1, EventType.JOURNAL_DROPPED).getFirst().id());
            assertThat(log.recent(1, EventType.JOURNAL_DROPPED).getFirst().data())
                    .containsEntry("count", Integer.toString(refused));
        }
    }

    @Test
    void belowTheFreeSpaceFloorJournalingStopsAndEveryAcceptedEventArrivesOnceWhenSpaceIsBack() throws Exception {
        FaultyDisk disk = new FaultyDisk();
        disk.usable.set(10 << 20);
        FakeStore store = new FakeStore();
        try (WriteBehindEventLog log = log(disk, 100, 10, 1 << 20, WriteBehindEventLog.SEGMENT_BYTES)) {
            log.attach(store, "fake");
            for (int i = 0; i < 20; i++) {
                log.record("before", "test", "s", "e" + i);
            }
            drained(log);
            disk.usable.set(512 << 10);
            Eventually.until(Duration.ofSeconds(10), "journaling stopped",
                    () -> !log.recent(10, EventType.JOURNAL_STOPPED).isEmpty());
            assertThat(log.recent(10, EventType.JOURNAL_STOPPED).getFirst().message())
                    .contains("512 KiB free").contains("below the floor of 1 MiB");
            long journaledAtStop = log.stats().journaled();
            List<Event> accepted = new ArrayList<>();
            List<Event> refused = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                switch (log.recordDurably("during", "test", "s", "e" + i, java.util.Map.of())) {
                    case Recorded.Accepted a -> accepted.add(a.event());
                    case Recorded.Refused r -> {
                        refused.add(r.event());
                        assertThat(r.reason()).contains("journaling is stopped");
                    }
                }
            }
            // The buffer of 100 holds the journal.stopped event and 99 more.
            assertThat(accepted).as("as many as the buffer holds").hasSize(99);
            assertThat(refused).hasSize(201);
            assertThat(log.stats().journaled()).as("nothing journaled below the floor").isEqualTo(journaledAtStop);
            disk.usable.set(10 << 20);
            Eventually.until(Duration.ofSeconds(10), "journaling again",
                    () -> !log.recent(10, EventType.JOURNAL_RESUMED).isEmpty());
            drained(log);
            assertThat(ids(store.stored)).containsAll(ids(accepted)).doesNotContainAnyElementsOf(ids(refused));
            assertThat(store.keys).hasSize(store.stored.size());
            List<Event> dropped = log.recent(10, EventType.JOURNAL_DROPPED);
            assertThat(dropped).hasSize(1);
            assertThat(dropped.getFirst().data()).containsEntry("count", "201");
            assertThat(log.stats().dropped()).isEqualTo(201);
            assertThat(ids(store.stored)).contains(dropped.getFirst().id(),
                    log.recent(1, EventType.JOURNAL_STOPPED).getFirst().id(),
                    log.recent(1, EventType.JOURNAL_RESUMED).getFirst().id());
        }
    }

    @Test
    void aDamagedRecordInTheBacklogIsSkippedWithOneEventAndTheRestArrives() throws Exception {
        List<Event> first;
        try (DurableEventLog log = log(new FaultyDisk(), 1000, 50, 0, 2048)) {
            // In bursts, each journaled before the next, so that they fill several segments of 2 KiB.
            for (int burst = 0; burst < 5; burst++) {
                for (int i = 0; i < 20; i++) {
                    log.record("backlog", "test", "s", "e" + i);
                }
                long n = (burst + 1) * 20L;
                Eventually.until(Duration.ofSeconds(10), "journaled", () -> log.stats().journaled() >= n);
            }
            first = log.recent(Integer.MAX_VALUE, "backlog").reversed();
        }
        // A garbage length in the third record of the first segment (not the last: opening only checks the last).
        Path segment;
        try (var files = Files.list(dir.resolve("journal"))) {
            List<Path> segments = files.filter(p -> p.toString().endsWith(".journal")).sorted().toList();
            assertThat(segments).hasSizeGreaterThan(2);
            segment = segments.getFirst();
        }
        int third;
        int lost;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(segment,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer all = java.nio.ByteBuffer.allocate((int) ch.size());
            ch.read(all, 0);
            int pos = 0;
            int records = 0;
            third = -1;
            while (pos < all.capacity()) {
                if (records == 2) {
                    third = pos;
                }
                pos += 8 + all.getInt(pos);
                records++;
            }
            lost = records - 2;
            ch.write(java.nio.ByteBuffer.allocate(4).putInt(0, 0x7ff0_0000), third);
        }
        FakeStore store = new FakeStore();
        try (DurableEventLog log = log(new FaultyDisk(), 1000, 50, 0, 2048)) {
            log.attach(store, "fake");
            long last = first.getLast().id();
            Eventually.until(Duration.ofSeconds(20), "the backlog written: " + log.stats(),
                    () -> ids(store.stored).contains(last) && log.stats().journalBytes() == 0);
            List<Event> damaged = log.recent(10, EventType.JOURNAL_DAMAGED);
            assertThat(damaged).hasSize(1);
            assertThat(damaged.getFirst().message()).contains("length 2146435072").contains("skipped");
            Set<Long> expected = ids(first);
            first.subList(2, 2 + lost).forEach(e -> expected.remove(e.id()));
            assertThat(ids(store.stored)).containsAll(expected);
            assertThat(ids(store.stored)).doesNotContainAnyElementsOf(ids(first.subList(2, 2 + lost)));
            Event later = log.record("later", "test", "s", "the writer goes on");
            drained(log);
            assertThat(ids(store.stored)).contains(later.id());
        }
    }

    @Test
    void memoryPagesFollowTheCursor() {
        EventLog log = EventLog.inMemory(100);
        for (int i = 0; i < 25; i++) {
            log.record(i % 2 == 0 ? "even" : "odd", "a", "s", "m" + i);
        }
        EventPage p1 = log.query(new EventQuery("even", null, null, null, 5));
        assertThat(p1.events()).extracting(Event::message).containsExactly("m24", "m22", "m20", "m18", "m16");
        EventPage p2 = log.query(new EventQuery("even", null, null, p1.next().orElseThrow(), 5));
        assertThat(p2.events()).extracting(Event::message).containsExactly("m14", "m12", "m10", "m8", "m6");
        EventPage p3 = log.query(new EventQuery("even", null, null, p2.next().orElseThrow(), 5));
        assertThat(p3.events()).extracting(Event::message).containsExactly("m4", "m2", "m0");
        assertThat(p3.next()).isEmpty();
    }
}
