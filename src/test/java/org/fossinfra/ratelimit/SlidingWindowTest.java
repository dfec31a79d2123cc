package org.fossinfra.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void twoRequestsInTheSameMillisecondBothCount() {
        // The seed's sliding_window used the time as the sorted-set member: these two were one member, one count.
        LocalLimiter<?> l = clock.limiter(Policy.slidingWindow(2, Duration.ofSeconds(1)), 10);
        assertThat(l.decide("a")).isEqualTo(new Decision.Allowed(1));
        clock.advance(Duration.ofNanos(300_000)); // still the same millisecond
        assertThat(l.decide("a")).isEqualTo(new Decision.Allowed(0));
        assertThat(l.decide("a")).isInstanceOf(Decision.Denied.class);
    }

    @Test
    void admitsAgainWhenTheOldestRequestLeavesTheWindow() {
        LocalLimiter<?> l = clock.limiter(Policy.slidingWindow(3, Duration.ofSeconds(10)), 10);
        l.decide("a");              // t=0
        clock.advanceMillis(4000);
        l.decide("a");              // t=4s
        l.decide("a");              // t=4s
        clock.advanceMillis(2000);  // t=6s: the first leaves at 10s
        assertThat(l.decide("a")).isEqualTo(new Decision.Denied(4000));
        clock.advanceMillis(4000);  // t=10s
        assertThat(l.decide("a")).isEqualTo(new Decision.Allowed(0));
        assertThat(l.decide("a")).isEqualTo(new Decision.Denied(4000)); // the two of t=4s leave at 14s
    }

    @Test
    void unlikeAFixedWindowItAllowsNoDoubleBurstAcrossABoundary() {
        LocalLimiter<?> l = clock.limiter(Policy.slidingWindow(5, Duration.ofSeconds(1)), 10);
        clock.advanceMillis(900);
        for (int i = 0; i < 5; i++) {
            assertThat(l.decide("a")).isInstanceOf(Decision.Allowed.class);
        }
        clock.advanceMillis(200);
        assertThat(l.decide("a")).isEqualTo(new Decision.Denied(800));
    }

    @Test
    void neverAdmitsMoreThanTheLimitInAnySpanOfTheWindow() {
        int limit = 7;
        long window = 1000;
        LocalLimiter<?> l = clock.limiter(Policy.slidingWindow(limit, Duration.ofMillis(window)), 10);
        SplittableRandom random = new SplittableRandom(42);
        ArrayDeque<Long> admitted = new ArrayDeque<>();
        long t = 0;
        for (int i = 0; i < 20_000; i++) {
            long step = random.nextInt(4) == 0 ? random.nextLong(400) : random.nextLong(3);
            clock.advanceMillis(step);
            t += step;
            while (!admitted.isEmpty() && t - admitted.peekFirst() >= window) {
                admitted.pollFirst();
            }
            Decision d = l.decide("k");
            // A brute-force model: the exact answer, and the exact wait.
            if (admitted.size() < limit) {
                assertThat(d).isEqualTo(new Decision.Allowed(limit - admitted.size() - 1));
                admitted.addLast(t);
            } else {
                assertThat(d).isEqualTo(new Decision.Denied(admitted.peekFirst() + window - t));
            }
        }
    }

    @Test
    void aQuietKeyHoldsFewEntriesAndAFullOneExactlyItsLimit() {
        SlidingWindow.Local local = new SlidingWindow.Local(Policy.slidingWindow(1000, Duration.ofSeconds(1)));
        SlidingWindow.Log log = local.newState(0);
        local.acquire(log, 0);
        assertThat(log.times).hasSize(4);
        for (int i = 0; i < 2000; i++) {
            local.acquire(log, 0);
        }
        assertThat(log.times).hasSize(1000);
        assertThat(log.size).isEqualTo(1000);
    }
}
