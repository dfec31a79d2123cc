package org.fossinfra.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded ring of the newest events. Writers take a short lock (events are rare next to requests); readers copy.
 * Hazard: a slow listener slows whoever records, so listeners must hand work off rather than do it inline.
 */
final class InMemoryEventLog implements EventLog {
    private static final Logger log = LoggerFactory.getLogger("events");

    private final Event[] ring;
    private final String node;
    private final long firstId;
    private long next;
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();

    /** @param firstId the id of the first event; later ones count up from it */
    InMemoryEventLog(int capacity, String node, long firstId) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        if (firstId < 1) {
            throw new IllegalArgumentException("firstId: " + firstId + " (expected: >= 1)");
        }
        ring = new Event[capacity];
        this.node = node;
        this.firstId = firstId;
        this.next = firstId;
    }

    @Override
    public Event record(String type, String actor, String subject, String message, Map<String, String> data) {
        Event e;
        synchronized (ring) {
            e = new Event(next, Instant.now(), type, actor, subject, message, data, node);
            ring[slot(next)] = e;
            next++;
        }
        log.info("{} {} by {}: {}", e.type(), e.subject(), e.actor(), e.message());
        for (Consumer<Event> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                log.warn("event listener failed on {}: {}", e.type(), ex.toString());
            }
        }
        return e;
    }

    private int slot(long id) {
        return (int) ((id - firstId) % ring.length);
    }

    @Override
    public List<Event> recent(int limit, String type) {
        List<Event> out = new ArrayList<>(Math.min(limit, ring.length));
        synchronized (ring) {
            for (long id = next - 1; id >= firstId && id >= next - ring.length && out.size() < limit; id--) {
                Event e = ring[slot(id)];
                if (type == null || type.equals(e.type())) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    @Override
    public AutoCloseable subscribe(Consumer<Event> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
