package org.fossinfra.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.config.HostPort;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventType;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No event lost and none written twice across a real PostgreSQL restart under load: a real server (PostgreSQL 17,
 * the embedded binaries, run as a separate server the node reaches by URL) is killed the way a crash kills it
 * (SIGQUIT: immediate shutdown, no checkpoint, in-flight transactions lost with their connections) while four threads
 * record events, and started again on the same port and data; then every recorded id must be in the table exactly once.
 */
class ExactlyOnceRestartTest {
    private static final String NODE = "restart-node";
    private static final int WRITERS = 4;
    private static final int PER_WRITER = 1800;

    @TempDir
    Path dir;

    @Test
    void noEventIsLostOrStoredTwiceAcrossACrashAndRestartOfPostgresUnderLoad() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path pgDir = dir.resolve("pg");
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(pgDir, port);
        DatabaseConfig c = new DatabaseConfig(new DatabaseConfig.External(new HostPort("127.0.0.1", port),
                EmbeddedPostgresServer.DATABASE, EmbeddedPostgresServer.USER, Optional.of(pg.password())), 4,
                DatabaseConfig.DEFAULT_RETENTION, 100, 10_000, dir.resolve("journal"));
        Set<Long> recorded = ConcurrentHashMap.newKeySet();
        try (DurableEventLog log = TestStores.log(NODE, c); Database db = Database.start(c, NODE, log)) {
            assertThat(db.awaitReady(Duration.ofSeconds(60))).isTrue();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int n = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < PER_WRITER; i++) {
                        recorded.add(log.record("load", "writer-" + n, "item/" + i, "event " + i + " of writer " + n).id());
                        if (i % 20 == 0) {
                            sleep(2);
                        }
                    }
                }));
            }
            Eventually.until(Duration.ofSeconds(20), "some events written before the crash",
                    () -> log.stats().inserted() > 1000);
            crash(pgDir);
            pg.close(); // releases the data directory's lock; the server is already gone
            long downAt = System.nanoTime();
            Eventually.until(Duration.ofSeconds(20), "the writer noticing the outage",
                    () -> !log.recent(10, EventType.STORE_UNAVAILABLE).isEmpty());
            sleep(Math.max(0, 1000 - (System.nanoTime() - downAt) / 1_000_000));
            pg = EmbeddedPostgresServer.start(pgDir, port);
            for (Thread t : writers) {
                t.join();
            }
            TestStores.drained(log, Duration.ofSeconds(120));
            for (Event e : log.recent(10_000, null)) {
                recorded.add(e.id()); // the store.* events recorded by the log itself are stored too
            }
            assertThat(log.stats().written()).isGreaterThanOrEqualTo(recorded.size());
            try (Connection conn = pg.connect(EmbeddedPostgresServer.DATABASE)) {
                try (PreparedStatement ps = conn.prepareStatement(
                        "SELECT count(*), count(DISTINCT seq) FROM events WHERE node = ?")) {
                    ps.setString(1, NODE);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertThat(rs.getLong(1)).as("rows").isEqualTo(recorded.size());
                        assertThat(rs.getLong(2)).as("distinct ids").isEqualTo(recorded.size());
                    }
                }
                Set<Long> stored = new HashSet<>();
                try (PreparedStatement ps = conn.prepareStatement("SELECT seq FROM events WHERE node = ?")) {
                    ps.setString(1, NODE);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            stored.add(rs.getLong(1));
                        }
                    }
                }
                assertThat(stored).isEqualTo(recorded);
            }
            assertThat(log.recent(10, EventType.STORE_UNAVAILABLE)).as("one event for the outage").hasSize(1);
            assertThat(log.recent(10, EventType.STORE_AVAILABLE)).hasSizeGreaterThanOrEqualTo(2);
        } finally {
            pg.close();
        }
    }

    /** SIGQUIT to the postmaster: PostgreSQL's immediate shutdown, as after a crash (recovery at the next start). */
    private static void crash(Path pgDir) throws Exception {
        long pid = Long.parseLong(Files.readAllLines(pgDir.resolve("data/postmaster.pid")).getFirst().trim());
        new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).inheritIO().start().waitFor();
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (h != null && h.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
