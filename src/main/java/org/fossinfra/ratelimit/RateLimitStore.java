package org.fossinfra.ratelimit;

import java.util.function.LongSupplier;

/**
 * Where a rule's counts live: in this process (the default, for one node) or in a store every node shares (Redis,
 * {@code org.fossinfra.redis.RedisRateLimitStore}). Rules never share counts: each {@link #limiter} call names its
 * rule, and its keys are kept apart from every other rule's.
 */
public interface RateLimitStore extends AutoCloseable {

    /**
     * The counts of rule {@code name} under {@code policy}, holding at most {@code maxKeys} keys at once (HAProxy's
     * stick-table {@code size}): the in-process store drops the least recently used key for a new one; Redis, shared
     * by every node, makes no new key beyond it and answers {@link Decision.Unavailable} (dropping a key there would
     * reset a limit in force on every node). The in-process store starts every call with empty counts.
     */
    Limiter limiter(String name, Policy policy, int maxKeys);

    /** Releases connections and timers; limiters of a closed store answer {@link Decision.Unavailable}. */
    @Override
    default void close() {
    }

    /** The in-process store on the system's monotonic clock. */
    static RateLimitStore local() {
        return local(System::nanoTime);
    }

    /** The in-process store reading time from {@code nanoClock} (monotonic nanoseconds), e.g. a test's clock. */
    static RateLimitStore local(LongSupplier nanoClock) {
        return (name, policy, maxKeys) -> LocalLimiter.create(policy, maxKeys, nanoClock);
    }
}
