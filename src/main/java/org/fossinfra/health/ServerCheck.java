package org.fossinfra.health;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.fossinfra.balance.AdminState;
import org.fossinfra.balance.Server;
import org.fossinfra.config.HealthCheckConfig;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;

/**
 * HAProxy's {@code option httpchk} with {@code inter}, {@code rise} and {@code fall} for one server: every interval an
 * HTTP request on a fresh connection; {@code fall} failures in a row mark an up server down, {@code rise} successes
 * mark a down server up. Marking takes effect at once (the balancers see the server's version change on their next
 * pick) and is recorded as an event. Checks pause while the server is in maintenance.
 *
 * <p>All state is confined to one Vert.x context: the timer and the HTTP callbacks run there.
 */
final class ServerCheck {
    private final Vertx vertx;
    private final HttpClient client;
    private final Server server;
    private final HealthCheckConfig config;
    private final EventLog events;
    private long timerId = -1;
    private boolean stopped;
    private volatile CheckStatus status = CheckStatus.NONE;
    private int successes;
    private int failures;
    private long checks;

    ServerCheck(Vertx vertx, HttpClient client, Server server, HealthCheckConfig config, EventLog events) {
        this.vertx = vertx;
        this.client = client;
        this.server = server;
        this.config = config;
        this.events = events;
    }

    Server server() {
        return server;
    }

    HealthCheckConfig config() {
        return config;
    }

    CheckStatus status() {
        return status;
    }

    /** Starts checking after a random part of one interval, so that many servers don't get checked in lockstep. */
    void start() {
        long interval = config.interval().toMillis();
        schedule(1 + ThreadLocalRandom.current().nextLong(Math.max(1, interval)));
    }

    void stop() {
        stopped = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
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
        if (server.adminState() == AdminState.MAINT) {
            schedule(config.interval().toMillis());
            return;
        }
        long start = System.nanoTime();
        long timeout = config.timeout().toMillis();
        RequestOptions opts = new RequestOptions()
                .setMethod(HttpMethod.valueOf(config.method()))
                .setHost(server.host())
                .setPort(server.port())
                .setURI(config.path())
                .setConnectTimeout(timeout)
                .putHeader("Host", config.host() != null ? config.host() : server.host() + ":" + server.port())
                .putHeader("User-Agent", "foss-infra-health-check")
                .putHeader("Connection", "close");
        client.request(opts)
                .compose(req -> req.send())
                .compose(this::statusAfterBody)
                .timeout(timeout, TimeUnit.MILLISECONDS)
                .onComplete(ar -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (ar.succeeded()) {
                        int code = ar.result();
                        boolean ok = config.expect().matches(code);
                        record(ok, "HTTP " + code + " in " + ms + " ms" + (ok ? "" : " (expected " + config.expect() + ")"), ms);
                    } else {
                        record(false, describe(ar.cause(), timeout), ms);
                    }
                    schedule(config.interval().toMillis());
                });
    }

    private io.vertx.core.Future<Integer> statusAfterBody(HttpClientResponse resp) {
        return resp.body().map((Buffer b) -> resp.statusCode());
    }

    private void record(boolean ok, String result, long ms) {
        checks++;
        if (ok) {
            successes++;
            failures = 0;
        } else {
            failures++;
            successes = 0;
        }
        status = new CheckStatus(result, ok, ms, ok ? successes : failures, checks, System.currentTimeMillis());
        String subject = server.backend() + "/" + server.name();
        if (server.healthy() && !ok && failures >= config.fall()) {
            server.setHealthy(false);
            events.record(EventType.SERVER_DOWN, "health-check", subject,
                    subject + " is DOWN: " + result + " (" + failures + " failed checks in a row)",
                    Map.of("result", result, "durationMs", Long.toString(ms)));
        } else if (!server.healthy() && ok && successes >= config.rise()) {
            server.setHealthy(true);
            events.record(EventType.SERVER_UP, "health-check", subject,
                    subject + " is UP: " + result + " (" + successes + " passed checks in a row)",
                    Map.of("result", result, "durationMs", Long.toString(ms)));
        }
    }

    private static String describe(Throwable t, long timeoutMs) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof java.util.concurrent.TimeoutException || m.contains("imeout") || m.contains("timed out")) {
            return "timeout after " + timeoutMs + " ms";
        }
        if (m.contains("Connection refused")) {
            return "connection refused";
        }
        return m;
    }
}
