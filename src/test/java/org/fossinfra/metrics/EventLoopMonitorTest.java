package org.fossinfra.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopMonitorTest {
    private final ScheduledExecutorService a = Executors.newSingleThreadScheduledExecutor();
    private final ScheduledExecutorService b = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        a.shutdownNow();
        b.shutdownNow();
    }

    /** Waits (up to 5 s: a busy CI machine delays threads too) until {@code delay} reads below {@code seconds}. */
    private static void awaitBelow(DoubleSupplier delay, double seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (delay.getAsDouble() >= seconds) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("delay still " + delay.getAsDouble() + " s after 5 s (expected: < " + seconds + ")");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void idleLoopsShowNoDelayAndABlockedLoopShowsAGrowingOne() throws Exception {
        try (EventLoopMonitor m = new EventLoopMonitor(List.of(a, b))) {
            awaitBelow(() -> m.delaysSeconds()[0], 0.1);
            awaitBelow(() -> m.delaysSeconds()[1], 0.1);
            CountDownLatch release = new CountDownLatch(1);
            b.execute(() -> {
                try {
                    release.await(); // a blocked event loop
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread.sleep(400);
            double first = m.delaysSeconds()[1];
            Thread.sleep(300);
            double second = m.delaysSeconds()[1];
            // While blocked, the reading keeps growing with the time it has been stuck, whatever the machine's load.
            assertThat(first).isGreaterThan(0.2);
            assertThat(second).isGreaterThanOrEqualTo(first + 0.25);
            // The other loop is unaffected: far below the blocked one.
            assertThat(m.delaysSeconds()[0]).isLessThan(second / 2);
            release.countDown();
            awaitBelow(() -> m.delaysSeconds()[1], 0.1);
        }
    }
}
