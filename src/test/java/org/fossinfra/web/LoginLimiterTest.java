package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoginLimiterTest {
    private final LoginLimiter limiter = new LoginLimiter();

    @Test
    void fiveFailuresFromOneAddressLockItForAMinuteAfterTheFirst() {
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.retryAfterSeconds("10.0.0.1", "u" + i, i * 1000)).isZero();
            limiter.recordFailure("10.0.0.1", "u" + i, i * 1000);
        }
        assertThat(limiter.retryAfterSeconds("10.0.0.1", "someone", 4_000)).isEqualTo(56);
        assertThat(limiter.retryAfterSeconds("10.0.0.2", "someone", 4_000)).as("another address").isZero();
        assertThat(limiter.retryAfterSeconds("10.0.0.1", "someone", 60_000)).isZero();
    }

    @Test
    void fiveFailuresForOneUserLockItFromEveryAddress() {
        for (int i = 0; i < 5; i++) {
            limiter.recordFailure("10.0.0." + i, "Alice", 0);
        }
        assertThat(limiter.retryAfterSeconds("192.168.1.1", "alice", 1_000)).as("names compared without case")
                .isEqualTo(59);
        assertThat(limiter.retryAfterSeconds("192.168.1.1", "bob", 1_000)).isZero();
    }

    @Test
    void failuresSpreadOverMoreThanAMinuteDoNotLock() {
        for (int i = 0; i < 20; i++) {
            limiter.recordFailure("10.0.0.1", "alice", i * 15_000L);
            assertThat(limiter.retryAfterSeconds("10.0.0.1", "alice", i * 15_000L + 1)).isZero();
        }
    }

    @Test
    void aSuccessClearsTheUserButNotTheAddress() {
        for (int i = 0; i < 5; i++) {
            limiter.recordFailure("10.0.0.1", "alice", 0);
        }
        limiter.recordSuccess("alice");
        assertThat(limiter.retryAfterSeconds("10.0.0.9", "alice", 1)).isZero();
        assertThat(limiter.retryAfterSeconds("10.0.0.1", "bob", 1)).isPositive();
    }

    @Test
    void aLockOutIsRecordedOnceNotForEveryRefusedAttempt() {
        for (int i = 0; i < 5; i++) {
            limiter.recordFailure("10.0.0.1", "alice", 0);
        }
        assertThat(limiter.shouldRecordRefusal("10.0.0.1", "alice", 1)).isTrue();
        for (int i = 2; i < 100; i++) {
            assertThat(limiter.shouldRecordRefusal("10.0.0.1", "alice", i)).isFalse();
        }
    }

    @Test
    void manyAddressesCannotGrowTheTablesWithoutBound() {
        for (int i = 0; i < 3 * LoginLimiter.MAX_KEYS; i++) {
            limiter.recordFailure("addr-" + i, "user-" + i, i);
        }
        // Still answers; the oldest keys are forgotten rather than kept forever.
        assertThat(limiter.retryAfterSeconds("addr-0", "user-0", 3L * LoginLimiter.MAX_KEYS)).isZero();
    }
}
