package org.fossinfra.events;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * One page of the event log, newest first: at most {@code limit} events, optionally of one type, in a time range,
 * holding a text, and older than a cursor (the {@link EventPage#next()} of the previous page).
 *
 * @param type   only this type, or null for all
 * @param since  only events at or after this time, or null
 * @param until  only events before this time, or null
 * @param before a cursor from a previous page, or null for the newest events
 * @param limit  1..{@value #MAX_LIMIT}
 * @param search only events whose type, actor, subject or message contains this text (ignoring case), or null
 */
public record EventQuery(String type, Instant since, Instant until, String before, int limit, String search) {
    public static final int MAX_LIMIT = 10_000;
    /** The longest search text: a search is a substring scan, and a longer text would match nothing anyway. */
    public static final int MAX_SEARCH = 100;

    public EventQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("since: " + since + " is not before until: " + until);
        }
        if (search != null && search.length() > MAX_SEARCH) {
            throw new IllegalArgumentException("search: " + search.length() + " characters (expected: at most "
                    + MAX_SEARCH + ")");
        }
        type = type == null || type.isEmpty() ? null : type;
        before = before == null || before.isEmpty() ? null : before;
        search = search == null || search.isBlank() ? null : search.strip();
    }

    /** Without a search text. */
    public EventQuery(String type, Instant since, Instant until, String before, int limit) {
        this(type, since, until, before, limit, null);
    }

    /** The newest {@code limit} events, of {@code type} (null for all). */
    public static EventQuery newest(int limit, String type) {
        return new EventQuery(type, null, null, null, limit);
    }

    public Optional<String> typeFilter() {
        return Optional.ofNullable(type);
    }

    /** Whether {@code e} passes the type, time and search filters (not the cursor). */
    public boolean matches(Event e) {
        return (type == null || type.equals(e.type()))
                && (since == null || !e.time().isBefore(since))
                && (until == null || e.time().isBefore(until))
                && (search == null || contains(e.type()) || contains(e.actor()) || contains(e.subject())
                || contains(e.message()));
    }

    private boolean contains(String field) {
        return field != null && field.toLowerCase(Locale.ROOT).contains(search.toLowerCase(Locale.ROOT));
    }
}
