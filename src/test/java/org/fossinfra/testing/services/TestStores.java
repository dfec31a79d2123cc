package org.fossinfra.testing.services;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.config.HostPort;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.WriteBehindConfig;
import org.fossinfra.testing.Eventually;

/**
 * The PostgreSQL servers of store tests: the one scripts/test-services.sh starts for ./run-tests (Debian's
 * postgresql, described by FOSS_TEST_PG_*; a missing variable fails the test, never skips it), and embedded ones that
 * tests start, stop and restart at will.
 */
public final class TestStores {
    private TestStores() {
    }

    public static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            fail(name + " is not set: this test needs the real PostgreSQL that scripts/test-services.sh starts; run it"
                    + " with ./run-tests (e.g. ./run-tests -Dtest='org.fossinfra.store.**'), not with mvn alone");
        }
        return v;
    }

    /** The test run's external PostgreSQL, with its real password. */
    public static DatabaseConfig.External external() {
        return new DatabaseConfig.External(new HostPort(env("FOSS_TEST_PG_HOST"),
                Integer.parseInt(env("FOSS_TEST_PG_PORT"))), env("FOSS_TEST_PG_DATABASE"), env("FOSS_TEST_PG_USER"),
                Optional.of(env("FOSS_TEST_PG_PASSWORD")));
    }

    public static DatabaseConfig config(DatabaseConfig.Target target, Path dir) {
        return new DatabaseConfig(target, 4, DatabaseConfig.DEFAULT_RETENTION, 200, 10_000, dir.resolve("journal"));
    }

    public static DurableEventLog log(String node, DatabaseConfig c) {
        return EventLog.writeBehind(new WriteBehindConfig(node, 10_000, c.journal(), c.buffer(), c.batchSize(),
                Duration.ofSeconds(5)));
    }

    /** Waits until every event recorded so far is in the store. */
    public static void drained(DurableEventLog log, Duration timeout) throws InterruptedException {
        Eventually.until(timeout, "every event written (" + log.stats() + ")",
                () -> log.stats().waiting() == 0 && log.stats().journalBytes() == 0);
    }
}
