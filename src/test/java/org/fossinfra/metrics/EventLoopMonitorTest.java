package org.fossinfra.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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

    @Test
    void idleLoopsShowNoDelayAndABlockedLoopShowsAGrowingOne() throws Exception {
        try (EventLoopMonitor m = new EventLoopMonitor(List.of(a, b))) {
            Thread.sleep(350);
            assertThat(m.delaysSeconds()[0]).isLessThan(0.05);
            assertThat(m.delaysSeconds()[1]).isLessThan(0.05);
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
            assertThat(first).isGreaterThan(0.2);
            assertThat(second).isGreaterThan(first + 0.2);
            assertThat(m.delaysSeconds()[0]).isLessThan(0.05);
            release.countDown();
            Thread.sleep(350);
            assertThat(m.delaysSeconds()[1]).isLessThan(0.05);
        }
    }
}
