package org.fossinfra.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.fossinfra.config.HostPort;
import org.fossinfra.config.ServiceConfig;
import org.fossinfra.events.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One service's state machine and events: driven by hand, then by a scripted check on the real scheduler. */
class ServiceMonitorTest {
    private static final ServiceConfig.Target TARGET =
            new ServiceConfig.Redis(new HostPort("10.0.0.9", 6379), Optional.of("secret-password"));

    private ServiceProbe probe;

    @BeforeEach
    void start() {
        probe = new ServiceProbe();
    }

    @AfterEach
    void stop() throws Exception {
        probe.close();
    }

    private static ServiceConfig config(Duration interval, Duration timeout, Duration degradedAfter, int window,
                                        int unhealthyAfter) {
        return new ServiceConfig("cache", TARGET, interval, timeout, degradedAfter, window, unhealthyAfter);
    }

    private List<String> eventTypes() {
        return probe.serviceEvents("cache").stream().map(Event::type).toList();
    }

    @Test
    void everyChangeIsOneEventAndRepeatsAreNone() {
        ServiceConfig c = config(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(1), 4, 2);
        ServiceMonitor m = new ServiceMonitor(probe.vertx, c, () -> Future.succeededFuture("PONG"), probe.events);
        assertThat(m.status().state()).isEqualTo(ServiceState.UNKNOWN);
        assertThat(m.status().lastResult()).isEqualTo("not checked yet");

        m.record(CheckWindow.Result.OK, "PONG in 2 ms", 2);
        m.record(CheckWindow.Result.OK, "PONG in 3 ms", 3);
        assertThat(eventTypes()).containsExactly("service.healthy");

        m.record(CheckWindow.Result.SLOW, "PONG in 1500 ms", 1500);
        assertThat(m.status().state()).isEqualTo(ServiceState.DEGRADED);
        assertThat(probe.serviceEvents("cache").getLast().message()).isEqualTo("service cache (redis redis://10.0.0.9:6379)"
                + " is DEGRADED: slow, PONG in 1500 ms (above degraded-after 1000 ms) (was HEALTHY)");
        for (int i = 0; i < 3; i++) {
            m.record(CheckWindow.Result.OK, "PONG in 2 ms", 2);
        }
        assertThat(m.status().state()).as("the slow check is still in the window of 4").isEqualTo(ServiceState.DEGRADED);
        m.record(CheckWindow.Result.OK, "PONG in 2 ms", 2);
        assertThat(m.status().state()).isEqualTo(ServiceState.HEALTHY);

        m.record(CheckWindow.Result.FAILED, "connection refused", 1);
        assertThat(probe.serviceEvents("cache").getLast().message()).isEqualTo("service cache (redis redis://10.0.0.9:6379)"
                + " is DEGRADED: 1 of the last 4 checks failed; last: connection refused (was HEALTHY)");
        m.record(CheckWindow.Result.FAILED, "connection refused", 1);
        Event unhealthy = probe.serviceEvents("cache").getLast();
        assertThat(unhealthy.type()).isEqualTo("service.unhealthy");
        assertThat(unhealthy.actor()).isEqualTo("health-check");
        assertThat(unhealthy.subject()).isEqualTo("cache");
        assertThat(unhealthy.message()).isEqualTo("service cache (redis redis://10.0.0.9:6379) is UNHEALTHY:"
                + " connection refused (2 failed checks in a row) (was DEGRADED)");
        assertThat(unhealthy.data()).containsEntry("from", "DEGRADED").containsEntry("to", "UNHEALTHY")
                .containsEntry("target", "redis://10.0.0.9:6379").containsEntry("latencyMs", "1");
        m.record(CheckWindow.Result.FAILED, "timeout after 2000 ms", 2000);

        m.record(CheckWindow.Result.OK, "PONG in 2 ms", 2);
        assertThat(m.status().state()).isEqualTo(ServiceState.DEGRADED);
        for (int i = 0; i < 3; i++) {
            m.record(CheckWindow.Result.OK, "PONG in 2 ms", 2);
        }
        assertThat(m.status().state()).isEqualTo(ServiceState.HEALTHY);

        assertThat(eventTypes()).containsExactly("service.healthy", "service.degraded", "service.healthy",
                "service.degraded", "service.unhealthy", "service.degraded", "service.healthy");
        ServiceStatus s = m.status();
        assertThat(s.lastError()).as("kept after recovery").hasValue("timeout after 2000 ms");
        assertThat(s.lastErrorMillis()).isPositive();
        assertThat(s.lastChangeMillis()).isGreaterThanOrEqualTo(s.lastErrorMillis());
        assertThat(s.counts()).isEqualTo(new ServiceStatus.Counts(14, 3, 0, 0, 0, 4));
        assertThat(s.toString() + probe.events.recent(100, null)).doesNotContain("secret-password");
    }

