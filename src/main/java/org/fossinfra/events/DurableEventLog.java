package org.fossinfra.events;

import java.util.Map;

/**
 * An {@link EventLog} whose events are persisted: journaled locally at once, written to an {@link EventStore} when one
 * is attached and reachable. The store's owner (the {@code store} package) tells the log how the store is doing while
 * it starts; the log itself notices failed writes.
 */
public interface DurableEventLog extends EventLog, AutoCloseable {

    /**
     * Records an event as {@link #record} does, and says whether it was accepted for persistence. Never blocks:
     * when the buffer is full the event is refused at once.
     */
    Recorded recordDurably(String type, String actor, String subject, String message, Map<String, String> data);

    /** The store is ready (migrated, partitions in place): events are written to it from now on. */
    void attach(EventStore store, String description);

    /** The store cannot be used (it failed to start, or was lost); events wait in the journal. Logged once per outage. */
    void storeUnavailable(String reason);

    /** Counters since start, for the dashboard and the benchmark. */
    Stats stats();

    /** Journals what is still in memory, writes what it can to the store within the close timeout, and stops. */
    @Override
    void close();

    /**
     * @param recorded   events recorded since start
     * @param journaled  events appended to the journal since start
     * @param written    events sent to the store and committed (new or already there)
     * @param inserted   of those, the ones that were new
     * @param dropped    events refused, not persisted: the memory buffer was full (the disk stalled, or journaling
     *                   was stopped by a full disk), or the event was larger than a journal record
     * @param waiting    events of this run accepted and not yet in the store (in the buffer, or journaled and not yet
     *                   written)
     * @param journalBytes bytes in the journal not yet acknowledged by the store, earlier runs' included: zero when
     *                   everything is in the store
     */
    record Stats(long recorded, long journaled, long written, long inserted, long dropped, long waiting,
                 long journalBytes) {
        /** Events sent again that the store already had: re-sends after a failure or a crash, de-duplicated. */
        public long duplicates() {
            return written - inserted;
        }
    }
}
