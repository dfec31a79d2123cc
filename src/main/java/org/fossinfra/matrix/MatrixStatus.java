package org.fossinfra.matrix;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Matrix bot as the dashboard shows it.
 *
 * @param state           where the bot is
 * @param homeserver      the homeserver's base URL
 * @param userId          the bot's user id
 * @param deviceId        the bot's device
 * @param roomId          the ops room, once known
 * @param queued          messages waiting for the homeserver
 * @param sent            messages posted since start
 * @param commands        commands run since start
 * @param dropped         notifications dropped since start (outbox full, or refused for good)
 * @param lastError       the latest failure, kept after recovery; empty if none yet
 * @param lastErrorMillis epoch millis of that failure, 0 if none
 * @param sinceMillis     epoch millis when the bot entered {@code state}
 * @param operators       who may change the node from chat
 */
public record MatrixStatus(State state, String homeserver, String userId, String deviceId, Optional<String> roomId,
                           int queued, long sent, long commands, long dropped, Optional<String> lastError,
                           long lastErrorMillis, long sinceMillis, List<String> operators) {
    public MatrixStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(lastError, "lastError");
        operators = List.copyOf(operators);
    }

    /** Where the bot is. */
    public enum State {
        /** Signing in and finding the room. */
        STARTING,
        /** Signed in, in the room, posting and listening. */
        CONNECTED,
        /** The homeserver does not answer (or refuses for now); retrying with backoff, messages wait. */
        RETRYING,
        /** Given up until a person fixes the config; the reason is in {@code lastError} and in a matrix.stopped event. */
        STOPPED
    }
}
