package org.fossinfra.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import org.fossinfra.config.RedisConfig;

/**
 * Locks for work that one node at a time must do (the event partition job, a rolling deployment): in this process
 * when the node runs alone, in Redis when nodes share one. A lock is a lease: taken with a random token and a time to
 * live, renewed every third of it while held, released only by its holder.
 *
 * <p>Nothing here waits: {@link #tryAcquire} answers at once whether the lock was free, and never blocks an event
 * loop.
 */
public interface LockService extends AutoCloseable {
    /** Renewals go every third of the lease: shorter leases leave too little time for a renewal to get through. */
    Duration MIN_TTL = Duration.ofMillis(100);

    /**
     * Takes lock {@code name} if nobody holds it, for {@code ttl}, renewed while held.
     *
     * @return the lock, or empty when someone else holds it; a failed future when the store can't be reached
     */
    Future<Optional<Lock>> tryAcquire(String name, Duration ttl);

    /** Stops renewing and releases every lock still held. */
    @Override
    void close();

    /** Locks in this process: enough while a single node runs. */
    static LockService local(Vertx vertx) {
        return new LocalLockService(vertx, System::nanoTime);
    }

    /** Locks in the Redis every node shares, under {@code <key-prefix>lock:<name>}. */
    static LockService redis(Vertx vertx, RedisConfig config) {
        return new RedisLockService(vertx, config);
    }

    static void requireTtl(Duration ttl) {
        if (ttl == null || ttl.compareTo(MIN_TTL) < 0 || ttl.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: at least 100ms, in whole milliseconds)");
        }
    }
}
