package org.fossinfra.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventPage;
import org.fossinfra.events.EventQuery;
import org.fossinfra.events.EventType;
import org.fossinfra.events.StoreStatus;
import org.fossinfra.testing.services.TestDatabases;
import org.fossinfra.testing.services.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event store on the test run's real PostgreSQL (scripts/test-services.sh), each test on a database of its own:
 * keyset pages newest first, the type and time filters, no event twice and none missed across pages (also while newer
 * events arrive), and migrations that are safe to run again and on two nodes at once.
 */
class PostgresEventStoreTest {
    private static final String GEN = "generator";
    @TempDir
    Path dir;
    private TestDatabases db;

    @BeforeEach
    void createDatabase() throws Exception {
        db = TestDatabases.create("events");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    private DatabaseConfig config(String node) {
        return TestStores.config(db.owner(), dir.resolve(node));
    }

    /**
     * 300 events over 100 seconds two days ago, three per second (so pages often end between events of the same
     * instant, where only the id orders them): every third one of type test.a, the others test.b. Returns them by seq.
     */
    private static List<Event> generate(Instant base) {
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            out.add(new Event(i + 1, base.plusSeconds(i / 3), i % 3 == 0 ? "test.a" : "test.b", "gen",
                    "item/" + i, "event " + i, Map.of("i", Integer.toString(i)), GEN));
        }
        return out;
    }

    /** Every page of {@code q}, following the cursors; {@code between} runs after the first page. */
    private static List<Event> allPages(PostgresEventStore store, EventQuery q, Runnable between) throws Exception {
        List<Event> out = new ArrayList<>();
        EventQuery next = q;
        for (int pages = 0; pages < 1000; pages++) {
            EventPage p = store.query(next, StoreStatus.disabled());
            assertThat(p.source()).isEqualTo(EventPage.Source.STORE);
            assertThat(p.events().size()).isLessThanOrEqualTo(q.limit());
            out.addAll(p.events());
            if (pages == 0) {
                between.run();
            }
            if (p.next().isEmpty()) {
                return out;
            }
            assertThat(p.events()).as("a page with a next cursor is full").hasSize(q.limit());
            next = new EventQuery(q.type(), q.since(), q.until(), p.next().get(), q.limit(), q.search());
        }
        throw new AssertionError("more than 1000 pages");
    }

