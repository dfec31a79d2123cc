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

    private EventType() {
    }
}
