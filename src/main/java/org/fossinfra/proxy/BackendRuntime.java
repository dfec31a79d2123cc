package org.fossinfra.proxy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.fossinfra.balance.LoadBalancer;
import org.fossinfra.balance.Server;
import org.fossinfra.balance.ServerSet;
import org.fossinfra.config.BackendConfig;
import org.fossinfra.metrics.Counters;
import org.fossinfra.metrics.TrafficMeters;

/**
 * One backend as the data plane sees it: its config, its shared {@link ServerSet}, one {@link LoadBalancer} per
 * event loop, resolved server addresses, the queue of requests waiting for a free slot, and counters.
 *
 * <p>The queue is HAProxy's backend queue: when every eligible server is at maxconn a request waits here, FIFO,
 * until a slot frees or {@code timeout queue} passes (503). While anyone waits, new requests queue behind them.
 * Slots are freed on any loop; the waiter is then woken on its own loop, which picks again.
 */
public final class BackendRuntime {
    private final BackendConfig config;
    private final ServerSet servers;
    private final LoadBalancer[] perLoop;
    private final Map<Server, InetSocketAddress> addresses;
    private final ConcurrentLinkedDeque<ServerAssignment> queue = new ConcurrentLinkedDeque<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Counters counters;
    final TrafficMeters.BackendMeters meters;
    private final Map<Server, Counters> serverCounters;
    final long idleTimeoutNanos;
    final int connectTimeoutMillis;
    final long serverTimeoutNanos;
    final long queueTimeoutNanos;
    final long tunnelTimeoutNanos;
    /** Checked in order for every request routed here, before a server is chosen. */
    final RateLimitRule[] rateLimits;

    BackendRuntime(BackendConfig config, ServerSet servers, int loops, TrafficMeters meters,
                   Map<String, RateLimitRule> rules) {
        this.config = config;
        this.servers = servers;
        this.perLoop = new LoadBalancer[loops];
        this.meters = meters.backend(config.name());
        this.counters = this.meters.counters();
        Map<Server, InetSocketAddress> a = new IdentityHashMap<>();
        Map<Server, Counters> sc = new IdentityHashMap<>();
        for (Server s : servers.servers()) {
            sc.put(s, meters.server(config.name(), s.name()));
            // Resolved once here, off the event loops (DNS may block); an unresolvable name stays unresolved and
            // its connects fail, which the health check reports.
            a.put(s, new InetSocketAddress(s.host(), s.port()));
        }
        this.addresses = a;
        this.serverCounters = sc;
        this.idleTimeoutNanos = config.pool().idleTimeout().toNanos();
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.timeouts().connect().toMillis());
        this.serverTimeoutNanos = config.timeouts().server().toNanos();
        this.queueTimeoutNanos = config.timeouts().queue().toNanos();
        this.tunnelTimeoutNanos = config.timeouts().tunnel().toNanos();
        this.rateLimits = config.rateLimits().stream().map(rules::get).toArray(RateLimitRule[]::new);
    }

    public String name() {
        return config.name();
    }

    public BackendConfig config() {
        return config;
    }

    public ServerSet servers() {
        return servers;
    }

    public Counters counters() {
        return counters;
    }

    /** Requests waiting for a free server slot right now. */
    public int queueLength() {
        return queued.get();
    }

    LoadBalancer balancer(LoopContext loop) {
        LoadBalancer b = perLoop[loop.index];
        if (b == null) {
            b = LoadBalancer.forLoop(config.balance(), servers, loop.index);
            perLoop[loop.index] = b;
        }
        return b;
    }

    /** Responses by status class of one server of this backend. */
    public Counters counters(Server s) {
        return serverCounters.get(s);
    }

    InetSocketAddress address(Server s) {
        return addresses.get(s);
    }

    /** Whether a new request must queue behind waiting ones (FIFO fairness). */
    boolean hasWaiters() {
        return queued.get() > 0;
    }

    /** Adds a waiter at the tail; false when the queue is full. */
    boolean enqueue(ServerAssignment c) {
        if (queued.incrementAndGet() > config.queueSize()) {
            queued.decrementAndGet();
            return false;
        }
        queue.addLast(c);
        return true;
    }

    /** Puts a waiter that was woken but found no slot back at the head. */
    void requeueFirst(ServerAssignment c) {
        queued.incrementAndGet();
        queue.addFirst(c);
    }

    /** Removes a waiter that gave up (timeout, client gone). */
    void dequeue(ServerAssignment c) {
        if (queue.remove(c)) {
            queued.decrementAndGet();
        }
    }

    /** A slot was freed on some server: wake the oldest waiter on its own loop. */
    void onSlotFreed() {
        if (queued.get() == 0) {
            return;
        }
        ServerAssignment c = queue.pollFirst();
        if (c != null) {
            queued.decrementAndGet();
            c.wakeFromQueue(this);
        }
    }

    /** Whether any eligible server has a free slot (used after re-queueing, to close a wake-up race). */
    boolean anySlotFree() {
        for (Server s : servers.servers()) {
            if (s.eligible() && !s.isFull()) {
                return true;
            }
        }
        return false;
    }

    List<Server> serverList() {
        return new ArrayList<>(servers.servers());
    }
}
