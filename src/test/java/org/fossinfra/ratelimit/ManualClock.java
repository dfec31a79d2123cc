package org.fossinfra.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when told, for exact policy tests. Starts at an arbitrary, negative time. */
final class ManualClock implements LongSupplier {
    private final AtomicLong now = new AtomicLong(-7_000_000_000_123L);

    @Override
    public long getAsLong() {
        return now.get();
    }

    ManualClock advance(Duration d) {
        now.addAndGet(d.toNanos());
        return this;
    }

    ManualClock advanceMillis(long ms) {
        return advance(Duration.ofMillis(ms));
    }

    /** A limiter of the in-process store on this clock, answering synchronously. */
    LocalLimiter<?> limiter(Policy policy, int maxKeys) {
        return LocalLimiter.create(policy, maxKeys, this);
    }
}
