package org.fossinfra.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.fossinfra.ratelimit.Decision;
import org.fossinfra.ratelimit.Limiter;
import org.fossinfra.ratelimit.Policy;
import org.fossinfra.testing.Eventually;

/**
 * Waits until a store's connection answers, for tests whose first check must reach Redis: on a loaded machine the
 * first connection (TCP, AUTH, SCRIPT LOAD) can outlast the store's 2 s connect timeout, and the checks meanwhile are
 * rightly answered "unavailable". The probe counts under a rule of its own, so the test's counts start untouched; it
 * warms the lane the test's own checks use (the first, for any thread that is not an event loop).
 */
final class Connected {
    private Connected() {
    }

    static RedisRateLimitStore await(RedisRateLimitStore store) throws InterruptedException {
        Limiter probe = store.limiter("connected-probe", Policy.fixedWindow(1_000_000, Duration.ofMinutes(1)), 1000);
        Eventually.until(Duration.ofSeconds(60), "the rate-limit store to reach " + store.target(), () -> {
            try {
                return probe.acquire("probe").toCompletableFuture().get(10, TimeUnit.SECONDS) instanceof Decision.Allowed;
            } catch (Exception e) {
                return false;
            }
        });
        return store;
    }
}
