package org.fossinfra.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.TestDatabases;
import org.fossinfra.testing.services.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The partition job on the test run's real PostgreSQL, a database per test: this month and 12 ahead exist after a
 * start, partitions entirely older than the retention go (ours only), a second run changes nothing, a node that does
 * not get the lock does nothing, and the job runs again on its schedule.
 */
class PartitionJobTest {
    @TempDir
    Path dir;
    private TestDatabases db;

    @BeforeEach
    void createDatabase() throws Exception {
        db = TestDatabases.create("partitions");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    private DatabaseConfig config(Period retention) {
        return new DatabaseConfig(db.owner(), 4, retention, 200, 10_000, dir.resolve("journal"));
    }

    private static List<YearMonth> months(YearMonth from, YearMonth to) {
        List<YearMonth> out = new ArrayList<>();
        for (YearMonth m = from; !m.isAfter(to); m = m.plusMonths(1)) {
            out.add(m);
        }
        return out;
    }

    private List<YearMonth> partitions() throws Exception {
        try (Connection c = db.connect()) {
            return Partitions.list(c);
        }
    }

    private boolean tableExists(String name) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('" + name + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private void sql(String... statements) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String st : statements) {
                s.execute(st);
            }
        }
    }

    private void createByHand(YearMonth m) throws Exception {
        try (Connection c = db.connect()) {
            assertThat(Partitions.ensure(c, m)).as("made " + m).isTrue();
        }
    }

    private PGSimpleDataSource pool() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(TestDatabases.url(db.name));
        ds.setUser(TestStores.env("FOSS_TEST_PG_USER"));
        ds.setPassword(TestStores.env("FOSS_TEST_PG_PASSWORD"));
        return ds;
    }

    @Test
    void aStartMakesThisMonthAndTwelveAhead() throws Exception {
        DatabaseConfig c = config(DatabaseConfig.DEFAULT_RETENTION);
        try (DurableEventLog log = TestStores.log("n1", c); Database d = Database.start(c, "n1", log)) {
            assertThat(d.awaitReady(Duration.ofSeconds(60))).isTrue();
            YearMonth now = Partitions.monthOf(Instant.now());
            assertThat(partitions()).containsExactlyElementsOf(months(now, now.plusMonths(12)));
            assertThat(log.recent(10, EventType.STORE_PARTITIONS)).hasSize(1).first()
                    .satisfies(e -> assertThat(e.message()).contains("created 13 (" + now + " to " + now.plusMonths(12)));
        }
    }

    @Test
    void partitionsOlderThanTheRetentionAreDroppedAndARerunChangesNothing() throws Exception {
        // Retention 3 months: at any day of month M, months up to M-4 end before the cutoff and go; M-3 holds events
        // younger than 3 months and stays.
        DatabaseConfig c = config(Period.ofMonths(3));
        try (DurableEventLog log = TestStores.log("n1", c); Database d = Database.start(c, "n1", log)) {
            assertThat(d.awaitReady(Duration.ofSeconds(60))).isTrue();
            YearMonth now = Partitions.monthOf(Instant.now());
            for (YearMonth m : List.of(YearMonth.of(2020, 1), now.minusMonths(5), now.minusMonths(4),
                    now.minusMonths(3), now.minusMonths(1))) {
                createByHand(m);
            }
            // A partition someone attached under another name is not ours to drop, however old.
            sql("CREATE TABLE events_archive_2019 PARTITION OF events FOR VALUES FROM ('2019-01-01') TO ('2019-02-01')",
                    "INSERT INTO events (created_at, node, seq, event_type, actor, subject, message)"
                            + " VALUES ('2020-01-15T00:00:00Z', 'old', 1, 'test.old', 'x', 'y', 'z')");

            PartitionJob.Result r = d.runPartitionJob().orElseThrow();
            assertThat(r.ran()).isTrue();
            assertThat(r.created()).isEmpty();
            assertThat(r.dropped()).containsExactly(YearMonth.of(2020, 1), now.minusMonths(5), now.minusMonths(4));
            List<YearMonth> kept = new ArrayList<>(List.of(now.minusMonths(3), now.minusMonths(1)));
            kept.addAll(months(now, now.plusMonths(12)));
            assertThat(partitions()).containsExactlyElementsOf(kept);
            assertThat(tableExists("events_2020_01")).isFalse();
            assertThat(tableExists("events_archive_2019")).isTrue();

            PartitionJob.Result again = d.runPartitionJob().orElseThrow();
            assertThat(again.ran()).isTrue();
            assertThat(again.created()).isEmpty();
            assertThat(again.dropped()).isEmpty();
            assertThat(partitions()).containsExactlyElementsOf(kept);
            // One event for the start's 13, one for the drop; none for the run that changed nothing.
            assertThat(log.recent(10, EventType.STORE_PARTITIONS)).hasSize(2).first()
                    .satisfies(e -> assertThat(e.message()).contains("dropped 3 (2020-01 to " + now.minusMonths(4)));
        }
    }

    @Test
    void aNodeWithoutTheLockDoesNothingAndTwoNodesAtOnceDoTheWorkOnce() throws Exception {
        DatabaseConfig c = config(DatabaseConfig.DEFAULT_RETENTION);
        try (DurableEventLog log = TestStores.log("n1", c); Database d = Database.start(c, "n1", log)) {
            assertThat(d.awaitReady(Duration.ofSeconds(60))).isTrue();
        }
        YearMonth now = Partitions.monthOf(Instant.now());
        PGSimpleDataSource poolA = pool();
        PGSimpleDataSource poolB = pool();
        EventLog events = EventLog.inMemory(100);
        PartitionJob a = new PartitionJob(poolA, JobLock.advisory(poolA), DatabaseConfig.DEFAULT_RETENTION,
                Clock.systemUTC(), events, "node-a");
        PartitionJob b = new PartitionJob(poolB, JobLock.advisory(poolB), DatabaseConfig.DEFAULT_RETENTION,
                Clock.systemUTC(), events, "node-b");

        sql("DROP TABLE " + Partitions.name(now.plusMonths(12)));
        Optional<JobLock.Lease> heldByB = JobLock.advisory(poolB).tryAcquire(PartitionJob.LOCK);
        assertThat(heldByB).as("node b takes the lock").isPresent();
        try {
            PartitionJob.Result r = a.run();
            assertThat(r.ran()).as("node a skips while b holds the lock").isFalse();
            assertThat(partitions()).doesNotContain(now.plusMonths(12));
        } finally {
            heldByB.get().close();
        }
        assertThat(a.run().created()).as("once the lock is free").containsExactly(now.plusMonths(12));

        // Both at once, several times: each missing month is made exactly once, by whichever node ran.
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                sql("DROP TABLE " + Partitions.name(now.plusMonths(10)), "DROP TABLE " + Partitions.name(now.plusMonths(11)));
                CyclicBarrier barrier = new CyclicBarrier(2);
                Future<PartitionJob.Result> fa = two.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return a.run();
                });
                Future<PartitionJob.Result> fb = two.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return b.run();
                });
                PartitionJob.Result ra = fa.get(30, TimeUnit.SECONDS);
                PartitionJob.Result rb = fb.get(30, TimeUnit.SECONDS);
                List<YearMonth> created = new ArrayList<>(ra.created());
                created.addAll(rb.created());
                assertThat(created).as("round " + round + ": " + ra + " / " + rb)
                        .containsExactlyInAnyOrder(now.plusMonths(10), now.plusMonths(11));
                assertThat(ra.ran() || rb.ran()).isTrue();
                assertThat(partitions()).containsExactlyElementsOf(months(now, now.plusMonths(12)));
            }
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void theJobRunsAgainOnItsSchedule() throws Exception {
        DatabaseConfig c = config(DatabaseConfig.DEFAULT_RETENTION);
        try (DurableEventLog log = TestStores.log("n1", c);
             Database d = Database.start(c, "n1", log, Clock.systemUTC(), Duration.ofMillis(300))) {
            assertThat(d.awaitReady(Duration.ofSeconds(60))).isTrue();
            YearMonth last = Partitions.monthOf(Instant.now()).plusMonths(12);
            sql("DROP TABLE " + Partitions.name(last));
            assertThat(partitions()).doesNotContain(last);
            Eventually.until(Duration.ofSeconds(20), "the scheduled run making " + last + " again",
                    () -> {
                        try {
                            return partitions().contains(last);
                        } catch (Exception e) {
                            return false;
                        }
                    });
        }
        assertThat(Database.JOB_INTERVAL).as("the production schedule").isEqualTo(Duration.ofHours(1));
    }
}
