package org.fossinfra.app;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.fossinfra.config.Config;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.control.Control;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.fossinfra.events.WriteBehindConfig;
import org.fossinfra.health.HealthChecks;
import org.fossinfra.metrics.EventLoopMonitor;
import org.fossinfra.metrics.HostCollector;
import org.fossinfra.metrics.PrometheusMetrics;
import org.fossinfra.metrics.Telemetry;
import org.fossinfra.health.ServiceChecks;
import org.fossinfra.matrix.MatrixBot;
import org.fossinfra.proxy.ProxyServer;
import org.fossinfra.redis.RedisRateLimitStore;
import org.fossinfra.store.Database;
import org.fossinfra.web.AdminServer;
import org.fossinfra.web.Dashboard;

/**
 * One foss-infra node. Start order: Vert.x (one event loop per core, native transport), the event log, the proxy
 * (traffic flows from here on), the backends' health checks, the service checks (PostgreSQL, Redis, ...; on a Vert.x
 * of their own, so they never take a cycle from traffic), the control operations, the admin listener, and last the
 * services' first checks, so that a dead or slow service can neither fail nor delay start-up, then the Matrix bot
 * (its own threads and Vert.x; it connects in the background, so a dead homeserver changes nothing here), and after
 * them the event store's PostgreSQL, in the background (events are journaled from the start and written once it is up). Stop
 * order is the reverse; the event log writes what it holds before the database stops.
 */
public final class Node implements AutoCloseable {
    private final Vertx vertx;
    private final EventLog events;
    private final ProxyServer proxy;
    private final HealthChecks health;
    private final ServiceChecks services;
    private final Control control;
    private final AdminServer admin;
    private final Config config;
    private final EventLoopMonitor loopMonitor;
    private final Telemetry telemetry;
    private final PrometheusMetrics metrics;
    private final DurableEventLog durableEvents;
    private final Database database;
    private final MatrixBot matrix;

    private Node(Vertx vertx, EventLog events, ProxyServer proxy, HealthChecks health, ServiceChecks services,
                 Control control, AdminServer admin, Config config, EventLoopMonitor loopMonitor,
                 Telemetry telemetry, PrometheusMetrics metrics, DurableEventLog durableEvents, Database database,
                 MatrixBot matrix) {
        this.matrix = matrix;
        this.durableEvents = durableEvents;
        this.database = database;
        this.loopMonitor = loopMonitor;
        this.telemetry = telemetry;
        this.metrics = metrics;
        this.vertx = vertx;
        this.events = events;
        this.proxy = proxy;
        this.health = health;
        this.services = services;
        this.control = control;
        this.admin = admin;
        this.config = config;
    }

