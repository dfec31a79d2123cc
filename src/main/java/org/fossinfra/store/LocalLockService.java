package org.fossinfra.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Locks in this process, with the same lease rules as in Redis (a token, a time to live, renewal, release by the
 * holder only), so that code using locks behaves the same on one node as on several.
 */
final class LocalLockService implements LockService, HeldLock.Leases {
    private record Lease(String token, long expiresAt) {
    }

    private final Vertx vertx;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();
    private final Set<HeldLock> held = ConcurrentHashMap.newKeySet();

    LocalLockService(Vertx vertx, LongSupplier nanoClock) {
        this.vertx = vertx;
        this.nanoClock = nanoClock;
    }

    @Override
    public Future<Optional<Lock>> tryAcquire(String name, Duration ttl) {
        LockService.requireTtl(ttl);
        String token = UUID.randomUUID().toString();
        long now = nanoClock.getAsLong();
        Lease mine = new Lease(token, now + ttl.toNanos());
        Lease result = leases.compute(name, (k, cur) -> cur == null || now - cur.expiresAt() >= 0 ? mine : cur);
        if (result != mine) {
            return Future.succeededFuture(Optional.empty());
        }
        HeldLock lock = new HeldLock(vertx, this, name, token, ttl, now, nanoClock);
        held.add(lock);
        return Future.succeededFuture(Optional.of(lock));
    }

    @Override
    public Future<Boolean> renew(String name, String token, Duration ttl) {
        long now = nanoClock.getAsLong();
        boolean[] renewed = {false};
        leases.computeIfPresent(name, (k, cur) -> {
            if (cur.token().equals(token) && now - cur.expiresAt() < 0) {
                renewed[0] = true;
                return new Lease(token, now + ttl.toNanos());
            }
            return cur;
        });
        return Future.succeededFuture(renewed[0]);
    }

    @Override
    public Future<Boolean> release(String name, String token) {
        boolean[] released = {false};
        leases.computeIfPresent(name, (k, cur) -> {
            if (cur.token().equals(token)) {
                released[0] = nanoClock.getAsLong() - cur.expiresAt() < 0;
                return null;
            }
            return cur;
        });
        return Future.succeededFuture(released[0]);
    }

    @Override
    public void forget(HeldLock lock) {
        held.remove(lock);
    }

    /** Drops a lease whoever holds it, as a restarted store would (tests use it). */
    void drop(String name) {
        leases.remove(name);
    }

    @Override
    public void close() {
        for (HeldLock l : Set.copyOf(held)) {
            l.release();
        }
    }
}
