package org.fossinfra.redis;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.fossinfra.config.RedisConfig;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rule's key budget in Redis, as the node hears of it: the scripts hold a rule to its {@code size} of keys at once
 * (counted across every node, in the rule's key index) and refuse to make a key beyond it; the request is then not
 * counted and follows {@code on-failure}, since the store could not count it. Here: a counter of the keys refused
 * ({@value #METER}, per rule), one log line and one {@code ratelimit.keys.full} event when the first is refused, and
 * one {@code ratelimit.keys.freed} when a new key is made again after {@link #QUIET} without a refusal. Never a line
 * per request.
 *
 * <p>Why refuse and not evict: making room would drop the count of a client whose limit is in force, the one thing a
 * limit must not forget (Redis's own {@code allkeys-lru} does exactly that). Known clients keep being counted while a
 * flood of new keys is turned away.
 *
 * <p>Thread-safe: every event loop's lane reports here; a new key costs one volatile read while the rule has room.
 */
final class KeyBudget {
    static final String METER = "foss.ratelimit.redis.keys.refused";
    static final Duration QUIET = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger("ratelimit");

    private final String rule;
    private final int size;
    private final String onFailure;
    private final String target;
    private final EventLog events;
    private final Counter refused;
    private final LongSupplier nanoClock;
    private final AtomicBoolean full = new AtomicBoolean();
    private final AtomicLong lastRefusal = new AtomicLong();
    private final AtomicLong refusedWhileFull = new AtomicLong();
    private volatile long fullSince;

    KeyBudget(String rule, int size, RedisConfig config, EventLog events, MeterRegistry meters, LongSupplier nanoClock) {
        this.rule = rule;
        this.size = size;
        this.onFailure = switch (config.onFailure()) {
            case OPEN -> "open (let through unchecked)";
            case CLOSED -> "closed (503)";
        };
        this.target = config.describe();
        this.events = events;
        this.refused = Counter.builder(METER)
                .description("New keys a rate-limit rule on Redis did not make because it held its size of keys;"
                        + " their requests followed on-failure")
                .tag("rule", rule).register(meters);
        this.nanoClock = nanoClock;
    }

    int size() {
        return size;
    }

    /** A script refused to make a key: the rule holds {@code size} keys. */
    void refused() {
        refused.increment();
        long now = nanoClock.getAsLong();
        lastRefusal.set(now);
        refusedWhileFull.incrementAndGet();
        if (full.compareAndSet(false, true)) {
            fullSince = now;
            refusedWhileFull.set(1);
            String message = "rate-limit rule '" + rule + "' holds its " + size + " keys in " + target + " (size "
                    + size + "): requests under a new key are not counted and follow on-failure: " + onFailure
                    + "; raise the rule's size if these are real clients";
            log.warn("{}", message);
            if (events != null) {
                events.record(EventType.RATELIMIT_KEYS_FULL, "ratelimit", rule, message,
                        Map.of("size", Integer.toString(size), "store", target));
            }
        }
    }

    /** A script made a key. */
    void created() {
        if (!full.get()) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (now - lastRefusal.get() < QUIET.toNanos() || !full.compareAndSet(true, false)) {
            return;
        }
        long fullMillis = (now - fullSince) / 1_000_000L;
        long n = refusedWhileFull.get();
        String message = "rate-limit rule '" + rule + "' has room for new keys in " + target + " again after "
                + fullMillis + " ms; " + n + " new key(s) were refused meanwhile";
        log.info("{}", message);
        if (events != null) {
            events.record(EventType.RATELIMIT_KEYS_FREED, "ratelimit", rule, message,
                    Map.of("full-ms", Long.toString(fullMillis), "refused", Long.toString(n)));
        }
    }
}