    /** A check whose behaviour the test switches: pass at once, pass slowly, or fail. */
    private static final class ScriptedCheck implements ServiceCheck {
        enum Mode { OK, SLOW, FAIL }

        final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
        private final Vertx vertx;

        ScriptedCheck(Vertx vertx) {
            this.vertx = vertx;
        }

        @Override
        public Future<String> run() {
            return switch (mode.get()) {
                case OK -> Future.succeededFuture("PONG");
                case FAIL -> Future.failedFuture(new java.net.ConnectException("Connection refused: /10.0.0.9:6379"));
                case SLOW -> {
                    Promise<String> p = Promise.promise();
                    vertx.setTimer(300, id -> p.complete("PONG"));
                    yield p.future();
                }
            };
        }
    }

    @Test
    void healthyThenSlowThenDownThenBackOnTheScheduler() throws Exception {
        // Slow is 300 ms against degraded-after 100 ms and a 500 ms timeout: wide margins either way.
        ServiceConfig c = config(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(100), 3, 2);
        ScriptedCheck check = new ScriptedCheck(probe.vertx);
        ServiceMonitor m = new ServiceMonitor(probe.vertx, c, check, probe.events);
        probe.vertx.runOnContext(v -> m.start());
        try {
            awaitState(m, ServiceState.HEALTHY);
            check.mode.set(ScriptedCheck.Mode.SLOW);
            awaitState(m, ServiceState.DEGRADED);
            assertThat(m.status().lastResult()).matches("PONG in \\d+ ms");
            check.mode.set(ScriptedCheck.Mode.FAIL);
            ServiceStatus down = awaitState(m, ServiceState.UNHEALTHY);
            assertThat(down.lastError()).hasValue("connection refused");
            check.mode.set(ScriptedCheck.Mode.OK);
            awaitState(m, ServiceState.HEALTHY);
        } finally {
            probe.vertx.runOnContext(v -> m.stop());
        }
        assertThat(eventTypes()).containsExactly("service.healthy", "service.degraded", "service.unhealthy",
                "service.degraded", "service.healthy");
    }

    @Test
    void firstCheckIsNeverCountedSlow() throws Exception {
        ServiceConfig c = config(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(100), 3, 2);
        ScriptedCheck check = new ScriptedCheck(probe.vertx);
        check.mode.set(ScriptedCheck.Mode.SLOW);
        ServiceMonitor m = new ServiceMonitor(probe.vertx, c, check, probe.events);
        probe.vertx.runOnContext(v -> m.start());
        try {
            ServiceStatus first = awaitChecks(m, 1);
            assertThat(first.state()).isEqualTo(ServiceState.HEALTHY);
            assertThat(awaitChecks(m, 2).state()).isEqualTo(ServiceState.DEGRADED);
        } finally {
            probe.vertx.runOnContext(v -> m.stop());
        }
    }

    private static ServiceStatus awaitState(ServiceMonitor m, ServiceState state) throws InterruptedException {
        long deadline = System.nanoTime() + ServiceProbe.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (m.status().state() == state) {
                return m.status();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("not " + state + " within " + ServiceProbe.WAIT + ": " + m.status());
    }

    private static ServiceStatus awaitChecks(ServiceMonitor m, long n) throws InterruptedException {
        long deadline = System.nanoTime() + ServiceProbe.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ServiceStatus s = m.status();
            if (s.counts().checks() >= n) {
                return s;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("not checked " + n + " times within " + ServiceProbe.WAIT + ": " + m.status());
    }
}
