package org.fossinfra.matrix;

import gg.jte.html.escape.Escape;
import gg.jte.output.StringOutput;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.fossinfra.events.Event;

/**
 * The text of what the bot posts: a plain body and the same as HTML ({@code org.matrix.custom.html}). Every piece of
 * text that comes from elsewhere (event messages, server names, command arguments, user ids) goes through
 * {@link #escape}, so an event message holding markup shows as text and cannot inject a link or a mention.
 */
final class Messages {
    /** A group lists this many events; the rest are counted (the event log has them all). */
    static final int MAX_LISTED = 25;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** A reply's text, plain and HTML. */
    record Reply(String text, String html) {
        static Reply plain(String text) {
            return new Reply(text, escape(text));
        }
    }

    private Messages() {
    }

    /**
     * One message for a group of events of one type, oldest first. Its transaction id is derived from the events
     * (node, number, time, type, subject), so the same group always maps to the same id and two groups never do.
     */
    static Outgoing notification(String node, String type, List<Event> events) {
        List<String> parts = new ArrayList<>();
        for (Event e : events) {
            parts.add(e.node() + "|" + e.id() + "|" + e.time() + "|" + e.type() + "|" + e.subject());
        }
        String txn = Outgoing.txnId("fi-n-", parts);
        String mark = mark(type);
        Event first = events.getFirst();
        Event last = events.getLast();
        String where = node.isEmpty() ? "" : " on " + node;
        if (events.size() == 1) {
            String when = time(first.time()) + " UTC";
            return new Outgoing(txn, "m.text", mark + " " + first.message() + " (" + type + where + ", " + when + ")",
                    mark + " " + escape(first.message()) + " <i>(" + escape(type + where) + ", " + when + ")</i>",
                    Optional.empty(), List.of());
        }
        String span = time(first.time()) + "–" + time(last.time()) + " UTC";
        StringBuilder body = new StringBuilder(mark).append(' ').append(events.size()).append(" × ").append(type)
                .append(where).append(", ").append(span).append(':');
        StringBuilder html = new StringBuilder("<p>").append(mark).append(" <b>").append(events.size()).append(" × ")
                .append(escape(type)).append("</b>").append(escape(where)).append(", ").append(span).append("</p><ul>");
        int listed = Math.min(events.size(), MAX_LISTED);
        for (int i = 0; i < listed; i++) {
            Event e = events.get(i);
            body.append("\n• ").append(e.message());
            html.append("<li>").append(escape(e.message())).append("</li>");
        }
        html.append("</ul>");
        if (events.size() > listed) {
            String more = "… and " + (events.size() - listed) + " more (see the event log)";
            body.append('\n').append(more);
            html.append("<p>").append(more).append("</p>");
        }
        return new Outgoing(txn, "m.text", body.toString(), html.toString(), Optional.empty(), List.of());
    }

    /**
     * The bot's answer to the command in event {@code eventId}: a notice in reply to it, mentioning its sender. The
     * transaction id is derived from the room and the command's event id: one command, one answer, however often it
     * is handled.
     */
    static Outgoing reply(String roomId, String eventId, String sender, Reply r) {
        return new Outgoing(Outgoing.txnId("fi-r-", List.of(roomId, eventId)), "m.notice", r.text(), r.html(),
                Optional.of(eventId), List.of(sender));
    }

    /** A sign of the event's severity, so a glance at the room tells bad news from good. */
    static String mark(String type) {
        if (type.endsWith(".down") || type.endsWith(".unhealthy") || type.endsWith(".failed")
                || type.endsWith(".unavailable") || type.endsWith(".dropped")) {
            return "🔴";
        }
        if (type.endsWith(".degraded") || type.endsWith(".limited")) {
            return "🟠";
        }
        if (type.endsWith(".up") || type.endsWith(".healthy") || type.endsWith(".available")) {
            return "🟢";
        }
        return "🔵";
    }

    static String time(Instant t) {
        return TIME.format(t);
    }

    /**
     * Text as HTML text content. jte's escaper, the one the dashboard's templates use: one implementation of HTML
     * escaping in the product, maintained and tested by a library rather than copied here.
     */
    static String escape(String s) {
        StringOutput out = new StringOutput(s.length() + 16);
        Escape.htmlContent(s, out);
        return out.toString();
    }
}
