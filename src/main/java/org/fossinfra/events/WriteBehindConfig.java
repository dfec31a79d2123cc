package org.fossinfra.events;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a {@link DurableEventLog} keeps events on their way to the store.
 *
 * @param node         the node's name, recorded with every event
 * @param recent       how many of the newest events {@link EventLog#recent} keeps in memory
 * @param journal      the directory of the append-only journal (created if missing)
 * @param buffer       events held in memory on their way: waiting for the journal, and the newest journaled ones
 *                     waiting for the store (older ones are read back from the journal)
 * @param batchSize    events per insert
 * @param closeTimeout how long {@link DurableEventLog#close} goes on writing to a reachable store before it leaves
 *                     the rest in the journal for the next start
 * @param minFree      the free-space floor, in bytes: below it on the journal's file system, journaling stops (events
 *                     wait in the buffer) until a quarter more than it is free again; 0 never stops
 */
public record WriteBehindConfig(String node, int recent, Path journal, int buffer, int batchSize,
                                Duration closeTimeout, long minFree) {
    /**
     * 128 MiB, two journal segments: the journal never takes the disk's last 128 MiB, which leaves room for the node's
     * log, an embedded PostgreSQL's WAL and whatever else shares the disk to finish what they are doing, and for the
     * journal's own segment roll when the store catches up.
     */
    public static final long DEFAULT_MIN_FREE = 128L * 1024 * 1024;

    public WriteBehindConfig {
        if (recent < 1) {
            throw new IllegalArgumentException("recent: " + recent + " (expected: >= 1)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: >= 1)");
        }
        if (buffer < batchSize) {
            throw new IllegalArgumentException("buffer: " + buffer + " (expected: >= batchSize " + batchSize + ")");
        }
        if (minFree < 0) {
            throw new IllegalArgumentException("minFree: " + minFree + " (expected: >= 0)");
        }
    }

    /** With the default free-space floor. */
    public WriteBehindConfig(String node, int recent, Path journal, int buffer, int batchSize, Duration closeTimeout) {
        this(node, recent, journal, buffer, batchSize, closeTimeout, DEFAULT_MIN_FREE);
    }
}
