package org.fossinfra.redis;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.fossinfra.events.EventLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Redis behind a store answers, as told by the outcome of every call, and what the log and the event
 * log hear of it: one line and one event when it starts failing, one line and one event when it is back, and while
 * it keeps failing a summary line at most every {@link #SUMMARY_EVERY}. Never a line per request, whatever the
 * request rate.
 *
 * <p>Recovery needs {@link #RECOVERY_QUIET} without a failure: a Redis that fails every other call (one key of the
 * wrong type, a flapping link) stays "unavailable" instead of making an event pair per request.
 *
 * <p>Thread-safe; a success costs one volatile read while Redis is available.
 */
final class RedisHealth {
    static final Duration RECOVERY_QUIET = Duration.ofSeconds(1);
    static final Duration SUMMARY_EVERY = Duration.ofSeconds(30);

    private final Logger log;
    private final String what;
    private final String target;
    private final EventLog events;
    private final String unavailableEvent;
    private final String availableEvent;
    private final LongSupplier nanoClock;
    private final AtomicBoolean available = new AtomicBoolean(true);
    private final AtomicLong lastFailure = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong lastSummary = new AtomicLong();
    private volatile long downSince;
    private volatile String lastReason = "";

    /**
     * @param logger      the logger's name, e.g. "ratelimit"
     * @param what        the store, for messages: "rate-limit store"
     * @param target      where it points, never with a password: "redis://127.0.0.1:6379"
     * @param events      where the two events go, or null for log lines only
     * @param unavailableEvent the event type when it starts failing (ignored without {@code events})
     * @param availableEvent   the event type when it is back
     */
    RedisHealth(String logger, String what, String target, EventLog events, String unavailableEvent,
                String availableEvent, LongSupplier nanoClock) {
        this.log = LoggerFactory.getLogger(logger);
        this.what = what;
        this.target = target;
        this.events = events;
        this.unavailableEvent = unavailableEvent;
        this.availableEvent = availableEvent;
        this.nanoClock = nanoClock;
    }

    boolean available() {
        return available.get();
    }

    /** A call failed (refused, erred, timed out); {@code reason} is one line, without secrets. */
    void failure(String reason) {
        long now = nanoClock.getAsLong();
        lastFailure.set(now);
        lastReason = reason;
        long n = failures.incrementAndGet();
        if (available.compareAndSet(true, false)) {
            downSince = now;
            failures.set(1);
            lastSummary.set(now);
            log.warn("{} {} is unavailable: {}", what, target, reason);
            if (events != null) {
                events.record(unavailableEvent, "ratelimit", target, what + " " + target + " is unavailable: "
                        + reason, Map.of("reason", reason));
            }
            return;
        }
        long last = lastSummary.get();
        if (now - last >= SUMMARY_EVERY.toNanos() && lastSummary.compareAndSet(last, now)) {
            log.warn("{} {} still unavailable after {}s: {} failed calls, the last: {}", what, target,
                    (now - downSince) / 1_000_000_000L, n, reason);
        }
    }

    /** A call succeeded. */
    void success() {
        if (available.get()) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (now - lastFailure.get() < RECOVERY_QUIET.toNanos() || !available.compareAndSet(false, true)) {
            return;
        }
        long downMillis = (now - downSince) / 1_000_000L;
        long n = failures.get();
        log.info("{} {} is available again after {} ms ({} failed calls, the last: {})", what, target, downMillis, n,
                lastReason);
        if (events != null) {
            events.record(availableEvent, "ratelimit", target, what + " " + target + " is available again after "
                    + downMillis + " ms", Map.of("down-ms", Long.toString(downMillis), "failures", Long.toString(n)));
        }
    }
}
