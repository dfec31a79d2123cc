package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServerTest {

    @Test
    void newServerIsHealthyReadyIdleAndEligible() {
        Server s = TestServers.server("a", 10);
        assertThat(s.healthy()).isTrue();
        assertThat(s.adminState()).isEqualTo(AdminState.READY);
        assertThat(s.active()).isZero();
        assertThat(s.eligible()).isTrue();
        assertThat(s.backend()).isEqualTo("api");
        assertThat(s.port()).isEqualTo(8080);
    }

    @Test
    void eligibleNeedsHealthReadyAndPositiveWeight() {
        Server s = TestServers.server("a", 1);
        s.setHealthy(false);
        assertThat(s.eligible()).isFalse();
        s.setHealthy(true);
        s.setAdminState(AdminState.DRAIN);
        assertThat(s.eligible()).isFalse();
        s.setAdminState(AdminState.MAINT);
        assertThat(s.eligible()).isFalse();
        s.setAdminState(AdminState.READY);
        s.setWeight(0);
        assertThat(s.eligible()).isFalse();
        s.setWeight(1);
        assertThat(s.eligible()).isTrue();
    }

    @Test
    void weightOutsideZeroTo256IsRejected() {
        assertThatThrownBy(() -> TestServers.server("a", 257))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weight: 257 (expected: 0..256)");
        Server s = TestServers.server("a", 256);
        assertThatThrownBy(() -> s.setWeight(-1)).hasMessage("weight: -1 (expected: 0..256)");
        assertThat(s.weight()).isEqualTo(256);
    }

    @Test
    void negativeMaxconnAndBadPortAreRejected() {
        assertThatThrownBy(() -> Server.create("api", "a", "h", 80, 1, -1, false))
                .hasMessage("maxconn: -1 (expected: 0 for unlimited, or >= 1)");
        assertThatThrownBy(() -> Server.create("api", "a", "h", 0, 1, 0, false))
                .hasMessage("port: 0 (expected: 1..65535)");
    }

    @Test
    void tryAcquireStopsAtMaxconnAndReleaseFreesASlot() {
        Server s = TestServers.server("a", 1, 2);
        assertThat(s.tryAcquire()).isTrue();
        assertThat(s.tryAcquire()).isTrue();
        assertThat(s.isFull()).isTrue();
        assertThat(s.tryAcquire()).isFalse();
        assertThat(s.active()).isEqualTo(2);
        s.release();
        assertThat(s.isFull()).isFalse();
        assertThat(s.tryAcquire()).isTrue();
        assertThat(s.totalRequests()).isEqualTo(3);
    }

    @Test
    void zeroMaxconnIsUnlimited() {
        Server s = TestServers.server("a", 1);
        for (int i = 0; i < 10_000; i++) {
            assertThat(s.tryAcquire()).isTrue();
        }
        assertThat(s.isFull()).isFalse();
        assertThat(s.active()).isEqualTo(10_000);
    }

    @Test
    void releaseWithoutAcquireThrowsAndLeavesCountAtZero() {
        Server s = TestServers.server("a", 1);
        s.tryAcquire();
        s.release();
        assertThatThrownBy(s::release)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("api/a");
        assertThat(s.active()).isZero();
    }

    @Test
    void errorsAreCountedSeparatelyFromRequests() {
        Server s = TestServers.server("a", 1);
        s.tryAcquire();
        s.recordError();
        s.recordError();
        assertThat(s.errors()).isEqualTo(2);
        assertThat(s.totalRequests()).isEqualTo(1);
    }

    @Test
    void settersBumpTheSetVersionOnlyWhenSomethingChanges() throws InterruptedException {
        Server a = TestServers.server("a", 1);
        ServerSet set = ServerSet.of(a, TestServers.server("b", 1));
        long before = a.lastChange();
        long v0 = set.version();
        Thread.sleep(2);
        a.setHealthy(false);
        assertThat(set.version()).isEqualTo(v0 + 1);
        assertThat(a.lastChange()).isGreaterThan(before);
        a.setHealthy(false);
        a.setWeight(1);
        a.setAdminState(AdminState.READY);
        assertThat(set.version()).isEqualTo(v0 + 1);
        a.setWeight(5);
        a.setAdminState(AdminState.MAINT);
        assertThat(set.version()).isEqualTo(v0 + 3);
    }

    @Test
    void aServerBelongsToOneSet() {
        Server a = TestServers.server("a", 1);
        ServerSet.of(a);
        assertThatThrownBy(() -> ServerSet.of(a)).hasMessageContaining("already belongs to a ServerSet");
    }

    @Test
    void setRejectsDuplicateNamesAndFindsByName() {
        assertThatThrownBy(() -> ServerSet.of(TestServers.server("a", 1), TestServers.server("a", 2)))
                .hasMessage("backend 'api': server name 'a' appears twice (expected: unique names)");
        Server b = TestServers.backup("b");
        Server a = TestServers.server("a", 1);
        ServerSet set = ServerSet.of(b, a);
        assertThat(set.server("a")).containsSame(a);
        assertThat(set.server("zz")).isEmpty();
        assertThat(set.servers()).containsExactly(b, a);
        assertThat(set.primaries()).containsExactly(a);
        assertThat(set.backups()).containsExactly(b);
    }

    @Test
    void concurrentAcquiresNeverExceedMaxconn() throws InterruptedException {
        Server s = TestServers.server("a", 1, 3);
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 50_000; i++) {
                    if (s.tryAcquire()) {
                        admitted.incrementAndGet();
                        maxSeen.accumulateAndGet(s.active(), Math::max);
                        s.release();
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(maxSeen.get()).isBetween(1, 3);
        assertThat(s.active()).isZero();
        assertThat(s.totalRequests()).isEqualTo(admitted.get());
    }
}
