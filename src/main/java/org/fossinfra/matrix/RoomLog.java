package org.fossinfra.matrix;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ops room's newest messages, both directions, for the dashboard: filled from the room's history when the bot
 * joins (GET /rooms/{id}/messages) and then from every sync. An event seen twice (in the history and again in the first
 * sync) is kept once; the oldest message goes when there are {@code capacity}.
 *
 * <p>Written by the sync thread, read by the dashboard's render thread: every method holds the lock, and reading
 * copies.
 */
final class RoomLog {
    private final int capacity;
    private final ArrayDeque<MatrixMessage> messages = new ArrayDeque<>();
    private final Set<String> ids = new HashSet<>();

    RoomLog(int capacity) {
        this.capacity = capacity;
    }

    /** Adds an {@code m.room.message} event of the room's timeline, if it has a body and is not here yet. */
    synchronized void add(JsonObject event, String botUserId) {
        String id = event.getString("event_id");
        JsonObject content = event.getJsonObject("content", new JsonObject());
        if (id == null || !"m.room.message".equals(event.getString("type"))
                || !(content.getValue("body") instanceof String body) || !ids.add(id)) {
            return;
        }
        String sender = event.getString("sender", "");
        Instant time = Instant.ofEpochMilli(event.getValue("origin_server_ts") instanceof Number n ? n.longValue() : 0);
        messages.addLast(new MatrixMessage(id, time, sender, body, sender.equals(botUserId)));
        while (messages.size() > capacity) {
            ids.remove(messages.removeFirst().eventId());
        }
    }

    /** The messages, newest first (by the homeserver's time; the history may arrive after newer syncs). */
    synchronized List<MatrixMessage> newestFirst() {
        List<MatrixMessage> out = new ArrayList<>(messages);
        out.sort(java.util.Comparator.comparing(MatrixMessage::time).reversed());
        return out;
    }
}
