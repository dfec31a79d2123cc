package org.fossinfra.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private final ManualClock clock = new ManualClock();
    private final LocalLimiter<?> limiter = clock.limiter(Policy.tokenBucket(10, 3), 10);

    @Test
    void aFullBucketAdmitsABurstThenOneRequestPerToken() {
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(2));
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(1));
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(0));
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Denied(100));
        clock.advanceMillis(100);
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(0));
        clock.advanceMillis(40);
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Denied(60));
    }

    @Test
    void refillsExactlyWithoutFloatingPointDrift() {
        for (int i = 0; i < 3; i++) {
            limiter.decide("a");
        }
        // 1000 steps of 100 ms: each must admit exactly one request, none may find 0.999... of a token.
        for (int i = 0; i < 1000; i++) {
            clock.advanceMillis(100);
            assertThat(limiter.decide("a")).as("step %d", i).isEqualTo(new Decision.Allowed(0));
        }
    }

    @Test
    void neverHoldsMoreThanTheBurst() {
        limiter.decide("a");
        clock.advanceMillis(60_000);
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(2));
    }

    @Test
    void aRateBelowOneASecondWaitsSeconds() {
        LocalLimiter<?> slow = clock.limiter(Policy.tokenBucket(0.5, 1), 10);
        slow.decide("a");
        Decision d = slow.decide("a");
        assertThat(d).isEqualTo(new Decision.Denied(2000));
        assertThat(((Decision.Denied) d).retryAfterSeconds()).isEqualTo(2);
    }

    @Test
    void refusesParametersOutOfRange() {
        assertThatThrownBy(() -> Policy.tokenBucket(0, 1)).hasMessageStartingWith("perSecond: 0.0 (expected:");
        assertThatThrownBy(() -> Policy.tokenBucket(1, 0)).hasMessage("burst: 0 (expected: 1..1000000)");
    }
}
