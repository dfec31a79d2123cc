package org.fossinfra.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
        try (DurableEventLog log = log(1000, 50)) {
            log.attach(store, "fake");
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int n = t;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 2000; i++) {
                        log.record("load", "test", "w" + n, "event " + i);
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
            assertThat(store.stored).hasSize(all.size());
            assertThat(ids(store.stored)).isEqualTo(ids(all));
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
            long t0 = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                log.record("load", "test", "s", "event " + i);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("10,000 records with the store hung").isLessThan(2_000);
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
