package org.fossinfra.events;

import java.time.Instant;

/**
 * Whether the event store can be written and read now, and if not, why, in one sentence an operator can act on
 * ("PostgreSQL at 10.0.0.5:5432 refused the password of user 'foss'; check database.password").
 *
 * @param since when it entered this state
 */
public record StoreStatus(State state, String detail, Instant since) {
    public enum State {
        /** No store is configured: events live in memory only. */
        DISABLED,
        /** Starting (embedded PostgreSQL, migrations): events wait in the journal. */
        STARTING,
        /** Writes and reads go to the store. */
        AVAILABLE,
        /** The store failed; events wait in the journal and the node retries with backoff. */
        UNAVAILABLE
    }

    public StoreStatus {
        detail = detail == null ? "" : detail;
    }

    public static StoreStatus disabled() {
        return new StoreStatus(State.DISABLED, "no event store is configured; events are kept in memory only",
                Instant.now());
    }

    public boolean available() {
        return state == State.AVAILABLE;
    }
}