    /** The Vert.x options every node uses: one event loop per core (the data plane's workers), native transport. */
    public static VertxOptions vertxOptions() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new VertxOptions()
                .setEventLoopPoolSize(cores)
                .setWorkerPoolSize(Math.max(4, cores))
                .setPreferNativeTransport(true);
    }

    /**
     * Starts a node serving {@code config}, read from {@code configFile} (reloads re-read that file).
     *
     * @throws Exception when a listener can't be bound; everything started so far is stopped again
     */
    public static Node start(Config config, Path configFile) throws Exception {
        Vertx vertx = Vertx.vertx(vertxOptions());
        // Events: journaled from the first one on (the database comes up in the background, at the very end).
        DatabaseConfig db = config.database();
        DurableEventLog durable = db.target() instanceof DatabaseConfig.Disabled ? null
                : EventLog.writeBehind(new WriteBehindConfig(config.node().name(), 10_000, db.journal(), db.buffer(),
                        db.batchSize(), Duration.ofSeconds(5), db.journalMinFree()));
        EventLog events = durable != null ? durable : EventLog.inMemory(10_000);
        Database database = null;
        // The dashboard's Database page is made before the database, which starts last: it looks it up here.
        java.util.concurrent.atomic.AtomicReference<Database> databaseRef = new java.util.concurrent.atomic.AtomicReference<>();
        ProxyServer proxy = null;
        HealthChecks health = null;
        ServiceChecks services = null;
        EventLoopMonitor loopMonitor = null;
        Telemetry telemetry = null;
        MatrixBot matrix = null;
        try {
            proxy = new ProxyServer(vertx);
            // The meters exist before the first apply: the Redis store registers its own when it opens.
            loopMonitor = new EventLoopMonitor(proxy.eventLoopExecutors());
            telemetry = new Telemetry(proxy, new HostCollector(), loopMonitor).start();
            PrometheusMetrics metrics = new PrometheusMetrics(proxy, telemetry);
            // Rules with store: redis count in the shared Redis of the config's redis section (opened on the first
            // such rule, again when a reload changes the section); without the opener they make apply fail.
            proxy.redisRateLimitStore(c -> RedisRateLimitStore.start(vertx, c, events, metrics.registry()));
            proxy.apply(config).get(30, TimeUnit.SECONDS);
            health = new HealthChecks(vertx, events);
            health.apply(Control.targets(proxy));
            services = new ServiceChecks(events);
            Control control = new Control(configFile, proxy, health, services, events);
            AdminServer admin = null;
            Dashboard dashboard = null;
            if (config.admin().isPresent()) {
                dashboard = new Dashboard(vertx, config.admin().get(), control, telemetry,
                        config.node().name(), proxy.transportName(), () -> Optional.ofNullable(databaseRef.get()));
                admin = new AdminServer(vertx, config.admin().get(), control, metrics, dashboard);
                // Tokens and dashboard users follow reloads (a token removed from the file stops working at once).
                AdminServer credentials = admin;
                control.onReload(c -> c.admin().ifPresent(credentials::onReload));
                try {
                    admin.start().await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("admin listener: cannot listen on " + config.admin().get().bind()
                            + ": " + e.getMessage() + "; free the port or change admin.bind", e);
                }
            }
            // Last: a first PostgreSQL check loads its client and computes a SCRAM proof, about a second of a core,
            // which the start-up should neither wait for nor share its CPU with.
            services.apply(config.services());
            // The Matrix bot returns at once and connects on its own threads; subscribed before node.start, so that
            // the ops room hears of this start.
            if (config.matrix().isPresent() && config.matrix().get().enabled()) {
                matrix = MatrixBot.start(config.matrix().get(), config.node().name(), config.node().dataDir(), control);
                if (dashboard != null) {
                    dashboard.showMatrix(matrix);
                }
                // Operators and notification switches follow reloads; the bot's connection waits for a restart.
                MatrixBot bot = matrix;
                control.onReload(c -> c.matrix().ifPresent(bot::onReload));
            }
            events.record(EventType.NODE_START, "node", config.node().name(),
                    "node " + config.node().name() + " started with " + config.frontends().size() + " frontend(s) and "
                            + config.backends().size() + " backend(s)"
                            + (config.services().isEmpty() ? "" : ", watching " + config.services().size() + " service(s)"),
                    Map.of("config", configFile.toString()));
            // Last of all: PostgreSQL (embedded: seconds on a first start) comes up on a thread of its own; until it is
            // ready, events wait in the journal and the API and dashboard read them from memory.
            if (durable != null) {
                database = Database.start(db, config.node().name(), durable);
                databaseRef.set(database);
            }
            return new Node(vertx, events, proxy, health, services, control, admin, config, loopMonitor, telemetry,
                    metrics, durable, database, matrix);
        } catch (Exception e) {
            if (matrix != null) {
                matrix.close();
            }
            if (telemetry != null) {
                telemetry.close();
            }
            if (loopMonitor != null) {
                loopMonitor.close();
            }
            if (services != null) {
                services.close();
            }
            if (health != null) {
                health.close();
            }
            if (proxy != null) {
                proxy.close();
            }
            if (durable != null) {
                durable.close();
            }
            if (database != null) {
                database.close();
            }
            vertx.close().await(10, TimeUnit.SECONDS);
            throw e;
        }
    }

    public Vertx vertx() {
        return vertx;
    }

    public EventLog events() {
        return events;
    }

    public ProxyServer proxy() {
        return proxy;
    }

    public Control control() {
        return control;
    }

    public Optional<AdminServer> admin() {
        return Optional.ofNullable(admin);
    }

    public Config config() {
        return config;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public PrometheusMetrics metrics() {
        return metrics;
    }

    /** The Matrix bot, when the config has an enabled {@code matrix:} section. */
    public Optional<MatrixBot> matrix() {
        return Optional.ofNullable(matrix);
    }

    /** The event store's PostgreSQL, unless the config disables it. */
    public Optional<Database> database() {
        return Optional.ofNullable(database);
    }

    @Override
    public void close() {
        events.record(EventType.NODE_STOP, "node", config.node().name(), "node " + config.node().name() + " stopping");
        try {
            if (admin != null) {
                admin.close().await(5, TimeUnit.SECONDS);
            }
        } catch (Exception ignored) {
            // shutting down anyway
        }
        if (matrix != null) {
            matrix.close(); // posts what is queued, "stopping" included, for 2 s at most
        }
        services.close();
        telemetry.close();
        loopMonitor.close();
        health.close();
        proxy.close();
        // The event log writes what it still holds (within its close timeout) before the database goes.
        if (durableEvents != null) {
            durableEvents.close();
        }
        if (database != null) {
            database.close();
        }
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // shutting down anyway
        }
    }
}
