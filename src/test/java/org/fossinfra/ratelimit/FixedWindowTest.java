package org.fossinfra.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FixedWindowTest {
    private final ManualClock clock = new ManualClock();
    private final LocalLimiter<?> limiter = clock.limiter(Policy.fixedWindow(3, Duration.ofSeconds(10)), 100);

    @Test
    void admitsUpToTheLimitThenDeniesUntilTheWindowEnds() {
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(2));
        clock.advanceMillis(1000);
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(1));
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(0));
        clock.advanceMillis(2500);
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Denied(6500));
    }

    @Test
    void theNextWindowStartsAtTheFirstRequestAfterTheLastEnded() {
        for (int i = 0; i < 3; i++) {
            limiter.decide("a");
        }
        clock.advanceMillis(9999);
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Denied(1));
        clock.advanceMillis(1);
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(2));
        clock.advanceMillis(9999);
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(1));
    }

    @Test
    void deniedRequestsAreNotCounted() {
        for (int i = 0; i < 10; i++) {
            limiter.decide("a");
        }
        clock.advanceMillis(10_000);
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(2));
    }

    @Test
    void twoRequestsInTheSameNanosecondBothCount() {
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(2));
        assertThat(limiter.decide("a")).isEqualTo(new Decision.Allowed(1));
    }

    @Test
    void refusesParametersOutOfRange() {
        assertThatThrownBy(() -> Policy.fixedWindow(0, Duration.ofSeconds(1)))
                .hasMessage("limit: 0 (expected: 1..1000000)");
        assertThatThrownBy(() -> Policy.fixedWindow(1, Duration.ofDays(2)))
                .hasMessage("window: PT48H (expected: 1ms..1d in whole milliseconds)");
        assertThatThrownBy(() -> Policy.fixedWindow(1, Duration.ofNanos(1_500_000)))
                .hasMessageStartingWith("window: ");
    }
}
