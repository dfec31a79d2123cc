package org.fossinfra.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.TestDatabases;
import org.fossinfra.testing.services.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Database page's analysis on the test run's real PostgreSQL (Debian's, without pg_stat_statements preloaded):
 * sizes and dead tuples per table, partition indexes summed under their parent, never-scanned indexes told apart from
 * those that enforce a constraint, and a plain "not available" with the fix for the slow statements.
 */
class DatabaseAnalysisTest {
    @TempDir
    Path dir;
    private TestDatabases db;

    @BeforeEach
    void createDatabase() throws Exception {
        db = TestDatabases.create("analysis");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    @Test
    void theReportHasSizesDeadTuplesIndexUseAndSaysWhySlowQueriesAreMissing() throws Exception {
        DatabaseConfig c = TestStores.config(db.owner(), dir);
        try (DurableEventLog log = TestStores.log("n1", c); Database d = Database.start(c, "n1", log)) {
            assertThat(d.awaitReady(Duration.ofSeconds(60))).isTrue();
            try (Connection conn = db.connect(); Statement s = conn.createStatement()) {
                s.execute("CREATE TABLE notes (id bigint PRIMARY KEY, body text, tag text)");
                s.execute("CREATE INDEX notes_tag_idx ON notes (tag)");
                s.execute("INSERT INTO notes SELECT g, repeat('x', 200), 't' || (g % 10) FROM generate_series(1, 5000) g");
                s.execute("DELETE FROM notes WHERE id <= 2000");
                s.execute("SELECT pg_stat_force_next_flush()");
            }
            for (int i = 0; i < 30; i++) {
                log.record("test.analysis", "test", "item/" + i, "row " + i);
            }
            TestStores.drained(log, Duration.ofSeconds(30));

            Eventually.until(Duration.ofSeconds(30), "an analysis that counts the dead rows of notes", () -> {
                d.report();
                return d.report().map(r -> r.tables().stream().anyMatch(t -> t.name().equals("notes")
                        && t.deadRows() >= 2000)).orElse(false);
            });
            DatabaseReport r = d.report().orElseThrow();
            assertThat(r.database()).isEqualTo(db.name);
            assertThat(r.server()).startsWith("PostgreSQL 15");
            assertThat(r.databaseBytes()).isGreaterThan(1_000_000);

            DatabaseReport.Table notes = r.tables().stream().filter(t -> t.name().equals("notes")).findFirst().orElseThrow();
            assertThat(notes.totalBytes()).as("data, indexes, and TOAST and maps")
                    .isGreaterThanOrEqualTo(notes.tableBytes() + notes.indexBytes());
            assertThat(notes.tableBytes()).isGreaterThan(500_000);
            assertThat(notes.indexBytes()).isPositive();
            assertThat(notes.deadPercent()).isBetween(35.0, 45.0);
            assertThat(notes.bloated()).isTrue();
            assertThat(notes.partitionOf()).isNull();
            List<DatabaseReport.Table> partitions = r.tables().stream()
                    .filter(t -> "events".equals(t.partitionOf())).toList();
            assertThat(partitions).hasSize(13);

            DatabaseReport.Index tag = index(r, "notes_tag_idx");
            assertThat(tag.usage()).as("never scanned").isEqualTo(DatabaseReport.Usage.UNUSED);
            assertThat(index(r, "notes_pkey").usage()).as("a primary key is needed, scanned or not")
                    .isIn(DatabaseReport.Usage.CONSTRAINT, DatabaseReport.Usage.USED);
            DatabaseReport.Index time = index(r, "events_time_idx");
            assertThat(time.table()).isEqualTo("events");
            assertThat(time.partitions()).as("summed over the partitions").isEqualTo(13);
            assertThat(time.bytes()).isPositive();

            assertThat(r.slow()).isInstanceOfSatisfying(DatabaseReport.NotAvailable.class, na -> assertThat(na.reason())
                    .contains("pg_stat_statements is not installed in database '" + db.name + "'")
                    .contains("shared_preload_libraries = 'pg_stat_statements'"));
        }
    }

    private static DatabaseReport.Index index(DatabaseReport r, String name) {
        return r.indexes().stream().filter(i -> i.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + r.indexes()));
    }
}
