package org.fossinfra.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LockService} does, run against each implementation: two services stand for two nodes sharing
 * the store (for the in-process one, two users of one service).
 */
abstract class LockServiceContract {
    protected Vertx vertx;
    private LockService a;
    private LockService b;
    private final String name = "job-" + System.nanoTime();

    /** A service on the shared store; {@code other} is the one made before, for stores that are one object. */
    abstract LockService service(Vertx vertx, LockService other);

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        a = service(vertx, null);
        b = service(vertx, a);
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        Thread.sleep(100);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    static Optional<Lock> take(LockService s, String name, Duration ttl) throws Exception {
        return s.tryAcquire(name, ttl).await(5, TimeUnit.SECONDS);
    }

    @Test
    void ofTwoContendersOnlyOneGetsTheLock() throws Exception {
        Optional<Lock> first = take(a, name, Duration.ofSeconds(5));
        Optional<Lock> second = take(b, name, Duration.ofSeconds(5));
        assertThat(first).isPresent();
        assertThat(first.get().held()).isTrue();
        assertThat(second).isEmpty();
        assertThat(take(a, name, Duration.ofSeconds(5))).as("not re-entrant either").isEmpty();
    }

    @Test
    void tokensAreRandomPerAcquisition() throws Exception {
        Lock one = take(a, name, Duration.ofSeconds(5)).orElseThrow();
        one.release().await(5, TimeUnit.SECONDS);
        Lock two = take(a, name, Duration.ofSeconds(5)).orElseThrow();
        assertThat(two.token()).isNotEqualTo(one.token()).hasSizeGreaterThanOrEqualTo(16);
    }

    @Test
    void releasingFreesTheLockForOthers() throws Exception {
        Lock lock = take(a, name, Duration.ofSeconds(5)).orElseThrow();
        assertThat(lock.release().await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(lock.held()).isFalse();
        assertThat(take(b, name, Duration.ofSeconds(5))).isPresent();
    }

    @Test
    void renewalKeepsTheLockHeldLongAfterItsTtl() throws Exception {
        Lock lock = take(a, name, Duration.ofMillis(300)).orElseThrow();
        Thread.sleep(1200);
        assertThat(lock.held()).isTrue();
        assertThat(take(b, name, Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void whenTheHolderDiesTheLockExpiresAndAnotherTakesIt() throws Exception {
        Lock lock = take(a, name, Duration.ofMillis(300)).orElseThrow();
        ((HeldLock) lock).abandon(); // stops renewing, as a node that died would
        assertThat(take(b, name, Duration.ofMillis(300))).isEmpty();
        Thread.sleep(450);
        assertThat(take(b, name, Duration.ofSeconds(5))).isPresent();
    }

    @Test
    void aFormerHolderCannotReleaseItsSuccessorsLock() throws Exception {
        Lock old = take(a, name, Duration.ofMillis(200)).orElseThrow();
        ((HeldLock) old).abandon();
        Thread.sleep(350);
        Lock successor = take(b, name, Duration.ofSeconds(5)).orElseThrow();
        // The old holder's token no longer matches: compare-and-delete leaves the successor's lock alone.
        HeldLock.Leases leases = (HeldLock.Leases) a;
        assertThat(leases.release(name, old.token()).await(5, TimeUnit.SECONDS)).isFalse();
        assertThat(leases.renew(name, old.token(), Duration.ofSeconds(5)).await(5, TimeUnit.SECONDS)).isFalse();
        assertThat(successor.held()).isTrue();
        assertThat(take(a, name, Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void aLockTakenAwayIsReportedLostAtTheNextRenewal() throws Exception {
        AtomicInteger lost = new AtomicInteger();
        Lock lock = take(a, name, Duration.ofMillis(300)).orElseThrow().onLost(lost::incrementAndGet);
        takeAway(name);
        Thread.sleep(400);
        assertThat(lock.held()).isFalse();
        assertThat(lost.get()).isEqualTo(1);
        assertThat(lock.release().await(5, TimeUnit.SECONDS)).isFalse();
    }

    /** Makes the store forget the lock, as an operator deleting it (or a store losing its data) would. */
    abstract void takeAway(String name) throws Exception;
}
