package org.fossinfra.balance;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The runtime state of one backend server, shared by every event loop and by the control plane.
 *
 * <p>Why: each event loop balances with its own, unsynchronised {@link LoadBalancer}, but they all send traffic to the
 * same servers, so what must agree across threads lives here: the in-flight count used by {@code maxconn} and
 * least-connections, and the state the control plane sets (health, admin state, weight). State fields are volatile;
 * every change bumps the owning {@link ServerSet}'s version, which the load balancers poll to resynchronise lazily.
 *
 * <p>Hazard: {@link #tryAcquire()} and {@link #release()} must pair exactly. A missing release leaks a slot for good;
 * a second release would let the server exceed {@code maxconn}, so it throws instead of going below zero.
 */
public final class Server {

    /** Weight bounds as in HAProxy: 0 takes no new traffic, 256 is the largest. */
    public static final int MIN_WEIGHT = 0;
    public static final int MAX_WEIGHT = 256;

    private final String backend;
    private final String name;
    private final String host;
    private final int port;
    private final int maxconn;
    private final boolean backup;

    private volatile int weight;
    private volatile AdminState adminState = AdminState.READY;
    private volatile boolean healthy = true;
    private volatile long lastChange = System.currentTimeMillis();
    /** Set once, by the ServerSet this server joins. */
    private volatile ServerSet owner;

    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder totalRequests = new LongAdder();
    private final LongAdder errors = new LongAdder();

    private Server(String backend, String name, String host, int port, int weight, int maxconn, boolean backup) {
        this.backend = requireName("backend", backend);
        this.name = requireName("name", name);
        this.host = requireName("host", host);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
        this.port = port;
        this.weight = requireWeight(weight);
        if (maxconn < 0) {
            throw new IllegalArgumentException("maxconn: " + maxconn + " (expected: 0 for unlimited, or >= 1)");
        }
        this.maxconn = maxconn;
        this.backup = backup;
    }

    /**
     * A healthy, {@link AdminState#READY} server with nothing in flight. It must then join exactly one
     * {@link ServerSet}, which is what lets its setters reach the load balancers.
     *
     * @param weight 0..256; 0 takes no new traffic
     * @param maxconn 0 for unlimited, else the most requests in flight at once
     */
    public static Server create(String backend, String name, String host, int port, int weight, int maxconn,
            boolean backup) {
        return new Server(backend, name, host, port, weight, maxconn, backup);
    }

    public String backend() {
        return backend;
    }

    public String name() {
        return name;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The most requests in flight at once; 0 means unlimited. */
    public int maxconn() {
        return maxconn;
    }

    /** Whether this server takes traffic only when no primary server of its backend is eligible. */
    public boolean backup() {
        return backup;
    }

    public int weight() {
        return weight;
    }

    /** Sets the weight, 0..256; 0 stops new traffic as a drain would. */
    public void setWeight(int weight) {
        requireWeight(weight);
        if (this.weight != weight) {
            this.weight = weight;
            changed();
        }
    }

    public AdminState adminState() {
        return adminState;
    }

    public void setAdminState(AdminState state) {
        Objects.requireNonNull(state, "state");
        if (this.adminState != state) {
            this.adminState = state;
            changed();
        }
    }

    /** What the health checks last concluded; servers start healthy. */
    public boolean healthy() {
        return healthy;
    }

    public void setHealthy(boolean healthy) {
        if (this.healthy != healthy) {
            this.healthy = healthy;
            changed();
        }
    }

    /** Whether the server may take new requests: healthy, {@link AdminState#READY} and weight above 0. */
    public boolean eligible() {
        return healthy && adminState == AdminState.READY && weight > 0;
    }

    /** Epoch milliseconds of the last change of weight, admin state or health (or of creation). */
    public long lastChange() {
        return lastChange;
    }

    /** Requests in flight right now. */
    public int active() {
        return active.get();
    }

    /** Whether a {@code maxconn} is set and reached. */
    public boolean isFull() {
        int max = maxconn;
        return max > 0 && active.get() >= max;
    }

    /**
     * Takes a slot for one request: increments {@link #active()} unless {@code maxconn} is reached. Eligibility is not
     * checked here; that is the balancer's job.
     *
     * @return false, changing nothing, when the server is full
     */
    public boolean tryAcquire() {
        int max = maxconn;
        if (max == 0) {
            active.incrementAndGet();
        } else {
            // CAS loop: another event loop may take the last slot between our read and our write.
            int current;
            do {
                current = active.get();
                if (current >= max) {
                    return false;
                }
            } while (!active.compareAndSet(current, current + 1));
        }
        totalRequests.increment();
        return true;
    }

    /**
     * Gives back a slot taken by {@link #tryAcquire()}.
     *
     * @throws IllegalStateException if nothing is in flight, i.e. a release without a matching acquire
     */
    public void release() {
        int current;
        do {
            current = active.get();
            if (current <= 0) {
                throw new IllegalStateException(
                        "server '" + backend + "/" + name + "': release() without a matching tryAcquire()");
            }
        } while (!active.compareAndSet(current, current - 1));
    }

    /** Requests ever admitted by {@link #tryAcquire()}. */
    public long totalRequests() {
        return totalRequests.sum();
    }

    /** Counts one failed request (connect error, timeout, bad response); for stats only. */
    public void recordError() {
        errors.increment();
    }

    public long errors() {
        return errors.sum();
    }

    @Override
    public String toString() {
        return backend + "/" + name + " (" + host + ":" + port + ")";
    }

    /** Called by the ServerSet constructor; a server belongs to exactly one set. */
    synchronized void joinSet(ServerSet set) {
        if (owner != null) {
            throw new IllegalArgumentException("server '" + backend + "/" + name + "' already belongs to a ServerSet");
        }
        owner = set;
    }

    boolean inSet() {
        return owner != null;
    }

    private void changed() {
        // Order matters: the state write above happens-before the version bump, so a load balancer that sees the
        // new version also sees the new state.
        lastChange = System.currentTimeMillis();
        ServerSet set = owner;
        if (set != null) {
            set.bumpVersion();
        }
    }

    private static int requireWeight(int weight) {
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException(
                    "weight: " + weight + " (expected: " + MIN_WEIGHT + ".." + MAX_WEIGHT + ")");
        }
        return weight;
    }

    private static String requireName(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + ": \"\" (expected: non-empty)");
        }
        return value;
    }
}
