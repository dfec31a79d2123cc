package org.fossinfra.control;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.fossinfra.balance.AdminState;
import org.fossinfra.balance.Server;
import org.fossinfra.config.Config;
import org.fossinfra.config.ConfigDiff;
import org.fossinfra.config.ConfigError;
import org.fossinfra.config.ConfigException;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.fossinfra.health.HealthChecks;
import org.fossinfra.health.ServiceChecks;
import org.fossinfra.health.ServiceStatus;
import org.fossinfra.proxy.BackendRuntime;
import org.fossinfra.metrics.Counters;
import org.fossinfra.proxy.ProxyServer;

/**
 * The operations on a running node. Every change names its actor ("api:ops", "dashboard:alice", a Matrix user id)
 * and is recorded as an event, whoever calls: the admin API, the dashboard and chat commands all come through here.
 */
public final class Control {
    private final Path configFile;
    private final ProxyServer proxy;
    private final HealthChecks health;
    private final ServiceChecks services;
    private final EventLog events;
    private final List<Consumer<Config>> listeners = new CopyOnWriteArrayList<>();

    public Control(Path configFile, ProxyServer proxy, HealthChecks health, ServiceChecks services, EventLog events) {
        this.configFile = configFile;
        this.proxy = proxy;
        this.health = health;
        this.services = services;
        this.events = events;
    }

    public EventLog events() {
        return events;
    }

    public List<FrontendStats> frontends() {
        List<FrontendStats> out = new ArrayList<>();
        for (ProxyServer.FrontendView f : proxy.frontends()) {
            Counters c = f.counters();
            String bind = f.bound() == null ? f.config().bind().toString()
                    : f.config().bind().host() + ":" + f.bound().getPort();
            out.add(new FrontendStats(f.name(), bind, f.liveConnections(), c.connections(), c.requests(),
                    classes(c), c.errors()));
        }
        return out;
    }

    public List<BackendView> backends() {
        List<BackendView> out = new ArrayList<>();
        for (BackendRuntime b : proxy.backends().values()) {
            out.add(view(b));
        }
        return out;
    }

    public BackendView backend(String name) throws NotFoundException {
        return view(runtime(name));
    }

    /** Every watched service (PostgreSQL, Redis, ...) with its state, in config order. */
    public List<ServiceStatus> services() {
        return services.statuses();
    }

    public ServiceStatus service(String name) throws NotFoundException {
        return services.status(name).orElseThrow(() -> new NotFoundException("no service '" + name + "'; services: "
                + (services.names().isEmpty() ? "none configured" : String.join(", ", services.names()))));
    }

    public ServerView server(String backend, String server) throws NotFoundException {
        Server s = find(backend, server);
        return ServerView.of(s, health.status(s).orElse(null));
    }

    /** Sets a server to READY, DRAIN or MAINT. Idempotent; a change is an event naming {@code actor}. */
    public ServerView setState(String actor, String backend, String server, AdminState state) throws NotFoundException {
        Server s = find(backend, server);
        AdminState before = s.adminState();
        if (before != state) {
            s.setAdminState(state);
            String subject = backend + "/" + server;
            events.record(EventType.SERVER_STATE, actor, subject,
                    subject + " set to " + state + " (was " + before + ") by " + actor,
                    Map.of("from", before.name(), "to", state.name()));
        }
        return ServerView.of(s, health.status(s).orElse(null));
    }

