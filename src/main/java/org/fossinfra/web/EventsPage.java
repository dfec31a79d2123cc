package org.fossinfra.web;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventPage;
import org.fossinfra.events.EventQuery;
import org.fossinfra.events.EventType;
import org.fossinfra.events.StoreStatus;
import org.fossinfra.metrics.Tick;

/**
 * The events page (events.jte): a page of the event log through {@link EventLog#query}, so from PostgreSQL (every
 * node's events, within the retention) when the store is available and from this node's memory otherwise, and the page
 * says which and why. Filters: type, a search over type, actor, subject and message, and a time range; "Older" follows
 * the page's cursor. Each distinct filter (cursor included) is one live view.
 *
 * <p>The query may block (JDBC): the first render runs on a worker thread, the live ones on the render thread, and a
 * view is queried again only when this node recorded or wrote an event since, or {@link #MAX_AGE_MILLIS} passed (other
 * nodes' events), not on every tick.
 */
final class EventsPage implements LivePage {
    static final int ROWS = 100;
    static final int MAX_QUERY = EventQuery.MAX_SEARCH;
    /** Other nodes' events reach PostgreSQL without this node noticing: a live view is read again at least this often. */
    static final long MAX_AGE_MILLIS = 5_000;
    /** Live views remembered between ticks; one per distinct filter that someone watches. */
    private static final int MAX_CACHED = 64;
    private static final Pattern TYPE = Pattern.compile("[a-z0-9_.-]{1,60}");
    private static final Pattern CURSOR = Pattern.compile("[a-z0-9.]{1,60}");
    private static final List<String> KNOWN_TYPES = knownTypes();

    /**
     * What a viewer asked for, canonical: a type, a search text (empty for none), a time range (null for open) and a
     * cursor (empty for the newest page). {@code error} says what in the request was ignored.
     */
    record Filter(String type, String q, Instant since, Instant until, String before, String error) {
        static Filter of(MultiMap query) {
            String type = text(query, "type").toLowerCase(Locale.ROOT);
            String q = text(query, "q");
            String before = text(query, "before");
            List<String> errors = new ArrayList<>();
            Instant since = time(text(query, "since"), "since", errors);
            Instant until = time(text(query, "until"), "until", errors);
            if (since != null && until != null && !since.isBefore(until)) {
                errors.add("'from' " + input(since) + " is not before 'to' " + input(until) + "; 'to' is ignored");
                until = null;
            }
            return new Filter(TYPE.matcher(type).matches() ? type : "",
                    q.length() > MAX_QUERY ? q.substring(0, MAX_QUERY) : q, since, until,
                    CURSOR.matcher(before).matches() ? before : "", String.join("; ", errors));
        }

        static Filter ofKey(String key) {
            String[] p = key.split("\n", -1);
            if (p.length != 5) {
                return new Filter("", "", null, null, "", "");
            }
            return new Filter(p[0], p[1], p[2].isEmpty() ? null : Instant.parse(p[2]),
                    p[3].isEmpty() ? null : Instant.parse(p[3]), p[4], "");
        }

        private static String text(MultiMap query, String name) {
            String v = query.get(name);
            return v == null ? "" : v.strip();
        }

        /** A datetime-local value ("2026-11-27T09:00", taken as UTC) or an ISO-8601 instant. */
        private static Instant time(String v, String name, List<String> errors) {
            if (v.isEmpty()) {
                return null;
            }
            try {
                return v.endsWith("Z") || v.endsWith("z") ? Instant.parse(v)
                        : LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                errors.add(name + ": '" + v + "' is not a time (expected 2026-11-27T09:00, UTC); ignored");
                return null;
            }
        }

        String key() {
            return type + "\n" + q + "\n" + (since == null ? "" : since) + "\n" + (until == null ? "" : until) + "\n"
                    + before;
        }

        EventQuery query() {
            return new EventQuery(type, since, until, before, ROWS, q);
        }

        boolean filtered() {
            return !type.isEmpty() || !q.isEmpty() || since != null || until != null;
        }

        /** "No events yet", "No server.down events", "No events matching 'web1'", ... */
        String describe() {
            return "No " + (type.isEmpty() ? "" : type + " ") + "events" + (q.isEmpty() ? "" : " matching '" + q + "'")
                    + (since == null && until == null ? "" : " in this time range")
                    + (filtered() || !before.isEmpty() ? "" : " yet");
        }

        /** This filter's page URL (or stream) with {@code before} as given. */
        String url(String path, String cursor) {
            StringBuilder sb = new StringBuilder(path).append("?type=").append(enc(type)).append("&q=").append(enc(q));
            if (since != null) {
                sb.append("&since=").append(enc(input(since)));
            }
            if (until != null) {
                sb.append("&until=").append(enc(input(until)));
            }
            if (!cursor.isEmpty()) {
                sb.append("&before=").append(enc(cursor));
            }
            return sb.toString();
        }

