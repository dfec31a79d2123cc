package org.fossinfra.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Lock} and its renewal: every third of the lease a renewal goes to the store (compare-token-and-extend);
 * the lease counts from when the last successful renewal was sent, so {@link #held()} never claims more than the
 * store granted. A renewal that finds the lock gone or someone else's ends the holding at once; renewals that fail
 * (the store unreachable) are retried at the next tick until the lease runs out.
 */
final class HeldLock implements Lock {
    private static final Logger log = LoggerFactory.getLogger("lock");

    /** What a store does for a held lock. */
    interface Leases {
        /** Extends the lease if {@code token} holds it; true when it did. */
        Future<Boolean> renew(String name, String token, Duration ttl);

        /** Deletes the lock if {@code token} holds it; true when it did. */
        Future<Boolean> release(String name, String token);

        /** Forgets a lock released or lost, so that closing the service doesn't release it again. */
        void forget(HeldLock lock);
    }

    private final Vertx vertx;
    private final Leases leases;
    private final String name;
    private final String token;
    private final Duration ttl;
    private final LongSupplier nanoClock;
    private final long timer;
    private volatile long validUntil;
    private volatile boolean ended;
    private volatile Runnable onLost;
    private boolean renewing;

    /** Starts renewing; {@code grantedAt} is when the acquiring call was sent (nanoClock). */
    HeldLock(Vertx vertx, Leases leases, String name, String token, Duration ttl, long grantedAt,
             LongSupplier nanoClock) {
        this.vertx = vertx;
        this.leases = leases;
        this.name = name;
        this.token = token;
        this.ttl = ttl;
        this.nanoClock = nanoClock;
        this.validUntil = grantedAt + ttl.toNanos();
        this.timer = vertx.setPeriodic(Math.max(1, ttl.toMillis() / 3), id -> renew());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String token() {
        return token;
    }

    @Override
    public boolean held() {
        return !ended && nanoClock.getAsLong() - validUntil < 0;
    }

    @Override
    public Future<Boolean> release() {
        if (ended) {
            return Future.succeededFuture(false);
        }
        ended = true;
        vertx.cancelTimer(timer);
        leases.forget(this);
        return leases.release(name, token);
    }

    @Override
    public Lock onLost(Runnable handler) {
        this.onLost = handler;
        return this;
    }

    /** Stops renewing without releasing: what a node that dies does (tests use it). */
    void abandon() {
        ended = true;
        vertx.cancelTimer(timer);
        leases.forget(this);
    }

    private void renew() {
        if (ended || renewing) {
            return;
        }
        if (nanoClock.getAsLong() - validUntil >= 0) {
            lost("its lease of " + ttl.toMillis() + " ms ran out without a successful renewal");
            return;
        }
        renewing = true;
        long sentAt = nanoClock.getAsLong();
        leases.renew(name, token, ttl).onComplete(ar -> {
            renewing = false;
            if (ended) {
                return;
            }
            if (ar.succeeded() && ar.result()) {
                validUntil = sentAt + ttl.toNanos();
            } else if (ar.succeeded()) {
                lost("it expired or another holder took it");
            } else {
                log.warn("lock '{}': renewal failed ({}); retrying while the lease lasts", name,
                        ar.cause().getMessage());
            }
        });
    }

    private void lost(String why) {
        if (ended) {
            return;
        }
        ended = true;
        vertx.cancelTimer(timer);
        leases.forget(this);
        log.warn("lock '{}' lost: {}", name, why);
        Runnable r = onLost;
        if (r != null) {
            r.run();
        }
    }
}
