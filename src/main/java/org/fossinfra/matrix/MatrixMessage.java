package org.fossinfra.matrix;

import java.time.Instant;
import java.util.Objects;

/**
 * One message in the ops room as the dashboard shows it: what the bot posted and what people said there.
 *
 * @param eventId the homeserver's id of the event
 * @param time    when the homeserver received it ({@code origin_server_ts})
 * @param sender  who sent it
 * @param body    its plain-text body, cut to {@link #MAX_BODY} characters
 * @param fromBot whether the bot itself posted it (a notification or a reply)
 */
public record MatrixMessage(String eventId, Instant time, String sender, String body, boolean fromBot) {
    /** A long list (a grouped burst) is cut here: the dashboard shows the gist, the room and the event log the rest. */
    public static final int MAX_BODY = 600;

    public MatrixMessage {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(body, "body");
        if (body.length() > MAX_BODY) {
            body = body.substring(0, MAX_BODY) + "…";
        }
    }
}