    /** Sets a server's weight at runtime (0..256); a config reload that changes the weight overrides it. */
    public ServerView setWeight(String actor, String backend, String server, int weight) throws NotFoundException {
        if (weight < Server.MIN_WEIGHT || weight > Server.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: " + Server.MIN_WEIGHT + ".."
                    + Server.MAX_WEIGHT + ")");
        }
        Server s = find(backend, server);
        int before = s.weight();
        if (before != weight) {
            s.setWeight(weight);
            String subject = backend + "/" + server;
            events.record(EventType.SERVER_WEIGHT, actor, subject,
                    subject + " weight set to " + weight + " (was " + before + ") by " + actor,
                    Map.of("from", Integer.toString(before), "to", Integer.toString(weight)));
        }
        return ServerView.of(s, health.status(s).orElse(null));
    }

    /**
     * Re-reads the config file and applies what a running node can take: routing, servers, services, rate limits,
     * admin tokens, dashboard users and Matrix operators (each {@link #onReload} listener gets the new configuration).
     * What only a restart can change ({@link ConfigDiff#restartRequired()}: the admin listener's address, the node, the
     * event store, the Matrix connection) keeps its running value, and the answer and the event say so. Blocking
     * (file, DNS, binds): call it off the event loops. A file that fails validation, or a listener that can't be bound,
     * changes nothing.
     */
    public synchronized ReloadResult reload(String actor) {
        Config file;
        try {
            file = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            List<String> errors = e.errors().stream().map(ConfigError::render).toList();
            events.record(EventType.CONFIG_RELOAD_FAILED, actor, configFile.toString(),
                    "reload of " + configFile + " refused: " + errors.size() + " error(s), nothing changed",
                    Map.of("errors", String.join("\n", errors)));
            return ReloadResult.refused(errors);
        }
        Config running = proxy.config();
        ConfigDiff diff = ConfigDiff.between(running, file);
        Config next = ConfigDiff.applyLive(running, file);
        try {
            proxy.apply(next).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ReloadResult.refused(List.of("interrupted"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null && e.getCause().getCause() != null ? e.getCause().getCause() : e.getCause();
            String msg = cause == null ? e.getMessage() : cause.getMessage();
            events.record(EventType.CONFIG_RELOAD_FAILED, actor, configFile.toString(),
                    "reload of " + configFile + " failed: " + msg + "; nothing changed", Map.of("errors", msg));
            return ReloadResult.refused(List.of(msg));
        }
        health.apply(targets(proxy));
        services.apply(next.services());
        for (Consumer<Config> l : listeners) {
            l.accept(next);
        }
        List<String> changes = diff.live().stream().map(ConfigDiff.Change::describe).toList();
        List<String> restart = diff.restartRequired().stream().map(ConfigDiff.Change::describe).toList();
        String message = "configuration reloaded by " + actor + ": "
                + (changes.isEmpty() ? "no changes applied" : String.join("; ", changes))
                + (restart.isEmpty() ? "" : "; not applied until the node restarts: " + String.join("; ", restart));
        events.record(EventType.CONFIG_RELOAD, actor, configFile.toString(), message,
                Map.of("changes", String.join("\n", changes), "restartRequired", String.join("\n", restart)));
        return ReloadResult.applied(changes, restart);
    }

    /**
     * Calls {@code listener} with the running configuration after every applied reload, on the reloading thread (not
     * an event loop), before the reload answers: when the answer says "applied", the listener has applied it.
     */
    public void onReload(Consumer<Config> listener) {
        listeners.add(listener);
    }

    /** The health-check targets of every server the proxy currently serves. */
    public static List<HealthChecks.Target> targets(ProxyServer proxy) {
        List<HealthChecks.Target> t = new ArrayList<>();
        for (BackendRuntime b : proxy.backends().values()) {
            for (Server s : b.servers().servers()) {
                t.add(new HealthChecks.Target(s, b.config().healthCheck()));
            }
        }
        return t;
    }

    private BackendView view(BackendRuntime b) {
        List<ServerView> servers = new ArrayList<>();
        int up = 0;
        for (Server s : b.servers().servers()) {
            ServerView v = ServerView.of(s, health.status(s).orElse(null));
            servers.add(v);
            if (v.status().equals("UP")) {
                up++;
            }
        }
        Counters c = b.counters();
        return new BackendView(b.name(), b.config().balance().configName(), b.queueLength(), c.requests(),
                classes(c), c.errors(), c.retries(), c.redispatches(), up, servers);
    }

    private static long[] classes(Counters c) {
        long[] r = new long[6];
        for (int i = 0; i < 6; i++) {
            r[i] = c.responses(i);
        }
        return r;
    }

    private BackendRuntime runtime(String name) throws NotFoundException {
        BackendRuntime b = proxy.backends().get(name);
        if (b == null) {
            throw new NotFoundException("no backend '" + name + "'; backends: " + String.join(", ", proxy.backends().keySet()));
        }
        return b;
    }

    private Server find(String backend, String server) throws NotFoundException {
        BackendRuntime b = runtime(backend);
        return b.servers().server(server).orElseThrow(() -> new NotFoundException("no server '" + server
                + "' in backend '" + backend + "'; servers: "
                + String.join(", ", b.servers().servers().stream().map(Server::name).toList())));
    }
}
