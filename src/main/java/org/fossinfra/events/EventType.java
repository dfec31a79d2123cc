package org.fossinfra.events;

/** The event types foss-infra emits; the log itself accepts any string so later features can add their own. */
public final class EventType {
    public static final String SERVER_UP = "server.up";
    public static final String SERVER_DOWN = "server.down";
    public static final String SERVER_STATE = "server.state";
    public static final String SERVER_WEIGHT = "server.weight";
    /** A watched service (PostgreSQL, Redis, ...) became healthy, degraded or unhealthy; actor "health-check". */
    public static final String SERVICE_HEALTHY = "service.healthy";
    public static final String SERVICE_DEGRADED = "service.degraded";
    public static final String SERVICE_UNHEALTHY = "service.unhealthy";
    public static final String CONFIG_RELOAD = "config.reload";
    public static final String CONFIG_RELOAD_FAILED = "config.reload.failed";
    public static final String NODE_START = "node.start";
    public static final String NODE_STOP = "node.stop";
    /** A dashboard sign-in; actor "dashboard:&lt;user&gt;", subject the client address. */
    public static final String AUTH_LOGIN = "auth.login";
    /** A wrong user name or password; actor the name tried, subject the client address. */
    public static final String AUTH_LOGIN_FAILED = "auth.login.failed";
    /** Sign-ins refused by the rate limit (recorded once per lock-out, not per attempt). */
    public static final String AUTH_LOGIN_LIMITED = "auth.login.limited";
    public static final String AUTH_LOGOUT = "auth.logout";
    /** The event store (PostgreSQL) can be written; actor "event-store", subject the node. */
    public static final String STORE_AVAILABLE = "store.available";
    /** The event store failed (refused, wrong password, no permission, ...); the message says why and what to do. */
    public static final String STORE_UNAVAILABLE = "store.unavailable";
    /** The partition job created or dropped monthly partitions of the events table; actor "partition-job". */
    public static final String STORE_PARTITIONS = "store.partitions";
    /**
     * Journaling stopped: free space on the journal's disk fell below {@code database.journal-min-free}, or appending
     * failed (a full or broken disk). Accepted events wait in memory meanwhile; actor "event-journal", subject the
     * journal's directory. Once per stop.
     */
    public static final String JOURNAL_STOPPED = "journal.stopped";
    /** Journaling works again (space is back, or appending works); data: stopped-ms. */
    public static final String JOURNAL_RESUMED = "journal.resumed";
    /** A torn or damaged record was found in the journal and cut off or skipped, never trusted; data: offset, bytes. */
    public static final String JOURNAL_DAMAGED = "journal.damaged";
    /** Events were refused (not persisted) because the buffer was full; once per episode, data: count, total. */
    public static final String JOURNAL_DROPPED = "journal.dropped";
    /** A journal or writer thread met an unexpected failure; it carries on after a backoff. Once per episode. */
    public static final String JOURNAL_THREAD_FAILED = "journal.thread.failed";
    /**
     * The shared rate-limit store (Redis) stopped answering: refused, erred or too slow; actor "ratelimit", subject
     * its address. Once per outage; checks meanwhile follow the {@code on-failure} setting.
     */
    public static final String RATELIMIT_STORE_UNAVAILABLE = "ratelimit.store.unavailable";
    /** The shared rate-limit store answers again (after a second without failures); data: down-ms, failures. */
    public static final String RATELIMIT_STORE_AVAILABLE = "ratelimit.store.available";
    /**
     * A rate-limit rule on Redis holds its {@code size} of keys: requests under a new key are not counted and follow
     * {@code on-failure}; actor "ratelimit", subject the rule. Once until it has room again.
     */
    public static final String RATELIMIT_KEYS_FULL = "ratelimit.keys.full";
    /** The rule makes new keys again (after a second without a refusal); data: full-ms, refused. */
    public static final String RATELIMIT_KEYS_FREED = "ratelimit.keys.freed";

    /** The Matrix bot signed in and is in the ops room (at start, and again after the homeserver was away). */
    public static final String MATRIX_CONNECTED = "matrix.connected";
    /** The homeserver stopped answering; once per outage. Notifications wait in the outbox meanwhile. */
    public static final String MATRIX_UNAVAILABLE = "matrix.unavailable";
    /** The Matrix bot gave up for good (refused credentials, say); the message says why and what to do. */
    public static final String MATRIX_STOPPED = "matrix.stopped";
    /** The homeserver forgot the bot's token (M_UNKNOWN_TOKEN: logged out, device deleted) and it signed in again. */
    public static final String MATRIX_SIGNED_IN_AGAIN = "matrix.signed-in-again";
    /** A chat command was refused: the sender is not among matrix.operators. Actor: the sender's Matrix id. */
    public static final String MATRIX_COMMAND_REFUSED = "matrix.command.refused";
    /** Notifications were dropped: the outbox was full, or the homeserver rejected a message for good. */
    public static final String MATRIX_NOTIFICATIONS_DROPPED = "matrix.notifications.dropped";

    private EventType() {
    }
}
