package org.fossinfra.balance;

/**
 * What an operator has asked of a server, independent of what its health checks say.
 */
public enum AdminState {
    /** Takes new requests when healthy. */
    READY,
    /** Takes no new requests; requests in flight finish normally. */
    DRAIN,
    /** Like {@link #DRAIN}, and health checks are paused while the server is worked on. */
    MAINT
}
