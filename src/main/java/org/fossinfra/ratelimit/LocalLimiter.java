package org.fossinfra.ratelimit;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One rule's counts in this process: HAProxy's stick table. Keys are spread over up to {@value #MAX_STRIPES}
 * stripes, each a small access-ordered map behind its own lock, so that event loops counting different keys rarely
 * meet, and a decision costs a hash, an uncontended lock and a few field updates. Answers come before
 * {@link #acquire} returns, on the caller's thread.
 *
 * <p>Memory is bounded by {@code maxKeys}, split evenly over the stripes. A new key in a full stripe drops that
 * stripe's least recently used key, as HAProxy drops its oldest entry when a table is full. If that key still held
 * counts, they are forgotten (the client starts afresh), which is counted in {@link #evicted()}; normally the least
 * recently used key is one whose window has long passed. Worst case, a table takes {@code maxKeys} times
 * {@link Policy#localBytesPerKey()}. Since keys are hashed to stripes, dropping may start a little before the table
 * holds {@code maxKeys} (a few percent, for large tables), never after.
 *
 * <p>Hazard: the clock is read under the stripe's lock, so each key sees time move forward; a clock that goes
 * backwards (a test's) only delays windows, it never corrupts them.
 *
 * @param <S> the policy's per-key state
 */
final class LocalLimiter<S> implements Limiter {
    /** Beyond this, more stripes don't reduce contention between a handful of event loops; they only cost memory. */
    static final int MAX_STRIPES = 64;
    /** Fibonacci hashing (Knuth 6.4): 2^32 / golden ratio. The top bits pick the stripe, the map uses the low ones. */
    private static final int GOLDEN = 0x9E3779B9;

    private final LocalAlgorithm<S> algorithm;
    private final LongSupplier clock;
    private final Stripe<S>[] stripes;
    private final int stripeBits;
    private final LongAdder evicted = new LongAdder();

    LocalLimiter(LocalAlgorithm<S> algorithm, int maxKeys, LongSupplier clock) {
        this(algorithm, maxKeys, Integer.highestOneBit(Math.min(MAX_STRIPES, Math.max(1, maxKeys))), clock);
    }

    /** With {@code n} stripes, a power of two (tests use one, to see the whole table's order). */
    @SuppressWarnings("unchecked")
    LocalLimiter(LocalAlgorithm<S> algorithm, int maxKeys, int n, LongSupplier clock) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: >= 1)");
        }
        if (Integer.bitCount(n) != 1 || n > maxKeys) {
            throw new IllegalArgumentException("stripes: " + n + " (expected: a power of two, at most maxKeys)");
        }
        this.algorithm = algorithm;
        this.clock = clock;
        this.stripeBits = Integer.numberOfTrailingZeros(n);
        this.stripes = new Stripe[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = new Stripe<>(maxKeys / n + (i < maxKeys % n ? 1 : 0));
        }
    }

    static LocalLimiter<?> create(Policy policy, int maxKeys, LongSupplier clock) {
        return new LocalLimiter<>(LocalAlgorithm.of(policy), maxKeys, clock);
    }

    @Override
    public void acquire(String key, long tag, Answer answer) {
        answer.onDecision(tag, decide(key));
    }

    /** Counts one request for {@code key} and decides. */
    Decision decide(String key) {
        Stripe<S> s = stripes[stripeBits == 0 ? 0 : (key.hashCode() * GOLDEN) >>> (32 - stripeBits)];
        synchronized (s) {
            long now = clock.getAsLong();
            S state = s.get(key);
            if (state == null) {
                if (s.size() >= s.capacity) {
                    dropOldest(s, now);
                }
                state = algorithm.newState(now);
                s.put(key, state);
            }
            return algorithm.acquire(state, now);
        }
    }

    private void dropOldest(Stripe<S> s, long now) {
        Iterator<Map.Entry<String, S>> it = s.entrySet().iterator();
        Map.Entry<String, S> eldest = it.next();
        if (!algorithm.idle(eldest.getValue(), now)) {
            evicted.increment();
        }
        it.remove();
    }

    /** Keys held now. */
    int size() {
        int n = 0;
        for (Stripe<S> s : stripes) {
            synchronized (s) {
                n += s.size();
            }
        }
        return n;
    }

    /** Keys dropped while they still held counts, because the table was full. */
    long evicted() {
        return evicted.sum();
    }

    int stripes() {
        return stripes.length;
    }

    /** One lock's worth of keys, least recently used first. */
    private static final class Stripe<S> extends LinkedHashMap<String, S> {
        final int capacity;

        Stripe(int capacity) {
            super(16, 0.75f, true);
            this.capacity = capacity;
        }
    }
}
