package org.fossinfra.ratelimit;

import java.util.Objects;

/**
 * The answer to one request counted under one rule.
 *
 * <p>{@link Unavailable} is not a verdict on the client: the store could not be asked (Redis refused, erred or was
 * too slow). What to do then, let the request through or refuse it, is the caller's configured choice.
 */
public sealed interface Decision permits Decision.Allowed, Decision.Denied, Decision.Unavailable {

    /** The request was counted and may proceed; {@code remaining} more would be allowed right now. */
    record Allowed(long remaining) implements Decision {
        public Allowed {
            if (remaining < 0) {
                throw new IllegalArgumentException("remaining: " + remaining + " (expected: >= 0)");
            }
        }
    }

    /**
     * The request is over the limit and was not counted; one would be allowed again after {@code retryAfterMillis}.
     */
    record Denied(long retryAfterMillis) implements Decision {
        public Denied {
            if (retryAfterMillis < 0) {
                throw new IllegalArgumentException("retryAfterMillis: " + retryAfterMillis + " (expected: >= 0)");
            }
        }

        /** For a {@code Retry-After} header: whole seconds, rounded up, at least 1 (RFC 9110 §10.2.3). */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterMillis + 999) / 1000);
        }
    }

    /** The store could not answer; {@code reason} says why, for the log. */
    record Unavailable(String reason) implements Decision {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * An {@link Allowed}; the common values (below 1024) are shared instances, since a decision is made for every
     * request (the same trick as {@link Integer#valueOf(int)}).
     */
    static Allowed allowed(long remaining) {
        return Decisions.allowed(remaining);
    }
}
