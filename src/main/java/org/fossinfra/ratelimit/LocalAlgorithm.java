package org.fossinfra.ratelimit;

/**
 * A policy as the in-process store runs it: per-key state of type {@code S} and the decision on it. The parameters
 * live here, once per rule; the state holds only what changes, so that a table of 100k keys stays small.
 *
 * <p>Hazard: not thread-safe; {@link LocalLimiter} calls it under the lock of the key's stripe.
 *
 * @param <S> the per-key state
 */
abstract class LocalAlgorithm<S> {

    /** The state of a key seen for the first time at {@code now} (nanoseconds). */
    abstract S newState(long now);

    /** Counts one request at {@code now} if the policy admits it. */
    abstract Decision acquire(S state, long now);

    /** Whether the state holds nothing any more, i.e. a fresh state would decide the same: it may be dropped. */
    abstract boolean idle(S state, long now);

    static LocalAlgorithm<?> of(Policy policy) {
        return switch (policy) {
            case FixedWindow f -> new FixedWindow.Local(f);
            case SlidingWindow s -> new SlidingWindow.Local(s);
            case TokenBucket t -> new TokenBucket.Local(t);
        };
    }

    /**
     * A {@code LinkedHashMap} entry (40 bytes), a key string for an IPv4 address (about 56 bytes) and the table's
     * share of the hash array (8): what every key costs on top of its state. 64-bit JVM, compressed references.
     */
    static final long ENTRY_BYTES = 104;
}
