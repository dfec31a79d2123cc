package org.fossinfra.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventPage;
import org.fossinfra.events.EventQuery;
import org.fossinfra.events.StoreStatus;
import org.fossinfra.testing.services.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: a real PostgreSQL under the data directory, kept across restarts, password-protected. */
class EmbeddedDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void eventsSurviveARestartAndTheClusterIsNotInitializedTwice() throws Exception {
        DatabaseConfig c = TestStores.config(new DatabaseConfig.Embedded(dir.resolve("postgres")), dir);
        List<Long> first = new ArrayList<>();
        try (DurableEventLog log = TestStores.log("node-a", c); Database db = Database.start(c, "node-a", log)) {
            assertThat(log.storeStatus().state()).isEqualTo(StoreStatus.State.STARTING);
            for (int i = 0; i < 120; i++) {
                first.add(log.record("test.first", "test", "item/" + i, "first run " + i, Map.of("i", "" + i)).id());
            }
            assertThat(db.awaitReady(Duration.ofSeconds(120))).as("embedded PostgreSQL ready").isTrue();
            TestStores.drained(log, Duration.ofSeconds(30));
            assertThat(db.description()).startsWith("embedded PostgreSQL 17.");
            EventPage page = log.query(new EventQuery("test.first", null, null, null, 100));
            assertThat(page.source()).isEqualTo(EventPage.Source.STORE);
            assertThat(page.events()).hasSize(100);
            assertThat(page.next()).isPresent();
            EventPage rest = log.query(new EventQuery("test.first", null, null, page.next().get(), 100));
            assertThat(rest.events()).hasSize(20);
            assertThat(rest.next()).isEmpty();
        }
        Path version = dir.resolve("postgres/data/PG_VERSION");
        long created = Files.getLastModifiedTime(version).toMillis();
        assertThat(Files.getPosixFilePermissions(dir.resolve("postgres/password")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readAllLines(dir.resolve("postgres/data/pg_hba.conf")))
                .as("rules (initdb's comments mention trust as one of the methods)")
                .filteredOn(l -> !l.strip().startsWith("#")).noneMatch(l -> l.contains("trust"));

        try (DurableEventLog log = TestStores.log("node-a", c); Database db = Database.start(c, "node-a", log)) {
            assertThat(db.awaitReady(Duration.ofSeconds(60))).isTrue();
            Event second = log.record("test.second", "test", "item", "second run");
            TestStores.drained(log, Duration.ofSeconds(30));
            assertThat(second.id()).isGreaterThan(first.getLast());
            EventPage page = log.query(new EventQuery("test.first", null, null, null, 1000));
            assertThat(page.events()).extracting(Event::id).containsExactlyInAnyOrderElementsOf(first);
            assertThat(page.events().getFirst().data()).containsEntry("i", "119");
            try (Connection conn = db.dataSource().orElseThrow().getConnection(); Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
        assertThat(Files.getLastModifiedTime(version).toMillis()).as("initdb ran once").isEqualTo(created);
    }

    /**
     * A node stopped in its first seconds, while its PostgreSQL is still being made and started: when close returns,
     * no server of that data directory may be left running (a JVM on its way out would abandon the starting thread).
     */
    @Test
    void closingDuringTheFirstStartLeavesNoServerRunning() throws Exception {
        DatabaseConfig c = TestStores.config(new DatabaseConfig.Embedded(dir.resolve("postgres")), dir);
        String data = dir.resolve("postgres/data").toString();
        try (DurableEventLog log = TestStores.log("node-a", c)) {
            Database db = Database.start(c, "node-a", log);
            Thread.sleep(300); // initdb or the server's start is under way
            assertThat(log.storeStatus().state()).isEqualTo(StoreStatus.State.STARTING);
            db.close();
        }
        List<String> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(l -> l.contains(data)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
        assertThat(left).as("processes still using " + data).isEmpty();
    }
}
