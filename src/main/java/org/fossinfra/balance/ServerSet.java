package org.fossinfra.balance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The servers of one backend, primaries and backups in configuration order, with a version that every state change
 * bumps.
 *
 * <p>Why a version: the per-event-loop {@link LoadBalancer}s must not lock on the hot path, so instead of being
 * notified they compare one volatile long on each pick and resynchronise on their own thread when it moved.
 *
 * <p>Hazard: the list is fixed at creation. Adding or removing a server means building a new set (and new load
 * balancers), not mutating this one.
 */
public final class ServerSet {

    private final String backend;
    private final List<Server> servers;
    private final Map<String, Server> byName;
    private final AtomicLong version = new AtomicLong();

    private ServerSet(String backend, List<Server> servers) {
        this.backend = backend;
        this.servers = List.copyOf(servers);
        Map<String, Server> names = new HashMap<>();
        for (Server s : this.servers) {
            if (s.inSet()) {
                throw new IllegalArgumentException(
                        "server '" + s.backend() + "/" + s.name() + "' already belongs to a ServerSet");
            }
            if (!s.backend().equals(backend)) {
                throw new IllegalArgumentException("server '" + s.backend() + "/" + s.name()
                        + "': backend '" + s.backend() + "' (expected: '" + backend + "')");
            }
            if (names.putIfAbsent(s.name(), s) != null) {
                throw new IllegalArgumentException("backend '" + backend + "': server name '" + s.name()
                        + "' appears twice (expected: unique names)");
            }
        }
        this.byName = Map.copyOf(names);
        for (Server s : this.servers) {
            s.joinSet(this);
        }
    }

    /**
     * A set of freshly created servers, all of {@code backend}, with unique names. Each server joins this set and no
     * other.
     */
    public static ServerSet of(String backend, List<Server> servers) {
        return new ServerSet(backend, servers);
    }

    /** As {@link #of(String, List)}, taking the backend name from the servers; there must be at least one. */
    public static ServerSet of(Server... servers) {
        if (servers.length == 0) {
            throw new IllegalArgumentException("servers: [] (expected: at least one, or use of(backend, List))");
        }
        return new ServerSet(servers[0].backend(), List.of(servers));
    }

    public String backend() {
        return backend;
    }

    /** All servers, primaries and backups, in configuration order. */
    public List<Server> servers() {
        return servers;
    }

    public Optional<Server> server(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The non-backup servers, in configuration order. */
    public List<Server> primaries() {
        return filter(false);
    }

    /** The backup servers, in configuration order. */
    public List<Server> backups() {
        return filter(true);
    }

    /** Increases whenever a server's weight, admin state or health changes. */
    public long version() {
        return version.get();
    }

    void bumpVersion() {
        version.incrementAndGet();
    }

    private List<Server> filter(boolean backup) {
        List<Server> out = new ArrayList<>();
        for (Server s : servers) {
            if (s.backup() == backup) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "ServerSet[" + backend + ", " + servers.size() + " servers, version " + version() + "]";
    }
}
