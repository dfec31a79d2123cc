package org.fossinfra.events;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Something that happened, with who caused it.
 *
 * @param id      increasing within one node's log and never reused by it, across restarts too (see
 *                {@link EventLog#writeBehind}); with {@code node} and {@code time} it identifies the event in the store
 * @param time    when it happened, to the microsecond (what PostgreSQL keeps, so a stored event equals the recorded one)
 * @param type    what kind of thing happened; see {@link EventType} for the ones foss-infra emits
 * @param actor   who or what caused it: {@code "health-check"}, {@code "api:ops"}, {@code "config"}, a Matrix user…
 * @param subject what it happened to, e.g. {@code "web/web1"} for a server
 * @param message one human sentence
 * @param data    extra structured fields (strings only, so every store can keep them)
 * @param node    the node that recorded it ("" for a log that belongs to no node, as in tests)
 */
public record Event(long id, Instant time, String type, String actor, String subject, String message,
                    Map<String, String> data, String node) {
    public Event {
        time = time.truncatedTo(ChronoUnit.MICROS);
        data = Map.copyOf(data);
        node = node == null ? "" : node;
    }

    /** An event of no particular node. */
    public Event(long id, Instant time, String type, String actor, String subject, String message,
                 Map<String, String> data) {
        this(id, time, type, actor, subject, message, data, "");
    }
}
