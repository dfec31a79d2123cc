package org.fossinfra.events;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The node's event log. Recording never blocks and never fails the caller: the data plane and the health checker
 * call it from event loops. Listeners are called synchronously on the recording thread and must be quick.
 */
public interface EventLog {

    /** Records an event and hands it to every listener. */
    Event record(String type, String actor, String subject, String message, Map<String, String> data);

    default Event record(String type, String actor, String subject, String message) {
        return record(type, actor, subject, message, Map.of());
    }

    /** The newest events first, at most {@code limit}, optionally only of one type (null for all). From memory. */
    List<Event> recent(int limit, String type);

    /** Calls {@code listener} for every event recorded from now on; close the result to stop. */
    AutoCloseable subscribe(Consumer<Event> listener);

    /**
     * A page of events for the admin API and the dashboard: from the event store when it is available, else from
     * this node's memory (the page says which, and why). May block on the store: call it from a worker thread.
     */
    default EventPage query(EventQuery query) {
        return MemoryPages.page(recent(Integer.MAX_VALUE, null), query, storeStatus());
    }

    /** Whether events are being persisted, and if not, why. */
    default StoreStatus storeStatus() {
        return StoreStatus.disabled();
    }

    /** An in-memory log keeping the newest {@code capacity} events. */
    static EventLog inMemory(int capacity) {
        return new InMemoryEventLog(capacity, "", 1);
    }

    /**
     * A log that keeps the newest events in memory and persists every event: appended to a local journal by a
     * writer thread, then written in batches to the {@link EventStore} once one is {@linkplain DurableEventLog#attach
     * attached}. See {@link WriteBehindEventLog} for the guarantees.
     */
    static DurableEventLog writeBehind(WriteBehindConfig config) {
        return new WriteBehindEventLog(config);
    }
}