    /** The generator's events as (created_at DESC, id DESC) orders them, read in one query: the reference order. */
    private List<Long> referenceOrder(Predicate<Event> which, List<Event> generated) throws Exception {
        List<Long> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT seq FROM events WHERE node = '" + GEN + "' ORDER BY created_at DESC, id DESC")) {
            while (rs.next()) {
                long seq = rs.getLong(1);
                if (which.test(generated.get((int) seq - 1))) {
                    out.add(seq);
                }
            }
        }
        return out;
    }

    private static List<Long> generatorSeqs(List<Event> events) {
        return events.stream().filter(e -> e.node().equals(GEN)).map(Event::id).toList();
    }

    @Test
    void pagesAreNewestFirstWithoutDuplicatesOrGapsAndHonourTypeAndTimeRange() throws Exception {
        DatabaseConfig c = config("n1");
        try (DurableEventLog log = TestStores.log("n1", c); Database database = Database.start(c, "n1", log)) {
            assertThat(database.awaitReady(Duration.ofSeconds(60))).as("store ready").isTrue();
            TestStores.drained(log, Duration.ofSeconds(30));
            PostgresEventStore store = new PostgresEventStore(database.dataSource().orElseThrow(),
                    c.retention(), Clock.systemUTC(), Throwable::toString);
            Instant base = Instant.now().minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
            List<Event> generated = generate(base);
            for (int i = 0; i < generated.size(); i += 100) {
                assertThat(store.insert(generated.subList(i, i + 100))).isEqualTo(100);
            }
            assertThat(store.insert(generated.subList(0, 100))).as("a batch sent again is skipped").isZero();

            // All types, 7 a page: 43 pages, the last one short.
            List<Event> all = allPages(store, new EventQuery(null, null, null, null, 7), () -> { });
            List<Long> seqs = generatorSeqs(all);
            assertThat(new HashSet<>(seqs)).as("no duplicates").hasSize(seqs.size());
            assertThat(seqs).as("every event once, in (time, id) order newest first")
                    .containsExactlyElementsOf(referenceOrder(e -> true, generated));
            assertThat(seqs).hasSize(300);
            for (int i = 1; i < all.size(); i++) {
                assertThat(all.get(i).time()).as("newest first").isBeforeOrEqualTo(all.get(i - 1).time());
            }
            assertThat(all.getFirst().type()).as("the log's own events are newer than the generated ones")
                    .isEqualTo(EventType.STORE_AVAILABLE);
            Event sample = all.stream().filter(e -> e.node().equals(GEN) && e.id() == 42).findFirst().orElseThrow();
            assertThat(sample).isEqualTo(generated.get(41));

            // One type, 13 a page.
            List<Event> a = allPages(store, new EventQuery("test.a", null, null, null, 13), () -> { });
            assertThat(a).allMatch(e -> e.type().equals("test.a"));
            assertThat(generatorSeqs(a)).hasSize(100)
                    .containsExactlyElementsOf(referenceOrder(e -> e.type().equals("test.a"), generated));

            // A time range: since is inclusive, until exclusive; seconds 10..19 hold events 30..59.
            EventQuery range = new EventQuery(null, base.plusSeconds(10), base.plusSeconds(20), null, 4);
            List<Event> inRange = allPages(store, range, () -> { });
            assertThat(generatorSeqs(inRange)).hasSize(30).containsExactlyElementsOf(referenceOrder(
                    e -> !e.time().isBefore(base.plusSeconds(10)) && e.time().isBefore(base.plusSeconds(20)),
                    generated));
            assertThat(inRange).extracting(Event::id).allMatch(id -> id >= 31 && id <= 60);

            // Type and range together.
            List<Event> both = allPages(store, new EventQuery("test.b", base.plusSeconds(10), base.plusSeconds(20),
                    null, 3), () -> { });
            assertThat(both).hasSize(20).allMatch(e -> e.type().equals("test.b"));

            // A search: any case, in the subject here; LIKE's wildcards are taken literally.
            List<Event> found = allPages(store, new EventQuery(null, null, null, null, 5, "ITEM/4"), () -> { });
            assertThat(generatorSeqs(found)).containsExactlyElementsOf(referenceOrder(
                    e -> e.subject().startsWith("item/4"), generated)).hasSize(11);
            assertThat(generatorSeqs(allPages(store, new EventQuery(null, null, null, null, 50, "_"), () -> { })))
                    .as("'_' is an underscore, not any character").isEmpty();
            assertThat(generatorSeqs(allPages(store, new EventQuery("test.a", null, null, null, 50, "event 29"),
                    () -> { }))).containsExactly(298L, 295L, 292L);

            // Newer events arriving between pages neither repeat nor push anything out of the following pages.
            List<Long> before = referenceOrder(e -> true, generated);
            List<Event> newer = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                newer.add(new Event(1000 + i, Instant.now(), "test.a", "gen", "late/" + i, "late", Map.of(), GEN));
            }
            List<Event> whileWriting = allPages(store, new EventQuery(null, null, null, null, 25), () -> {
                try {
                    store.insert(newer);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(generatorSeqs(whileWriting)).containsExactlyElementsOf(before);

            // Through the event log: the page comes from the store, and says so.
            EventPage viaLog = log.query(new EventQuery("test.a", null, null, null, 5));
            assertThat(viaLog.source()).isEqualTo(EventPage.Source.STORE);
            assertThat(viaLog.store().state()).isEqualTo(StoreStatus.State.AVAILABLE);
            assertThat(viaLog.events()).extracting(Event::id).containsExactly(1009L, 1008L, 1007L, 1006L, 1005L);

            assertThatThrownBy(() -> store.query(new EventQuery(null, null, null, "m123", 5), StoreStatus.disabled()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a cursor of the event store");
        }
    }

    @Test
    void migrationsAreSafeOnTwoNodesAtOnceAndWhenRunAgain() throws Exception {
        DatabaseConfig c1 = config("n1");
        DatabaseConfig c2 = config("n2");
        try (DurableEventLog log1 = TestStores.log("n1", c1); DurableEventLog log2 = TestStores.log("n2", c2);
             Database d1 = Database.start(c1, "n1", log1); Database d2 = Database.start(c2, "n2", log2)) {
            assertThat(d1.awaitReady(Duration.ofSeconds(60))).isTrue();
            assertThat(d2.awaitReady(Duration.ofSeconds(60))).isTrue();
            log1.record("test.node", "test", "n1", "from n1");
            log2.record("test.node", "test", "n2", "from n2");
            TestStores.drained(log1, Duration.ofSeconds(30));
            TestStores.drained(log2, Duration.ofSeconds(30));
            assertThat(log1.recent(10, EventType.STORE_UNAVAILABLE)).as("node 1 never failed").isEmpty();
            assertThat(log2.recent(10, EventType.STORE_UNAVAILABLE)).as("node 2 never failed").isEmpty();
            assertThat(d1.attempts()).isEqualTo(1);
            assertThat(d2.attempts()).isEqualTo(1);
        }
        assertThat(appliedMigrations()).containsExactly("1");
        DatabaseConfig c3 = config("n3");
        try (DurableEventLog log = TestStores.log("n3", c3); Database d = Database.start(c3, "n3", log)) {
            assertThat(d.awaitReady(Duration.ofSeconds(60))).as("a start on a migrated database").isTrue();
            assertThat(d.attempts()).isEqualTo(1);
            EventPage page = log.query(new EventQuery("test.node", null, null, null, 10));
            assertThat(page.events()).extracting(Event::node).containsExactlyInAnyOrder("n1", "n2");
        }
        assertThat(appliedMigrations()).as("nothing applied twice").containsExactly("1");
    }

    private List<String> appliedMigrations() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
