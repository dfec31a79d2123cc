package org.fossinfra.ratelimit;

import java.time.Duration;

/**
 * At most {@code limit} requests per window of {@code window}; a key's window starts at its first request and a new
 * one at the first request after it ends (the seed's {@code rate_limit}: {@code SETEX} on the first request). Cheap
 * and exact per window, but a client may send {@code limit} at the end of one window and {@code limit} again at the
 * start of the next: use {@link SlidingWindow} where that burst matters.
 *
 * <p>Per key: a start time and a count (24 bytes of state).
 */
public record FixedWindow(int limit, Duration window) implements Policy {
    public FixedWindow {
        Arguments.requireLimit("limit", limit);
        Arguments.requireWindow(window);
    }

    @Override
    public String configName() {
        return "fixed-window";
    }

    @Override
    public long localBytesPerKey() {
        return LocalAlgorithm.ENTRY_BYTES + 24;
    }

    /** A key's current window. */
    static final class Counter {
        long start;
        int count;
    }

    static final class Local extends LocalAlgorithm<Counter> {
        private final int limit;
        private final long windowNanos;

        Local(FixedWindow p) {
            this.limit = p.limit();
            this.windowNanos = p.window().toNanos();
        }

        @Override
        Counter newState(long now) {
            Counter c = new Counter();
            c.start = now;
            return c;
        }

        @Override
        Decision acquire(Counter c, long now) {
            if (now - c.start >= windowNanos) {
                c.start = now;
                c.count = 0;
            }
            if (c.count < limit) {
                c.count++;
                return Decision.allowed(limit - c.count);
            }
            return new Decision.Denied(Decisions.ceilMillis(c.start + windowNanos - now));
        }

        @Override
        boolean idle(Counter c, long now) {
            return now - c.start >= windowNanos;
        }
    }
}
