package org.fossinfra.matrix;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Waits between attempts while the homeserver fails: exponential backoff with full jitter, each wait drawn uniformly
 * from 0 to min(cap, base · 2^attempt) (M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015:
 * full jitter spreads the retries of many clients best and finishes soonest). A 429 is different: the server said
 * how long, and {@link #delayFor} obeys it.
 *
 * <p>Not thread-safe: each loop (sync, sender, start-up) has its own.
 */
final class Backoff {
    /** The first ceiling: a homeserver that hiccups once is asked again within half a second. */
    static final long BASE_MS = 500;

    private final long capMs;
    private final LongUnaryOperator random;
    private int attempt;

    Backoff(long capMs) {
        this(capMs, bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    }

    /** @param random a uniform draw from 0 to its argument, inclusive (tests make it deterministic) */
    Backoff(long capMs, LongUnaryOperator random) {
        if (capMs < BASE_MS) {
            throw new IllegalArgumentException("capMs: " + capMs + " (expected: " + BASE_MS + " or more)");
        }
        this.capMs = capMs;
        this.random = random;
    }

    /** The ceiling of the next wait: base · 2^attempt, at most the cap. */
    long ceiling() {
        return attempt >= 40 ? capMs : Math.min(capMs, BASE_MS << attempt);
    }

    /** The next wait, and one more attempt counted. */
    long next() {
        long wait = random.applyAsLong(ceiling());
        attempt = Math.min(attempt + 1, 40);
        return wait;
    }

    /** After a success: the next failure starts again from {@link #BASE_MS}. */
    void reset() {
        attempt = 0;
    }

    /**
     * How long to wait after {@code e}: what a 429 asked for (at least 1 ms more, so that the retry does not land at
     * the very instant the limit ends), else the next backoff.
     */
    long delayFor(MatrixException e) {
        if (e.kind() == MatrixException.Kind.RATE_LIMITED && e.retryAfterMs() >= 0) {
            return e.retryAfterMs() + 1;
        }
        return next();
    }
}
