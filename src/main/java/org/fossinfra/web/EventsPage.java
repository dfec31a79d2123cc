package org.fossinfra.web;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.fossinfra.metrics.Tick;

/**
 * The events page (events.jte): the event log, newest first, filtered by type and by a search over type, actor,
 * subject and message, and live. Each distinct filter is one live view: its rows are rendered once a tick for all its
 * viewers, and sent only when they changed.
 */
final class EventsPage implements LivePage {
    static final int ROWS = 200;
    static final int MAX_QUERY = 100;
    private static final Pattern TYPE = Pattern.compile("[a-z0-9_.-]{1,60}");
    private static final List<String> KNOWN_TYPES = knownTypes();

    /** What a viewer asked for: a type (empty for all) and a search text (empty for none), both canonical. */
    record Filter(String type, String q) {
        static Filter of(MultiMap query) {
            String type = query.get("type") == null ? "" : query.get("type").trim().toLowerCase(Locale.ROOT);
            String q = query.get("q") == null ? "" : query.get("q").strip();
            return new Filter(TYPE.matcher(type).matches() ? type : "",
                    q.length() > MAX_QUERY ? q.substring(0, MAX_QUERY) : q);
        }

        static Filter ofKey(String key) {
            int nl = key.indexOf('\n');
            return nl < 0 ? new Filter("", "") : new Filter(key.substring(0, nl), key.substring(nl + 1));
        }

        String key() {
            return type + "\n" + q;
        }

        boolean matches(Event e) {
            if (q.isEmpty()) {
                return true;
            }
            String needle = q.toLowerCase(Locale.ROOT);
            return contains(e.type(), needle) || contains(e.actor(), needle) || contains(e.subject(), needle)
                    || contains(e.message(), needle);
        }

        /** "No events yet", "No server.down events", "No events matching 'web1'", ... */
        String describe() {
            return "No " + (type.isEmpty() ? "" : type + " ") + "events" + (q.isEmpty() ? "" : " matching '" + q + "'")
                    + (type.isEmpty() && q.isEmpty() ? " yet" : "");
        }

        String stream() {
            return "/stream/events?type=" + URLEncoder.encode(type, StandardCharsets.UTF_8) + "&q="
                    + URLEncoder.encode(q, StandardCharsets.UTF_8);
        }

        private static boolean contains(String s, String needle) {
            return s != null && s.toLowerCase(Locale.ROOT).contains(needle);
        }
    }

    /** Everything events.jte shows. */
    record View(Chrome chrome, Filter filter, List<String> types, List<Event> rows, int matched, int kept) {
    }

    private final Dashboard dashboard;
    private final EventLog events;

    EventsPage(Dashboard dashboard, EventLog events) {
        this.dashboard = dashboard;
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
        dashboard.html(ctx, 200, dashboard.templates().page("events", view(chrome, f)));
    }

    @Override
    public Map<String, String> parts(Tick tick, String viewKey) {
        View v = view(null, Filter.ofKey(viewKey));
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("count", dashboard.templates().part("events", v, "count"));
        parts.put("rows", dashboard.templates().part("events", v, "rows"));
        return parts;
    }

    private View view(Chrome chrome, Filter f) {
        List<Event> all = events.recent(Integer.MAX_VALUE, null);
        TreeSet<String> types = new TreeSet<>(KNOWN_TYPES);
        List<Event> rows = new ArrayList<>();
        int matched = 0;
        for (Event e : all) {
            types.add(e.type());
            if ((f.type().isEmpty() || f.type().equals(e.type())) && f.matches(e)) {
                matched++;
                if (rows.size() < ROWS) {
                    rows.add(e);
                }
            }
        }
        if (!f.type().isEmpty()) {
            types.add(f.type());
        }
        return new View(chrome, f, List.copyOf(types), rows, matched, all.size());
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
