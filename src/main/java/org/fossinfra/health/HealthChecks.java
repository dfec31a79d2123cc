package org.fossinfra.health;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import org.fossinfra.balance.Server;
import org.fossinfra.config.HealthCheckConfig;
import org.fossinfra.events.EventLog;

/**
 * All active checks of the node. {@link #apply} is called with each new set of backends (start and every reload):
 * servers that stayed, with the same check, keep their running check and its counters; new ones start; gone ones
 * stop.
 *
 * <p>Checks run on one Vert.x event-loop context of their own, never on the data plane's hot path (the work is a few
 * requests a second).
 */
public final class HealthChecks implements AutoCloseable {
    private final Vertx vertx;
    private final EventLog events;
    private final HttpClient client;
    private final Context context;
    private final Map<Server, ServerCheck> checks = new IdentityHashMap<>();

    public HealthChecks(Vertx vertx, EventLog events) {
        this.vertx = vertx;
        this.events = events;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setMaxRedirects(0),
                new PoolOptions().setHttp1MaxSize(64));
        this.context = vertx.getOrCreateContext();
    }

    /** A server and the check it should have (empty: none). */
    public record Target(Server server, Optional<HealthCheckConfig> check) {
    }

    /** Makes the running checks match {@code targets}. Safe to call from any thread. */
    public synchronized void apply(Iterable<Target> targets) {
        Map<Server, ServerCheck> next = new IdentityHashMap<>();
        for (Target t : targets) {
            if (t.check().isEmpty()) {
                continue;
            }
            ServerCheck existing = checks.remove(t.server());
            if (existing != null && existing.config().equals(t.check().get())) {
                next.put(t.server(), existing);
            } else {
                if (existing != null) {
                    context.runOnContext(v -> existing.stop());
                }
                ServerCheck c = new ServerCheck(vertx, client, t.server(), t.check().get(), events);
                next.put(t.server(), c);
                context.runOnContext(v -> c.start());
            }
        }
        for (ServerCheck gone : checks.values()) {
            context.runOnContext(v -> gone.stop());
        }
        checks.clear();
        checks.putAll(next);
    }

    /** The latest check result of {@code server}, or empty when it isn't checked. */
    public synchronized Optional<CheckStatus> status(Server server) {
        ServerCheck c = checks.get(server);
        return c == null ? Optional.empty() : Optional.of(c.status());
    }

    @Override
    public synchronized void close() {
        for (ServerCheck c : checks.values()) {
            context.runOnContext(v -> c.stop());
        }
        checks.clear();
        client.close();
    }
}
