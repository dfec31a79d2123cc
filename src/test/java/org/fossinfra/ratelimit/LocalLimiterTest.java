package org.fossinfra.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalLimiterTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void keysAreCountedApart() {
        LocalLimiter<?> l = clock.limiter(Policy.fixedWindow(1, Duration.ofSeconds(10)), 100);
        assertThat(l.decide("10.0.0.1")).isInstanceOf(Decision.Allowed.class);
        assertThat(l.decide("10.0.0.2")).isInstanceOf(Decision.Allowed.class);
        assertThat(l.decide("10.0.0.1")).isInstanceOf(Decision.Denied.class);
    }

    @Test
    void rulesOfOneStoreNeverShareCounts() {
        RateLimitStore store = RateLimitStore.local(clock);
        Limiter a = store.limiter("a", Policy.fixedWindow(1, Duration.ofSeconds(10)), 10);
        Limiter b = store.limiter("b", Policy.fixedWindow(1, Duration.ofSeconds(10)), 10);
        assertThat(a.acquire("k").toCompletableFuture().join()).isInstanceOf(Decision.Allowed.class);
        assertThat(b.acquire("k").toCompletableFuture().join()).isInstanceOf(Decision.Allowed.class);
        assertThat(a.acquire("k").toCompletableFuture().join()).isInstanceOf(Decision.Denied.class);
    }

    @Test
    void answersBeforeAcquireReturnsWithTheCallersTag() {
        LocalLimiter<?> l = clock.limiter(Policy.fixedWindow(1, Duration.ofSeconds(1)), 10);
        List<Object> seen = new ArrayList<>();
        l.acquire("k", 42, (tag, d) -> seen.add(tag + " " + d));
        assertThat(seen).containsExactly("42 Allowed[remaining=0]");
    }

    @Test
    void aFullTableDropsTheLeastRecentlyUsedKey() {
        LocalLimiter<?> l = clock.limiter(Policy.fixedWindow(1, Duration.ofSeconds(10)), 3);
        assertThat(l.stripes()).isEqualTo(2);
        for (int i = 0; i < 50; i++) {
            l.decide("k" + i);
            clock.advanceMillis(1);
        }
        assertThat(l.size()).isEqualTo(3);
        // All 47 dropped keys still held a count (their windows had not ended): each is an eviction.
        assertThat(l.evicted()).isEqualTo(47);
        // The most recent key is still counted.
        assertThat(l.decide("k49")).isInstanceOf(Decision.Denied.class);
    }

    @Test
    void droppingAKeyWhoseWindowEndedIsNoEviction() {
        LocalLimiter<?> l = clock.limiter(Policy.fixedWindow(1, Duration.ofSeconds(1)), 1);
        l.decide("a");
        clock.advanceMillis(1000);
        l.decide("b");
        assertThat(l.size()).isEqualTo(1);
        assertThat(l.evicted()).isZero();
    }

    @Test
    void aRecentlyUsedKeyIsKeptOverAnOlderOne() {
        LocalLimiter<?> l = new LocalLimiter<>(new FixedWindow.Local(Policy.fixedWindow(1, Duration.ofSeconds(10))),
                2, 1, clock);
        l.decide("a");
        l.decide("b");
        assertThat(l.decide("a")).isInstanceOf(Decision.Denied.class); // a is now the most recently used
        l.decide("c");                                                 // drops b, the least recently used
        assertThat(l.decide("a")).as("a kept its count").isInstanceOf(Decision.Denied.class);
        assertThat(l.decide("b")).as("b starts afresh").isInstanceOf(Decision.Allowed.class);
        assertThat(l.evicted()).isEqualTo(2);
    }

    @Test
    void holdsAtMostMaxKeysWhateverTheirNumber() {
        LocalLimiter<?> l = clock.limiter(Policy.slidingWindow(5, Duration.ofSeconds(10)), 100_000);
        assertThat(l.stripes()).isEqualTo(LocalLimiter.MAX_STRIPES);
        for (int i = 0; i < 300_000; i++) {
            l.decide("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
        }
        assertThat(l.size()).isLessThanOrEqualTo(100_000).isGreaterThan(95_000);
    }

    @Test
    void concurrentCallersNeverAdmitMoreThanTheLimit() throws Exception {
        LocalLimiter<?> l = LocalLimiter.create(Policy.slidingWindow(1000, Duration.ofHours(1)), 1000, System::nanoTime);
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
                for (int i = 0; i < 5000; i++) {
                    if (l.decide("hot") instanceof Decision.Allowed) {
                        admitted.incrementAndGet();
                    }
                    l.decide("cold-" + Thread.currentThread().threadId() + "-" + (i % 100));
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(admitted.get()).isEqualTo(1000);
    }
}
