package org.fossinfra.store;

import java.time.Instant;
import java.util.List;

/**
 * What the dashboard's Database page shows: the seed's analysis queries ("Table size and bloat", "Index usage
 * analysis", "Slow query analysis"), as they were meant.
 *
 * @param at        when it was read
 * @param server    PostgreSQL's version string
 * @param database  the database's name and total size
 * @param tables    tables by total size, largest first (the partitions of {@code events} each on their own)
 * @param indexes   indexes by scans, fewest first; a partitioned index counts its partitions' scans and sizes
 * @param slow      the slowest statements by mean time, or why they cannot be shown
 */
public record DatabaseReport(Instant at, String server, String database, long databaseBytes, List<Table> tables,
                             List<Index> indexes, SlowQueries slow) {
    public DatabaseReport {
        tables = List.copyOf(tables);
        indexes = List.copyOf(indexes);
    }

    /** Dead tuples above this share of a table's tuples are worth a VACUUM (the seed's threshold). */
    public static final double DEAD_PERCENT_WARNING = 10.0;

    /**
     * @param deadPercent dead tuples as a share of live and dead ones, or null when the table has none of either
     * @param partitionOf the partitioned table it belongs to, or null
     */
    public record Table(String name, String partitionOf, long totalBytes, long tableBytes, long indexBytes,
                        long liveRows, long deadRows, Double deadPercent, Instant lastAutovacuum) {
        public boolean bloated() {
            return deadPercent != null && deadPercent > DEAD_PERCENT_WARNING && deadRows >= 1000;
        }
    }

    /** How an index is used since the statistics were last reset. */
    public enum Usage {
        USED,
        /** Never scanned: it only costs writes and space. */
        UNUSED,
        /** Never scanned, but it enforces a primary key or a unique constraint, so it is needed anyway. */
        CONSTRAINT
    }

    /** @param partitions how many partition indexes it stands for (1 for a plain index) */
    public record Index(String table, String name, int partitions, long scans, long bytes, Usage usage) {
    }

    /** The slowest statements, or why there are none to show. */
    public sealed interface SlowQueries permits Slowest, NotAvailable {
    }

    public record Slowest(List<SlowQuery> queries) implements SlowQueries {
        public Slowest {
            queries = List.copyOf(queries);
        }
    }

    /** @param reason what is missing and how to get it ("add pg_stat_statements to shared_preload_libraries ...") */
    public record NotAvailable(String reason) implements SlowQueries {
    }

    /** One row of pg_stat_statements; times in milliseconds. */
    public record SlowQuery(String query, long calls, double totalMs, double meanMs, double stddevMs, double minMs,
                            double maxMs, long rows) {
    }
}
