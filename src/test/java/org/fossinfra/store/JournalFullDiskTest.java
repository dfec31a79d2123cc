package org.fossinfra.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.fossinfra.events.Recorded;
import org.fossinfra.events.WriteBehindConfig;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.TestDatabases;
import org.fossinfra.testing.services.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal on a really full disk during a database outage: a tmpfs of 2 MiB mounted for the test (we run as root,
 * as CI does; the test fails, never skips, when it cannot mount) holds the journal, and the test run's real
 * PostgreSQL is made unreachable by locking the test's database ({@code ALLOW_CONNECTIONS false}, its sessions
 * ended: every insert and every new connection is refused), then unlocked. A ballast file fills the tmpfs while
 * PostgreSQL is away, and is removed again; then every event that {@code recordDurably} accepted must be in the
 * {@code events} table exactly once, and none that it refused.
 */
class JournalFullDiskTest {
    private static final int BUFFER = 500;
    private static final int BATCH = 50;
    private static final long TMPFS_BYTES = 2L << 20;

    @TempDir
    Path dir;

    /** What the test recorded, by outcome. */
    private final List<Event> accepted = new ArrayList<>();
    private final List<Event> refused = new ArrayList<>();

    @Test
    void belowTheFloorJournalingStopsAndEveryAcceptedEventArrivesExactlyOnce() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(dir.resolve("mnt"), TMPFS_BYTES);
             TestDatabases db = TestDatabases.create("fulldisk")) {
            DatabaseConfig c = new DatabaseConfig(db.owner(), 4, DatabaseConfig.DEFAULT_RETENTION, BATCH, BUFFER,
                    disk.dir().resolve("journal"), 512L << 10);
            try (DurableEventLog log = log("floor-node", c); Database database = Database.start(c, "floor-node", log)) {
                assertThat(database.awaitReady(Duration.ofSeconds(60))).isTrue();
                record(log, "before", 100);
                TestStores.drained(log, Duration.ofSeconds(30));

                outage(db, log);
                recordPaced(log, "outage", 1000);
                long ballast = disk.fill();
                assertThat(ballast).as("bytes of ballast").isPositive();
                Eventually.until(Duration.ofSeconds(10), "journaling stopped",
                        () -> !log.recent(10, EventType.JOURNAL_STOPPED).isEmpty());
                assertThat(log.recent(10, EventType.JOURNAL_STOPPED).getFirst().message())
                        .contains("below the floor of 512 KiB");
                int refusedBefore = refused.size();
                record(log, "full", 2000);
                assertThat(refused.size() - refusedBefore).as("refused while the buffer was full").isPositive();

                disk.emptyBallast();
                Eventually.until(Duration.ofSeconds(10), "journaling again",
                        () -> !log.recent(10, EventType.JOURNAL_RESUMED).isEmpty());
                Eventually.until(Duration.ofSeconds(10), "what waited journaled", () -> queuedNothing(log));
                record(log, "after", 100);
                restore(db);
                TestStores.drained(log, Duration.ofSeconds(120));
                assertExactlyOnce(db, "floor-node", log);
                assertThat(log.recent(10, EventType.JOURNAL_STOPPED)).hasSize(1);
                assertThat(log.recent(10, EventType.JOURNAL_DROPPED)).hasSize(1);
                assertThat(log.recent(10, EventType.JOURNAL_DROPPED).getFirst().data())
                        .containsEntry("count", Long.toString(log.stats().dropped()));
            } finally {
                restore(db);
            }
        }
    }

    @Test
    void withoutAFloorAppendsTornByTheFullDiskAreCutBackAndEveryAcceptedEventArrivesExactlyOnce() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(dir.resolve("mnt"), TMPFS_BYTES);
             TestDatabases db = TestDatabases.create("enospc")) {
            DatabaseConfig c = new DatabaseConfig(db.owner(), 4, DatabaseConfig.DEFAULT_RETENTION, BATCH, BUFFER,
                    disk.dir().resolve("journal"), 0);
            try (DurableEventLog log = log("enospc-node", c);
                 Database database = Database.start(c, "enospc-node", log)) {
                assertThat(database.awaitReady(Duration.ofSeconds(60))).isTrue();
                record(log, "before", 100);
                TestStores.drained(log, Duration.ofSeconds(30));

                outage(db, log);
                recordPaced(log, "outage", 1000);
                disk.fill();
                // Room for a few KiB only: the next batches tear half-way (write(2) puts what fits, then ENOSPC).
                disk.freeBallast(8 << 10);
                for (int burst = 0; burst < 20 && log.recent(1, EventType.JOURNAL_STOPPED).isEmpty(); burst++) {
                    record(log, "full", 100);
                    Eventually.until(Duration.ofSeconds(10), "the burst taken by the journal thread",
                            () -> queuedNothing(log) || !log.recent(1, EventType.JOURNAL_STOPPED).isEmpty());
                }
                assertThat(log.recent(10, EventType.JOURNAL_STOPPED)).as("journaling stopped by ENOSPC").hasSize(1);
                assertThat(log.recent(10, EventType.JOURNAL_STOPPED).getFirst().message())
                        .contains("No space left on device");
                record(log, "full", 1000);
                assertThat(refused).as("refused while the buffer was full").isNotEmpty();

                disk.emptyBallast();
                Eventually.until(Duration.ofSeconds(20), "journaling again",
                        () -> !log.recent(10, EventType.JOURNAL_RESUMED).isEmpty());
                Eventually.until(Duration.ofSeconds(10), "what waited journaled", () -> queuedNothing(log));
                // More than the buffer after the tear, so that the writer reads them back from the file (not memory).
                recordPaced(log, "after", 2 * BUFFER);
                restore(db);
                TestStores.drained(log, Duration.ofSeconds(120));
                assertExactlyOnce(db, "enospc-node", log);
                assertThat(log.recent(10, EventType.JOURNAL_DAMAGED)).as("nothing torn was ever read back").isEmpty();
            } finally {
                restore(db);
            }
        }
    }

    private static DurableEventLog log(String node, DatabaseConfig c) {
        return EventLog.writeBehind(new WriteBehindConfig(node, 100_000, c.journal(), c.buffer(), c.batchSize(),
                Duration.ofSeconds(5), c.journalMinFree()));
    }

    /** Nothing accepted is waiting for the journal: every accepted event is journaled. */
    private static boolean queuedNothing(DurableEventLog log) {
        DurableEventLog.Stats s = log.stats();
        return s.recorded() - s.dropped() == s.journaled();
    }

    private void record(DurableEventLog log, String type, int n) {
        for (int i = 0; i < n; i++) {
            switch (log.recordDurably(type, "test", "item/" + i, type + " event " + i + " of " + n, Map.of("i",
                    Integer.toString(i)))) {
                case Recorded.Accepted a -> accepted.add(a.event());
                case Recorded.Refused r -> refused.add(r.event());
            }
        }
    }

    /** In bursts of a fifth of the buffer, each journaled before the next: none refused on a busy machine. */
    private void recordPaced(DurableEventLog log, String type, int n) throws InterruptedException {
        for (int done = 0; done < n; done += BUFFER / 5) {
            int before = refused.size();
            record(log, type, Math.min(BUFFER / 5, n - done));
            assertThat(refused).as("refused while paced").hasSize(before);
            Eventually.until(Duration.ofSeconds(10), "the burst journaled", () -> queuedNothing(log));
        }
    }

    /** Locks the database: new connections refused, the pool's sessions ended; waits for the log to notice. */
    private void outage(TestDatabases db, DurableEventLog log) throws Exception {
        try (Connection c = TestDatabases.admin(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + db.name + " ALLOW_CONNECTIONS false");
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db.name + "'");
        }
        record(log, "noticed", 1);
        Eventually.until(Duration.ofSeconds(30), "the writer noticing the outage",
                () -> !log.recent(10, EventType.STORE_UNAVAILABLE).isEmpty());
    }

    private static void restore(TestDatabases db) throws SQLException {
        try (Connection c = TestDatabases.admin(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + db.name + " ALLOW_CONNECTIONS true");
        }
    }

    /** Every accepted event once, no refused one, and nothing else but the log's own events. */
    private void assertExactlyOnce(TestDatabases db, String node, DurableEventLog log) throws SQLException {
        Set<Long> stored = new HashSet<>();
        Set<String> otherTypes = new HashSet<>();
        Set<Long> test = new HashSet<>();
        accepted.forEach(e -> test.add(e.id()));
        refused.forEach(e -> test.add(e.id()));
        try (Connection c = db.connect()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*), count(DISTINCT seq) FROM events WHERE node = ?")) {
                ps.setString(1, node);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("rows").isEqualTo(rs.getLong(2));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_type FROM events WHERE node = ?")) {
                ps.setString(1, node);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stored.add(rs.getLong(1));
                        if (!test.contains(rs.getLong(1))) {
                            otherTypes.add(rs.getString(2));
                        }
                    }
                }
            }
        }
        Set<Long> acceptedIds = new HashSet<>();
        accepted.forEach(e -> acceptedIds.add(e.id()));
        Set<Long> refusedIds = new HashSet<>();
        refused.forEach(e -> refusedIds.add(e.id()));
        assertThat(stored).as("every accepted event (" + accepted.size() + ")").containsAll(acceptedIds);
        assertThat(stored).as("no refused event (" + refused.size() + ")").doesNotContainAnyElementsOf(refusedIds);
        assertThat(otherTypes).as("the rest are the log's own events").allMatch(t -> t.startsWith("store.")
                || t.startsWith("journal."));
        assertThat(log.stats().dropped()).as("refused, the log's own included").isGreaterThanOrEqualTo(refused.size());
    }

    /** A tmpfs of a fixed size, mounted for one test and unmounted (lazily if still busy) when it ends. */
    record Tmpfs(Path dir) implements AutoCloseable {
        static Tmpfs mount(Path dir, long bytes) throws Exception {
            Files.createDirectories(dir);
            run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "foss-journal-test", dir.toString());
            return new Tmpfs(dir);
        }

        private Path ballast() {
            return dir.resolve("ballast");
        }

        /** Writes a ballast file until the file system is full (ENOSPC); returns its size. */
        long fill() throws IOException {
            try (FileChannel ch = FileChannel.open(ballast(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer chunk = ByteBuffer.allocate(4096);
                try {
                    while (true) {
                        chunk.clear();
                        ch.write(chunk);
                    }
                } catch (IOException full) {
                    assertThat(full).hasMessageContaining("No space left on device");
                }
                return ch.size();
            }
        }

        void freeBallast(long bytes) throws IOException {
            try (FileChannel ch = FileChannel.open(ballast(), StandardOpenOption.WRITE)) {
                ch.truncate(Math.max(0, ch.size() - bytes));
            }
        }

        void emptyBallast() throws IOException {
            Files.deleteIfExists(ballast());
        }

        @Override
        public void close() throws Exception {
            try {
                run("umount", dir.toString());
            } catch (AssertionError busy) {
                run("umount", "-l", dir.toString());
            }
        }

        private static void run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (" + out.trim() + "): this test mounts"
                        + " a small tmpfs to fill it, and needs root (CI runs the tests as root)");
            }
        }
    }
}
