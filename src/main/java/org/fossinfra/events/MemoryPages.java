package org.fossinfra.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pages over the events held in memory. The cursor is {@code m<id>}: the id of the last event of the previous page,
 * ids being increasing within a node's log.
 */
final class MemoryPages {
    static final String PREFIX = "m";

    private MemoryPages() {
    }

    /** @param newestFirst the events in memory, newest first */
    static EventPage page(List<Event> newestFirst, EventQuery q, StoreStatus status) {
        long before = cursor(q.before());
        List<Event> out = new ArrayList<>(Math.min(q.limit() + 1, newestFirst.size()));
        for (Event e : newestFirst) {
            if (e.id() < before && q.matches(e)) {
                out.add(e);
                if (out.size() > q.limit()) {
                    break;
                }
            }
        }
        Optional<String> next = Optional.empty();
        if (out.size() > q.limit()) {
            out.removeLast();
            next = Optional.of(PREFIX + out.getLast().id());
        }
        return new EventPage(out, next, EventPage.Source.MEMORY, status);
    }

    /** The id bound of a memory cursor; {@code Long.MAX_VALUE} for none. */
    static long cursor(String before) {
        if (before == null) {
            return Long.MAX_VALUE;
        }
        if (before.startsWith(PREFIX)) {
            try {
                return Long.parseLong(before.substring(PREFIX.length()));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("before: '" + before + "' is not a cursor of this node's memory (it comes"
                + " from another page source, or was altered); start again without before");
    }
}
