package org.fossinfra.matrix;

import java.util.Objects;
import java.util.Optional;

/**
 * What the bot keeps across restarts: where it left off in the room's history and which room is the ops room. Both
 * belong to one account on one homeserver; a state saved for another is ignored (a sync token of one server means
 * nothing to another).
 *
 * @param homeserver the homeserver's base URL
 * @param userId     the bot's user id
 * @param roomId     the ops room, once known
 * @param nextBatch  the {@code next_batch} of the last sync whose events were all handled; the next sync starts there,
 *                   so nothing handled before is handled again
 */
public record SyncState(String homeserver, String userId, Optional<String> roomId, Optional<String> nextBatch) {
    public SyncState {
        Objects.requireNonNull(homeserver, "homeserver");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(nextBatch, "nextBatch");
    }

    /** Nothing known yet for this account. */
    public static SyncState fresh(String homeserver, String userId) {
        return new SyncState(homeserver, userId, Optional.empty(), Optional.empty());
    }

    public SyncState withRoom(String room) {
        return new SyncState(homeserver, userId, Optional.of(room), nextBatch);
    }

    public SyncState withNextBatch(String batch) {
        return new SyncState(homeserver, userId, roomId, Optional.of(batch));
    }

    /** Whether this state was saved for the same account on the same homeserver. */
    public boolean belongsTo(String homeserver, String userId) {
        return this.homeserver.equals(homeserver) && this.userId.equals(userId);
    }
}
