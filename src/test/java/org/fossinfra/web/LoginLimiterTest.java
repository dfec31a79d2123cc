package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoginLimiterTest {
    private final LoginLimiter limiter = new LoginLimiter();

    /** An attempt that was let through and turned out wrong (counted on admission, nothing to settle). */
    private void fail(String address, String user, long now) {
        assertThat(limiter.admit(address, user, now)).as(address + " " + user + " at " + now)
                .isInstanceOf(LoginLimiter.Allowed.class);
    }

    private long retryAfter(String address, String user, long now) {
        return switch (limiter.admit(address, user, now)) {
            case LoginLimiter.Limited l -> l.retryAfterSeconds();
            case LoginLimiter.Allowed a -> {
                limiter.cancelled(address, user, a); // a probe, not an attempt
                yield 0;
            }
        };
    }

    @Test
    void fiveFailuresFromOneAddressLockItForAMinuteAfterTheFirst() {
        for (int i = 0; i < 5; i++) {
            fail("10.0.0.1", "u" + i, i * 1000);
        }
        assertThat(retryAfter("10.0.0.1", "someone", 4_000)).isEqualTo(56);
        assertThat(retryAfter("10.0.0.2", "someone", 4_000)).as("another address").isZero();
        assertThat(retryAfter("10.0.0.1", "someone", 60_000)).isZero();
    }

    @Test
    void anAttemptCountsWhenAdmittedSoABurstGetsNoMoreThanTheLimit() {
        // 200 attempts at the same instant, none of them settled yet (their checks would still be running).
        int admitted = 0;
        for (int i = 0; i < 200; i++) {
            if (limiter.admit("10.0.0.1", "alice", 0) instanceof LoginLimiter.Allowed) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(LoginLimiter.MAX_FAILURES);
    }

    @Test
    void failuresForOneUserFromFiveAddressesLockTheUserEverywhere() {
        for (int i = 0; i < 5; i++) {
            fail("10.0.0." + i, "Alice", 0);
        }
        assertThat(retryAfter("192.168.1.1", "alice", 1_000)).as("names compared without case").isEqualTo(59);
        assertThat(retryAfter("192.168.1.1", "bob", 1_000)).isZero();
    }

    @Test
    void aFloodFromOneAddressLocksTheAddressNotTheUser() {
        for (int i = 0; i < 200; i++) {
            limiter.admit("10.0.0.1", "alice", i);
        }
        assertThat(retryAfter("10.0.0.1", "alice", 300)).isPositive();
        assertThat(retryAfter("10.0.0.2", "alice", 300)).as("alice from elsewhere").isZero();
    }

    @Test
    void anAddressTheUserSignedInFromIsNotLockedByTheUsersLock() {
        LoginLimiter.Allowed ok = (LoginLimiter.Allowed) limiter.admit("10.9.9.9", "alice", 0);
        limiter.succeeded("10.9.9.9", "alice", ok, 0);
        for (int i = 0; i < 5; i++) {
            fail("10.0.0." + i, "alice", 1_000);
        }
        assertThat(retryAfter("192.168.1.1", "alice", 2_000)).as("a new address").isPositive();
        assertThat(retryAfter("10.9.9.9", "alice", 2_000)).as("where alice signed in before").isZero();
    }

    @Test
    void failuresSpreadOverMoreThanAMinuteDoNotLock() {
        for (int i = 0; i < 20; i++) {
            fail("10.0.0.1", "alice", i * 15_000L);
        }
    }

    @Test
    void aSuccessClearsTheUserAndGivesItsOwnAttemptBackButNotTheAddressesOtherFailures() {
        for (int i = 0; i < 4; i++) {
            fail("10.0.0." + i, "alice", 0);
        }
        fail("10.0.0.1", "bob", 0);
        fail("10.0.0.1", "carol", 0);
        LoginLimiter.Allowed ok = (LoginLimiter.Allowed) limiter.admit("10.0.0.1", "alice", 1);
        limiter.succeeded("10.0.0.1", "alice", ok, 1);
        assertThat(retryAfter("10.0.0.9", "alice", 2)).isZero();
        // 10.0.0.1 has three failures (alice, bob, carol): two more are allowed, then it is locked.
        fail("10.0.0.1", "dave", 3);
        fail("10.0.0.1", "erin", 3);
        assertThat(retryAfter("10.0.0.1", "frank", 4)).isPositive();
    }

    @Test
    void anAttemptThatWasNeverCheckedDoesNotCount() {
        for (int i = 0; i < 50; i++) {
            LoginLimiter.Allowed a = (LoginLimiter.Allowed) limiter.admit("10.0.0.1", "alice", i);
            limiter.cancelled("10.0.0.1", "alice", a);
        }
        assertThat(retryAfter("10.0.0.1", "alice", 100)).isZero();
    }

    @Test
    void aLockOutIsNoticedOnceNotForEveryRefusedAttempt() {
        for (int i = 0; i < 5; i++) {
            fail("10.0.0.1", "alice", 0);
        }
        assertThat(limiter.admit("10.0.0.1", "alice", 1)).isEqualTo(new LoginLimiter.Limited(60, true));
        for (int i = 2; i < 100; i++) {
            assertThat(limiter.admit("10.0.0.1", "alice", i)).isEqualTo(new LoginLimiter.Limited(60, false));
        }
    }

    @Test
    void manyAddressesCannotGrowTheTablesWithoutBound() {
        for (int i = 0; i < 3 * LoginLimiter.MAX_KEYS; i++) {
            limiter.admit("addr-" + i, "user-" + i, i);
        }
        assertThat(limiter.keys()).isLessThanOrEqualTo(LoginLimiter.MAX_KEYS);
    }

    @Test
    void aFloodOfFreshKeysEvictsTheOldestUnlockedOnesNotALockOut() {
        // An attacker locked out, then a key that was merely seen, then enough fresh keys to fill the table twice.
        for (int i = 0; i < 5; i++) {
            fail("6.6.6.6", "root", 0);
        }
        fail("1.1.1.1", "x", 1);
        fail("2.2.2.2", "x", 2);
        for (int i = 0; i < 2 * LoginLimiter.MAX_KEYS; i++) {
            limiter.admit("fresh-" + i, "fresh-" + i, 10 + i / 1000);
        }
        assertThat(limiter.keys()).isEqualTo(LoginLimiter.MAX_KEYS);
        assertThat(limiter.remembers("6.6.6.6")).as("the lock-out survives").isTrue();
        assertThat(retryAfter("6.6.6.6", "root", 30)).isPositive();
        assertThat(limiter.remembers("1.1.1.1")).as("the oldest unlocked key went first").isFalse();
        assertThat(limiter.remembers("2.2.2.2")).isFalse();
        assertThat(limiter.remembers("fresh-0")).isFalse();
        assertThat(limiter.remembers("fresh-" + (2 * LoginLimiter.MAX_KEYS - 1))).as("the newest stays").isTrue();
    }
}
