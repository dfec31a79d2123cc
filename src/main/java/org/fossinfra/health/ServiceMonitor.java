package org.fossinfra.health;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.fossinfra.config.ServiceConfig;
import org.fossinfra.events.EventLog;

/**
 * Runs one service's checks: one at a time, {@code interval} after the previous one ended, each cut off at
 * {@code timeout}. Every result goes into the {@link CheckWindow}; a change of state is recorded as an event
 * ({@code service.healthy}, {@code service.degraded}, {@code service.unhealthy}, actor {@code health-check}), once
 * per change, the first verdict included.
 *
 * <p>A check counts as failed when it failed or took longer than the timeout (even if an answer came in just after),
 * as slow when it passed after more than {@code degraded-after}, else as OK. The first check after a start is never
 * slow: it pays for loading and warming up the client code (a first PostgreSQL login in a fresh JVM takes over half a
 * second where later ones take milliseconds), which says nothing about the service.
 *
 * <p>All state is confined to one Vert.x context: the timer and the check callbacks run there. Other threads only
 * read the volatile {@link #status()}.
 */
final class ServiceMonitor {
    static final String ACTOR = "health-check";
    /** The first check comes within this long of a start, so that a new node shows real states in about a second. */
    private static final long FIRST_CHECK_SPREAD_MS = 1000;

    private final Vertx vertx;
    private final ServiceConfig config;
    private final ServiceCheck check;
    private final EventLog events;
    private final CheckWindow window;
    private final long timeoutMs;
    private final long degradedAfterNanos;
    private long timerId = -1;
    private boolean stopped;
    private long checks;
    private long failures;
    private String lastError;
    private long lastErrorMillis;
    private long lastChangeMillis;
    private volatile ServiceStatus status;

    ServiceMonitor(Vertx vertx, ServiceConfig config, ServiceCheck check, EventLog events) {
        this.vertx = vertx;
        this.config = config;
        this.check = check;
        this.events = events;
        this.window = new CheckWindow(config.window(), config.unhealthyAfter());
        this.timeoutMs = config.timeout().toMillis();
        this.degradedAfterNanos = config.degradedAfter().toNanos();
        this.status = snapshot("not checked yet", 0, 0);
    }

    ServiceConfig config() {
        return config;
    }

    ServiceStatus status() {
        return status;
    }

    /** Starts checking after a random part of a second (or of the interval, if shorter), so that services spread. */
    void start() {
        long spread = Math.min(FIRST_CHECK_SPREAD_MS, config.interval().toMillis());
        schedule(1 + ThreadLocalRandom.current().nextLong(Math.max(1, spread)));
    }

    /** Stops the timer and drops a check in flight; the future completes when its connection is closed. */
    Future<Void> stop() {
        stopped = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        return check.close();
    }

    private void schedule(long delayMillis) {
        if (!stopped) {
            timerId = vertx.setTimer(delayMillis, id -> run());
        }
    }

    private void run() {
        if (stopped) {
            return;
        }
        long start = System.nanoTime();
        Future<String> running;
        try {
            running = check.run();
        } catch (RuntimeException e) {
            // A check that throws instead of failing its future still fails, and the next one still comes.
            running = Future.failedFuture(e);
        }
        running.timeout(timeoutMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
            if (stopped) {
                return;
            }
            onResult(ar, System.nanoTime() - start);
            schedule(config.interval().toMillis());
        });
    }

    private void onResult(AsyncResult<String> ar, long nanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        CheckWindow.Result result;
        String text;
        if (ar.succeeded() && ms <= timeoutMs) {
            boolean slow = nanos > degradedAfterNanos && checks > 0;
            result = slow ? CheckWindow.Result.SLOW : CheckWindow.Result.OK;
            text = ar.result() + " in " + ms + " ms";
        } else {
            result = CheckWindow.Result.FAILED;
            // At or past the deadline, whatever ended the run (our timeout, the client closed by its timer) is a timeout.
            boolean late = ar.succeeded() || ms >= timeoutMs || ar.cause() instanceof TimeoutException;
            text = late ? "timeout after " + timeoutMs + " ms" : Failures.describe(ar.cause());
        }
        record(result, text, ms);
    }

    /** Adds one result; visible for tests that drive the state machine without a network. */
    void record(CheckWindow.Result result, String text, long ms) {
        long now = System.currentTimeMillis();
        checks++;
        if (result == CheckWindow.Result.FAILED) {
            failures++;
            lastError = text;
            lastErrorMillis = now;
        }
        ServiceState before = status.state();
        ServiceState after = window.add(result);
        if (after != before) {
            lastChangeMillis = now;
        }
        status = snapshot(text, ms, now);
        if (after != before) {
            events.record(after.eventType(), ACTOR, config.name(), message(before, after, result, text),
                    data(before, after, text, ms));
        }
    }

    private String message(ServiceState before, ServiceState after, CheckWindow.Result result, String text) {
        String reason = switch (after) {
            case HEALTHY -> text;
            case UNHEALTHY -> text + " (" + window.consecutiveFailures() + " failed checks in a row)";
            case DEGRADED -> degradedReason(result, text);
            case UNKNOWN -> throw new IllegalStateException("no service enters UNKNOWN");
        };
        String was = before == ServiceState.UNKNOWN ? "" : " (was " + before + ")";
        return "service " + config.name() + " (" + config.type() + " " + config.target().describe() + ") is " + after
                + ": " + reason + was;
    }

    private String degradedReason(CheckWindow.Result result, String text) {
        if (result == CheckWindow.Result.SLOW) {
            return "slow, " + text + " (above degraded-after " + config.degradedAfter().toMillis() + " ms)";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(window.failed()).append(" of the last ").append(window.filled()).append(" checks failed");
        if (window.slow() > 0) {
            sb.append(", ").append(window.slow()).append(" slow");
        }
        return sb.append("; last: ").append(text).toString();
    }

    private Map<String, String> data(ServiceState before, ServiceState after, String text, long ms) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("type", config.type());
        d.put("target", config.target().describe());
        d.put("from", before.name());
        d.put("to", after.name());
        d.put("result", text);
        d.put("latencyMs", Long.toString(ms));
        return d;
    }

    private ServiceStatus snapshot(String text, long ms, long now) {
        return new ServiceStatus(config.name(), config.type(), config.target().describe(), window.state(), text, ms,
                Optional.ofNullable(lastError), lastErrorMillis, now, lastChangeMillis,
                new ServiceStatus.Counts(checks, failures, window.consecutiveFailures(), window.failed(), window.slow(),
                        window.size()));
    }
}
