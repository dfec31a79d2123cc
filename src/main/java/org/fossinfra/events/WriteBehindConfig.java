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
 */
public record WriteBehindConfig(String node, int recent, Path journal, int buffer, int batchSize,
                                Duration closeTimeout) {
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
    }
}
