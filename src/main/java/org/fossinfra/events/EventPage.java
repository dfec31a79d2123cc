package org.fossinfra.events;

import java.util.List;
import java.util.Optional;

/**
 * A page of events, newest first, and where it came from.
 *
 * @param events the events
 * @param next   the cursor for the next (older) page, empty when this is the last one
 * @param source where the events were read: the database, or this node's memory while the store is not available
 * @param store  the store's state when the page was read, with the reason when it is not available
 */
public record EventPage(List<Event> events, Optional<String> next, Source source, StoreStatus store) {
    public EventPage {
        events = List.copyOf(events);
    }

    /** Where a page was read. */
    public enum Source {
        /** The event store (PostgreSQL): every event this and the other nodes recorded, within the retention. */
        STORE,
        /** This node's memory: the newest events of this node only, since it started. */
        MEMORY
    }
}
