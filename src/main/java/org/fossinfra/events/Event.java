package org.fossinfra.events;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened, with who caused it.
 *
 * @param id      increasing within one node's log
 * @param time    when it happened
 * @param type    what kind of thing happened; see {@link EventType} for the ones foss-infra emits
 * @param actor   who or what caused it: {@code "health-check"}, {@code "api:ops"}, {@code "config"}, a Matrix user…
 * @param subject what it happened to, e.g. {@code "web/web1"} for a server
 * @param message one human sentence
 * @param data    extra structured fields (strings only, so every store can keep them)
 */
public record Event(long id, Instant time, String type, String actor, String subject, String message,
                    Map<String, String> data) {
    public Event {
        data = Map.copyOf(data);
    }
}