        String stream() {
            return url("/stream/events", before);
        }

        String sinceInput() {
            return since == null ? "" : input(since);
        }

        String untilInput() {
            return until == null ? "" : input(until);
        }

        /** The value a datetime-local input shows: UTC, to the second when it has seconds. */
        static String input(Instant t) {
            LocalDateTime l = LocalDateTime.ofInstant(t.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC);
            return l.getSecond() == 0 ? l.toString().substring(0, 16) : l.toString();
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    /**
     * Everything events.jte shows.
     *
     * @param next  the cursor of the next (older) page, or empty
     * @param error what was wrong with the request (a bad time, a cursor from another source), or empty
     */
    record View(Chrome chrome, Filter filter, List<String> types, List<Event> rows, String next,
                EventPage.Source source, StoreStatus store, String error) {
        boolean fromStore() {
            return source == EventPage.Source.STORE;
        }
    }

    private record Cached(String version, long at, Map<String, String> parts) {
    }

    private final Dashboard dashboard;
    private final Vertx vertx;
    private final EventLog events;
    /** Touched only by the render thread. */
    private final Map<String, Cached> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > MAX_CACHED;
        }
    };

    EventsPage(Dashboard dashboard, Vertx vertx, EventLog events) {
        this.dashboard = dashboard;
        this.vertx = vertx;
        this.events = events;
    }

    @Override
    public String name() {
        return "events";
    }

    @Override
    public String viewKey(MultiMap query) {
        return Filter.of(query).key();
    }

    void show(RoutingContext ctx, Sessions.Session session) {
        Filter f = Filter.of(ctx.queryParams());
        Chrome chrome = new Chrome("Events", name(), dashboard.nodeName(), session.user(), session.csrf(), f.stream(),
                null, dashboard.assets());
        // The query may wait on PostgreSQL (up to its timeout): never on the event loop, and unordered, so that one
        // slow search does not hold up other people's pages.
        vertx.executeBlocking(() -> dashboard.templates().page("events", view(chrome, f)), false)
                .onSuccess(html -> dashboard.html(ctx, 200, html))
                .onFailure(ctx::fail);
    }

    @Override
    public Map<String, String> parts(Tick tick, String viewKey) {
        String version = version();
        long now = System.currentTimeMillis();
        Cached c = cache.get(viewKey);
        if (c != null && c.version().equals(version) && now - c.at() < MAX_AGE_MILLIS) {
            return c.parts();
        }
        View v = view(null, Filter.ofKey(viewKey));
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : List.of("source", "count", "rows", "pager")) {
            parts.put(part, dashboard.templates().part("events", v, part));
        }
        cache.put(viewKey, new Cached(version, now, parts));
        return parts;
    }

    /** Changes whenever this node records an event or writes one to the store. */
    private String version() {
        if (events instanceof DurableEventLog d) {
            DurableEventLog.Stats s = d.stats();
            return s.recorded() + "/" + s.written() + "/" + d.storeStatus().state();
        }
        List<Event> newest = events.recent(1, null);
        return newest.isEmpty() ? "" : Long.toString(newest.getFirst().id());
    }

    private View view(Chrome chrome, Filter f) {
        EventPage page;
        String error = f.error();
        try {
            page = events.query(f.query());
        } catch (IllegalArgumentException e) {
            // A cursor of the other source (the store came back, or went away, between two pages), or a search
            // too broad to finish in time.
            String why = e.getMessage() != null && e.getMessage().startsWith("before:")
                    ? "this page's position belongs to " + (f.before().startsWith("m") ? "this node's memory"
                    : "PostgreSQL") + ", which no longer serves the events; start again from the newest"
                    : e.getMessage();
            error = (error.isEmpty() ? "" : error + "; ") + why;
            page = new EventPage(List.of(), Optional.empty(), EventPage.Source.MEMORY, events.storeStatus());
        }
        TreeSet<String> types = new TreeSet<>(KNOWN_TYPES);
        for (Event e : events.recent(Integer.MAX_VALUE, null)) {
            types.add(e.type());
        }
        if (!f.type().isEmpty()) {
            types.add(f.type());
        }
        return new View(chrome, f, List.copyOf(types), page.events(), page.next().orElse(""), page.source(),
                page.store(), error);
    }

    /** The types foss-infra emits (EventType's constants), so the filter offers them before they first happen. */
    private static List<String> knownTypes() {
        List<String> out = new ArrayList<>();
        for (Field f : EventType.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    out.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
