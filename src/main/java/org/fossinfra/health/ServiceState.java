package org.fossinfra.health;

import org.fossinfra.events.EventType;

/**
 * What the recent checks of a service say about it (the rule is on {@link org.fossinfra.config.ServiceConfig}).
 * UNKNOWN only until the first check completes; a service never goes back to it.
 */
public enum ServiceState {
    /** Not checked yet. */
    UNKNOWN,
    /** Every check in the window passed in time. */
    HEALTHY,
    /** Some recent checks failed or were slow, but not the last {@code unhealthy-after} in a row. */
    DEGRADED,
    /** The last {@code unhealthy-after} checks all failed. */
    UNHEALTHY;

    /** The event recorded when a service enters this state. */
    String eventType() {
        return switch (this) {
            case HEALTHY -> EventType.SERVICE_HEALTHY;
            case DEGRADED -> EventType.SERVICE_DEGRADED;
            case UNHEALTHY -> EventType.SERVICE_UNHEALTHY;
            case UNKNOWN -> throw new IllegalStateException("no service enters UNKNOWN");
        };
    }
}
