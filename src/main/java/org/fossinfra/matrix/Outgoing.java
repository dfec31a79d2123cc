package org.fossinfra.matrix;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message on its way to the ops room: a notification or a reply to a command.
 *
 * @param txnId    the transaction id it is sent with, derived from what it reports (see {@link #txnId}); every
 *                 retry, after a timeout, a homeserver restart or a node restart, uses the same one, so the homeserver
 *                 posts it once
 * @param msgtype  {@code m.text} for notifications (they should notify people), {@code m.notice} for replies (bots
 *                 answer with notices, which other bots ignore)
 * @param body     the plain-text body
 * @param html     the same as HTML ({@code org.matrix.custom.html}), every interpolated text escaped
 * @param replyTo  the event a reply answers
 * @param mentions the users the message means to notify ({@code m.mentions}); none for notifications, whose text
 *                 may name users without pinging them
 */
record Outgoing(String txnId, String msgtype, String body, String html, Optional<String> replyTo,
                List<String> mentions) {
    Outgoing {
        Objects.requireNonNull(txnId, "txnId");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(html, "html");
        Objects.requireNonNull(replyTo, "replyTo");
        if (!msgtype.equals("m.text") && !msgtype.equals("m.notice")) {
            throw new IllegalArgumentException("msgtype: " + msgtype + " (expected: m.text or m.notice)");
        }
        mentions = List.copyOf(mentions);
    }

    /** The event content, as the send endpoint takes it. */
    JsonObject content() {
        JsonObject c = new JsonObject()
                .put("msgtype", msgtype)
                .put("body", body)
                .put("format", "org.matrix.custom.html")
                .put("formatted_body", html)
                .put("m.mentions", new JsonObject().put("user_ids", new JsonArray(mentions)));
        replyTo.ifPresent(id -> c.put("m.relates_to",
                new JsonObject().put("m.in_reply_to", new JsonObject().put("event_id", id))));
        return c;
    }

    JsonObject toJson() {
        JsonObject j = new JsonObject().put("txn", txnId).put("msgtype", msgtype).put("body", body).put("html", html)
                .put("mentions", new JsonArray(mentions));
        replyTo.ifPresent(r -> j.put("reply_to", r));
        return j;
    }

    static Outgoing fromJson(JsonObject j) {
        List<String> mentions = j.getJsonArray("mentions", new JsonArray()).stream().map(String::valueOf).toList();
        return new Outgoing(j.getString("txn"), j.getString("msgtype"), j.getString("body"), j.getString("html"),
                Optional.ofNullable(j.getString("reply_to")), mentions);
    }

    /**
     * A transaction id that is a function of what the message is about: {@code prefix} and the first 128 bits of
     * SHA-256 over the parts, hex. Two messages about different things never share one (the parts name the events
     * with their node, number and time, or the command's event id); the same message asked for twice always does.
     */
    static String txnId(String prefix, List<String> parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                sha.update(p.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return prefix + HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
