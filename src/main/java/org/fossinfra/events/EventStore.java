package org.fossinfra.events;

import java.util.List;

/**
 * Where events are kept for good (PostgreSQL, implemented in the {@code store} package). Both methods block and are
 * called only from worker threads, never from an event loop.
 */
public interface EventStore {

    /**
     * Writes a batch. Idempotent: an event already stored (same node, id and time) is skipped, so a batch may be sent
     * again after a failure or a crash without being stored twice.
     *
     * @return how many of the events were new
     * @throws Exception with a message an operator can act on when the store cannot be written
     */
    int insert(List<Event> batch) throws Exception;

    /** A page of stored events; the cursor is the store's own (see {@link EventPage#next()}). */
    EventPage query(EventQuery query, StoreStatus status) throws Exception;
}
