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

    /** The newest events first, at most {@code limit}, optionally only of one type (null for all). */
    List<Event> recent(int limit, String type);

    /** Calls {@code listener} for every event recorded from now on; close the result to stop. */
    AutoCloseable subscribe(Consumer<Event> listener);

    /** An in-memory log keeping the newest {@code capacity} events. */
    static EventLog inMemory(int capacity) {
        return new InMemoryEventLog(capacity);
    }
}
