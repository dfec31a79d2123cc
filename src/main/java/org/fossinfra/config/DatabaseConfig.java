package org.fossinfra.config;

import java.nio.file.Path;
import java.time.Period;
import java.util.Objects;
import java.util.Optional;
import org.fossinfra.events.WriteBehindConfig;

/**
 * Where events are persisted ({@code database:}), and how. By default an embedded PostgreSQL that lives under the
 * node's data directory; or an external one by URL; or none (events then live in memory only).
 *
 * @param target    which PostgreSQL, if any
 * @param poolSize  connections the node keeps open to it at most (2..64: the partition job's lock holds one while
 *                  the job uses another)
 * @param retention how long events are kept; whole monthly partitions older than this are dropped
 * @param batchSize events written per insert (1..10000)
 * @param buffer    events held in memory on their way to the journal and the database (at least {@code batchSize})
 * @param journal   the directory of the append-only journal where events wait for the database
 * @param journalMinFree bytes the journal leaves free on its file system: below it, journaling stops (events wait in
 *                  the buffer) until a quarter more is free again; 0 never stops
 */
public record DatabaseConfig(Target target, int poolSize, Period retention, int batchSize, int buffer, Path journal,
                             long journalMinFree) {
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Period DEFAULT_RETENTION = Period.ofMonths(12);
    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final int DEFAULT_BUFFER = 10_000;
    public static final long DEFAULT_JOURNAL_MIN_FREE = WriteBehindConfig.DEFAULT_MIN_FREE;

    public DatabaseConfig {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(journal, "journal");
        if (poolSize < 2 || poolSize > 64) {
            throw new IllegalArgumentException("poolSize: " + poolSize + " (expected: 2..64)");
        }
        if (batchSize < 1 || buffer < batchSize) {
            throw new IllegalArgumentException("batchSize: " + batchSize + ", buffer: " + buffer
                    + " (expected: 1 <= batchSize <= buffer)");
        }
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention: " + retention + " (expected: positive)");
        }
        if (journalMinFree < 0) {
            throw new IllegalArgumentException("journalMinFree: " + journalMinFree + " (expected: >= 0)");
        }
    }

    /** With the default free-space floor for the journal. */
    public DatabaseConfig(Target target, int poolSize, Period retention, int batchSize, int buffer, Path journal) {
        this(target, poolSize, retention, batchSize, buffer, journal, DEFAULT_JOURNAL_MIN_FREE);
    }

    /** The defaults for a node whose data directory is {@code dataDir}: embedded, under it. */
    public static DatabaseConfig defaults(Path dataDir) {
        return new DatabaseConfig(new Embedded(dataDir.resolve("postgres")), DEFAULT_POOL_SIZE, DEFAULT_RETENTION,
                DEFAULT_BATCH_SIZE, DEFAULT_BUFFER, dataDir.resolve("journal"));
    }

    /** Which PostgreSQL holds the events. */
    public sealed interface Target permits Embedded, External, Disabled {
    }

    /**
     * A PostgreSQL started by the node itself, binaries from the classpath, on loopback.
     *
     * @param directory where its binaries and its data directory live; kept across restarts
     */
    public record Embedded(Path directory) implements Target {
    }

    /** A PostgreSQL run by someone else: {@code url}, {@code password}. The password is never printed. */
    public record External(HostPort address, String database, String user, Optional<String> password)
            implements Target {
        @Override
        public String toString() {
            return "External[" + user + "@" + address + "/" + database + ", password=" + (password.isPresent() ? "***"
                    : "none") + "]";
        }
    }

    /** {@code enabled: false}: no persistence; the event log is memory only. */
    public record Disabled() implements Target {
    }
}
