package org.fossinfra.health;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.fossinfra.config.ServiceConfig;
import org.fossinfra.events.EventLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's service checks (PostgreSQL, Redis, Matrix, HTTP, TCP), beside the backends' {@link HealthChecks}.
 * {@link #apply} is called with the configured services at start and on every reload: a service whose config is
 * unchanged keeps its running checks, its window and its state; a changed one starts over (UNKNOWN, then its first
 * verdict); a removed one stops.
 *
 * <p>Nothing here can hold up the node or its traffic. Construction and {@link #apply} connect to nothing; every check
 * is non-blocking with a hard timeout; and all of them run on a Vert.x instance of their own with a single event loop,
 * never on the loops that serve traffic. That isolation is measured, not theoretical: the first PostgreSQL check of a
 * process loads the client and computes a SCRAM proof, about a second of one core, which on a shared loop stalled the
 * proxied requests of that loop for as long.
 *
 * <p>Hazard: {@link #close()} waits (a few seconds at most) for checks in flight to drop their connections before it
 * closes that Vert.x instance, because Vert.x 5.0.7 never finishes closing while a PostgreSQL client waits on a server
 * that accepted and never answered.
 */
public final class ServiceChecks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceChecks.class);
    /** Bound on each step of {@link #close()}: dropping checks in flight, then closing the Vert.x instance. */
    private static final long CLOSE_SECONDS = 5;

    private final Vertx vertx;
    private final EventLog events;
    private final Context context;
    private final HttpClient http;
    private final NetClient net;
    private final Map<String, ServiceMonitor> monitors = new LinkedHashMap<>();
    private boolean closed;

    public ServiceChecks(EventLog events) {
        // One event loop does: a check is a timer and a connection every few seconds per service.
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1).setPreferNativeTransport(true));
        this.events = events;
        this.context = vertx.getOrCreateContext();
        // No keep-alive: every check proves that a new connection can be made (see ServiceCheck).
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setMaxRedirects(0),
                new PoolOptions().setHttp1MaxSize(16));
        this.net = vertx.createNetClient(new NetClientOptions());
    }

    /** Makes the running checks match {@code services} (file order is kept for {@link #statuses()}). Any thread. */
    public synchronized void apply(List<ServiceConfig> services) {
        if (closed) {
            throw new IllegalStateException("service checks are closed");
        }
        Map<String, ServiceMonitor> next = new LinkedHashMap<>();
        for (ServiceConfig c : services) {
            ServiceMonitor existing = monitors.remove(c.name());
            if (existing != null && existing.config().equals(c)) {
                next.put(c.name(), existing);
                continue;
            }
            if (existing != null) {
                context.runOnContext(v -> existing.stop());
            }
            ServiceMonitor m = new ServiceMonitor(vertx, c,
                    ServiceCheck.of(vertx, http, net, c.target(), c.timeout()), events);
            next.put(c.name(), m);
            context.runOnContext(v -> m.start());
        }
        for (ServiceMonitor gone : monitors.values()) {
            context.runOnContext(v -> gone.stop());
        }
        monitors.clear();
        monitors.putAll(next);
    }

    /** Every service's latest status, in config order. */
    public synchronized List<ServiceStatus> statuses() {
        List<ServiceStatus> out = new ArrayList<>(monitors.size());
        monitors.values().forEach(m -> out.add(m.status()));
        return out;
    }

    public synchronized Optional<ServiceStatus> status(String name) {
        ServiceMonitor m = monitors.get(name);
        return m == null ? Optional.empty() : Optional.of(m.status());
    }

    /** Names of the services, in config order, e.g. for a "no such service" message. */
    public synchronized List<String> names() {
        return List.copyOf(monitors.keySet());
    }

    /** Stops every check and closes the checks' Vert.x instance. Blocks a few seconds at most; not on an event loop. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<ServiceMonitor> all = List.copyOf(monitors.values());
        monitors.clear();
        Promise<Void> stopped = Promise.promise();
        context.runOnContext(v -> {
            List<Future<Void>> closing = new ArrayList<>();
            all.forEach(m -> closing.add(m.stop()));
            Future.join(closing).<Void>mapEmpty().onComplete(stopped);
        });
        await("dropping the checks in flight", stopped.future());
        await("closing the checks' Vert.x", vertx.close());
    }

    private static void await(String what, Future<Void> f) {
        try {
            f.await(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Shutting down anyway; say so, since a hung close hints at a connection that would not die.
            log.warn("service checks: {} did not finish within {} s ({}); going on", what, CLOSE_SECONDS, e.toString());
        }
    }
}
