package org.fossinfra.store;

import io.vertx.core.Future;

/**
 * A lock this node holds, from {@link LockService#tryAcquire}: a lease of a fixed time to live, renewed in the
 * background while held, so that a node that dies stops renewing and its lock passes to another node when the lease
 * runs out.
 *
 * <p>Hazard: holding is never certain across nodes. A node paused longer than the lease (a long GC, a frozen VM) may
 * still believe it holds a lock another node has taken. Check {@link #held()} before each step of one-node-at-a-time
 * work, and keep the steps themselves safe to repeat.
 */
public interface Lock {

    /** The lock's name, as given to {@link LockService#tryAcquire}. */
    String name();

    /** The random token that proves this holder, stored as the lock's value. */
    String token();

    /**
     * Whether this node still holds the lock: false once released, once a renewal found it gone or someone else's,
     * and once the lease ran out without a successful renewal (the store unreachable), whichever comes first.
     */
    boolean held();

    /**
     * Stops renewing and deletes the lock if it is still this holder's (compare-and-delete: a holder whose lease ran
     * out can't delete its successor's lock). Completes with whether it was still ours.
     */
    Future<Boolean> release();

    /** Runs {@code handler} once if the lock is lost while held (not on {@link #release()}). */
    Lock onLost(Runnable handler);
}
