package org.fossinfra.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.fossinfra.balance.AdminState;
import org.fossinfra.balance.Server;
import org.fossinfra.balance.ServerSet;
import org.fossinfra.config.BackendConfig;
import org.fossinfra.config.Config;
import org.fossinfra.config.FrontendConfig;
import org.fossinfra.config.RedisConfig;
import org.fossinfra.metrics.Counters;
import org.fossinfra.metrics.TrafficMeters;
import org.fossinfra.metrics.TrafficSource;
import org.fossinfra.ratelimit.RateLimitStore;

/**
 * The data plane's entry point: binds the frontends on Vert.x's Netty event loops (native epoll when available)
 * and applies configurations, the first one and every reload.
 *
 * <p>A reload builds new routing snapshots next to the running ones, binds any new listeners first (if one fails,
 * nothing changes), then swaps the snapshots in one step per frontend. Connections read the snapshot at the start
 * of each request, so requests in flight finish on what they started with and no connection is dropped. Servers
 * whose backend kept the same server list keep their {@link ServerSet} (live counts, state, health); a backend
 * whose list changed gets a new set, carrying each surviving server's admin state and health over.
 *
 * <p>Hazard: {@link #apply} resolves server host names, which may block: call it off the event loops.
 */
public final class ProxyServer implements AutoCloseable, TrafficSource {
    private final VertxInternal vertx;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final ChannelFactory<? extends ServerChannel> serverChannels;
    private final ChannelFactory<? extends Channel> clientChannels;
    private final int loops;
    private final AtomicInteger loopIndex = new AtomicInteger();
    private final FastThreadLocal<LoopContext> loopContexts = new FastThreadLocal<>();
    private final java.util.Queue<LoopContext> allLoopContexts = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Map<String, FrontendSlot> slots = new ConcurrentHashMap<>();
    private volatile Map<String, BackendRuntime> backends = Map.of();
    private volatile Config config;
    private final TrafficMeters meters = new TrafficMeters();
    private final AtomicInteger clientConnections = new AtomicInteger();
    /** Server connections open (pooled or busy), over all loops: descriptors too. */
    private final AtomicInteger serverConnections = new AtomicInteger();
    private final int maxClientConnections;
    private final int descriptorBudget;
    /** Descriptors that are neither client nor server connections, as last counted (0 with a fixed budget). */
    private volatile int otherDescriptors;
    private Thread descriptorWatch;
    private final RateLimits rateLimits;

    /**
     * A proxy bound by the process's open-file limit: beyond it a new client connection gets 503 and is closed. Its
     * client and server connections are counted as they open and close; every other descriptor (listeners, jars, logs,
     * the admin listener's connections, database and Redis connections) is counted once a second by a watcher thread.
     */
    public ProxyServer(Vertx vertx) {
        this(vertx, OpenFiles.clientConnectionBudget(), OpenFiles.descriptorLimit());
        if (descriptorBudget != Integer.MAX_VALUE && OpenFiles.openNow() >= 0) {
            descriptorWatch = Thread.ofPlatform().name("descriptor-watch").daemon(true).start(this::watchDescriptors);
        }
    }

    /** Once a second: the descriptors that are neither client nor server connections of this proxy. */
    private void watchDescriptors() {
        while (!Thread.currentThread().isInterrupted()) {
            int before = clientConnections.get() + serverConnections.get();
            int open = OpenFiles.openNow();
            int after = clientConnections.get() + serverConnections.get();
            if (open >= 0) {
                otherDescriptors = Math.max(0, open - Math.max(before, after));
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * @param maxClientConnections client connections held at once over all frontends; beyond, a new connection
     *     gets 503 and is closed (the default is the open-file limit less a reserve, see {@link OpenFiles})
     */
    public ProxyServer(Vertx vertx, int maxClientConnections) {
        this(vertx, maxClientConnections, OpenFiles.clientConnectionBudget());
    }

    /**
     * @param maxClientConnections client connections held at once over all frontends
     * @param descriptorBudget     client and server connections held at once: a new client connection that would
     *     take the two together beyond it also gets 503 and is closed, so that server connections (each request needs
     *     one) never find the open-file limit reached (the default is the limit less a reserve, see {@link OpenFiles})
     */
    public ProxyServer(Vertx vertx, int maxClientConnections, int descriptorBudget) {
        if (maxClientConnections < 1) {
            throw new IllegalArgumentException("maxClientConnections: " + maxClientConnections + " (expected: >= 1)");
        }
        if (descriptorBudget < 1) {
            throw new IllegalArgumentException("descriptorBudget: " + descriptorBudget + " (expected: >= 1)");
        }
        this.maxClientConnections = maxClientConnections;
        this.descriptorBudget = descriptorBudget;
        this.vertx = (VertxInternal) vertx;
        this.acceptors = this.vertx.acceptorEventLoopGroup();
        this.workers = this.vertx.nettyEventLoopGroup();
        this.serverChannels = this.vertx.transport().serverChannelFactory(false);
        this.clientChannels = this.vertx.transport().channelFactory(false);
        int n = 0;
        for (var ignored : workers) {
            n++;
        }
        this.loops = n;
        this.rateLimits = new RateLimits(vertx);
    }

    /**
     * How to open the shared store of rate-limit rules with {@code store: redis}, from the config's {@code redis}
     * section (the composition root passes {@code RedisRateLimitStore::start}). Called again when a reload changes
     * the section. Without it, such rules make {@link #apply} fail.
     */
    public ProxyServer redisRateLimitStore(Function<RedisConfig, RateLimitStore> opener) {
        rateLimits.redisOpener(opener);
        return this;
    }

    /**
     * Takes a client-connection slot from the process-wide budgets (client connections; client and server connections
     * and the other descriptors together against the open-file limit less a margin); false when none is left.
     */
    boolean admit() {
        int clients = clientConnections.incrementAndGet();
        if (clients > maxClientConnections || clients + serverConnections.get() + otherDescriptors > descriptorBudget) {
            clientConnections.decrementAndGet();
            return false;
        }
        return true;
    }

    void release() {
        clientConnections.decrementAndGet();
    }

    /** The most client connections held at once (see {@link OpenFiles}). */
    public int maxClientConnections() {
        return maxClientConnections;
    }

    /** The transport in use, e.g. "epoll" or "nio", for the start-up banner. */
    public String transportName() {
        String n = serverChannels.toString();
        return n.contains("Epoll") ? "epoll" : n.contains("IoUring") ? "io_uring" : "nio";
    }

    public int eventLoops() {
        return loops;
    }

    /** The event loops that carry the traffic, for the event-loop delay monitor. */
    public List<java.util.concurrent.ScheduledExecutorService> eventLoopExecutors() {
        List<java.util.concurrent.ScheduledExecutorService> out = new ArrayList<>();
        for (var e : workers) {
            out.add((EventLoop) e);
        }
        return out;
    }

    LoopContext loopContext(EventLoop loop) {
        LoopContext c = loopContexts.get();
        if (c == null) {
            c = new LoopContext(loop, loopIndex.getAndIncrement() % loops, clientChannels, serverConnections);
            loopContexts.set(c);
            allLoopContexts.add(c);
        }
        return c;
    }

    /**
     * Applies {@code next}: the first call starts the proxy, later ones reload it.
     *
     * @return completes when every listener is bound, the new snapshots serve traffic and the listeners let go of are
     *     closed; fails (and nothing changed) when a listener can't be bound
     */
    public synchronized CompletableFuture<Void> apply(Config next) {
        // Weight changes touch live servers, so they wait for the swap: a reload that fails to bind changes nothing.
        List<Runnable> weightChanges = new ArrayList<>();
        RateLimits.Plan limits;
        try {
            limits = rateLimits.plan(next);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Map<String, BackendRuntime> newBackends = buildBackends(next, weightChanges, limits.rules());
        List<FrontendConfig> toBind = new ArrayList<>();
        for (FrontendConfig f : next.frontends()) {
            FrontendSlot s = slots.get(f.name());
            if (s == null || !sameBind(s, f)) {
                toBind.add(f);
            }
        }
        Map<String, Channel> bound = new LinkedHashMap<>();
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (FrontendConfig f : toBind) {
            all = all.thenCompose(v -> bind(f).thenAccept(ch -> bound.put(f.name(), ch)));
        }
        return all.handle((v, err) -> {
            if (err != null) {
                bound.values().forEach(Channel::close);
                synchronized (this) {
                    rateLimits.abort(limits);
                }
                throw new IllegalStateException(err.getCause() != null ? err.getCause().getMessage() : err.getMessage(), err);
            }
            List<ChannelFuture> closing;
            synchronized (this) {
                weightChanges.forEach(Runnable::run);
                closing = swap(next, newBackends, bound, limits.rules());
                rateLimits.commit(limits);
            }
            return closing;
        }).thenCompose(ProxyServer::allDone);
    }

    /**
     * Completes when every listener the swap let go of is closed, so that once a reload has answered, a removed or moved
     * frontend's old port refuses connections (and may be bound by something else).
     */
    private static CompletableFuture<Void> allDone(List<ChannelFuture> closing) {
        CompletableFuture<?>[] each = new CompletableFuture<?>[closing.size()];
        for (int i = 0; i < each.length; i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            closing.get(i).addListener(f -> done.complete(null)); // a close that failed leaves nothing to wait for
            each[i] = done;
        }
        return CompletableFuture.allOf(each);
    }

    /** Puts {@code next} in place; returns the closing of the listeners it let go of. */
    private List<ChannelFuture> swap(Config next, Map<String, BackendRuntime> newBackends, Map<String, Channel> bound,
                                     Map<String, RateLimitRule> rules) {
        List<ChannelFuture> closing = new ArrayList<>();
        this.backends = Collections.unmodifiableMap(newBackends);
        List<String> keep = new ArrayList<>();
        for (FrontendConfig f : next.frontends()) {
            keep.add(f.name());
            FrontendSlot s = slots.computeIfAbsent(f.name(), n -> new FrontendSlot(n, meters.frontend(n)));
            s.current = new FrontendRuntime(f, newBackends, rules);
            Channel ch = bound.get(f.name());
            if (ch != null) {
                Channel old = s.listener;
                s.listener = ch;
                if (old != null) {
                    closing.add(old.close());
                }
            }
        }
        for (var it = slots.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!keep.contains(e.getKey())) {
                Channel l = e.getValue().listener;
                if (l != null) {
                    closing.add(l.close()); // accepted connections live on and finish on their last snapshot
                }
                it.remove();
            }
        }
        this.config = next;
        return closing;
    }

    private static boolean sameBind(FrontendSlot s, FrontendConfig f) {
        FrontendRuntime cur = s.current;
        return cur != null && cur.config.bind().equals(f.bind()) && s.listener != null && s.listener.isActive();
    }

    private CompletableFuture<Channel> bind(FrontendConfig f) {
        CompletableFuture<Channel> result = new CompletableFuture<>();
        // The slot is resolved when the connection arrives (by name), so a rebind for a renamed bind reuses it.
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptors, workers)
                .channelFactory(serverChannels)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, true)
                .handler(new AcceptErrors(f.name()))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        FrontendSlot slot = slots.get(f.name());
                        if (slot == null || slot.current == null) {
                            ch.close();
                            return;
                        }
                        ch.pipeline().addLast(new FrontendConnection(slot, ProxyServer.this, ch));
                    }
                });
        ChannelFuture cf = b.bind(f.bind().host(), f.bind().port());
        cf.addListener(fut -> {
            if (fut.isSuccess()) {
                result.complete(cf.channel());
            } else {
                result.completeExceptionally(new IllegalStateException("frontend '" + f.name() + "' (config line "
                        + f.line() + "): cannot listen on " + f.bind() + ": " + fut.cause().getMessage()
                        + "; free the port or change bind", fut.cause()));
            }
        });
        return result;
    }

    private Map<String, BackendRuntime> buildBackends(Config next, List<Runnable> weightChanges,
                                                      Map<String, RateLimitRule> rules) {
        Map<String, BackendRuntime> old = backends;
        Map<String, BackendRuntime> out = new LinkedHashMap<>();
        for (BackendConfig bc : next.backends()) {
            BackendRuntime prev = old.get(bc.name());
            ServerSet set;
            if (prev != null && sameServers(prev.config(), bc)) {
                set = prev.servers();
                for (BackendConfig.ServerConfig sc : bc.servers()) {
                    Server s = set.server(sc.name()).orElseThrow();
                    BackendConfig.ServerConfig before = prev.config().servers().stream()
                            .filter(x -> x.name().equals(sc.name())).findFirst().orElseThrow();
                    if (before.weight() != sc.weight()) {
                        // the config changed the weight: it wins over a runtime change
                        weightChanges.add(() -> s.setWeight(sc.weight()));
                    }
                }
            } else {
                List<Server> servers = new ArrayList<>();
                for (BackendConfig.ServerConfig sc : bc.servers()) {
                    Server s = Server.create(bc.name(), sc.name(), sc.address().host(), sc.address().port(),
                            sc.weight(), sc.maxconn(), sc.backup());
                    if (prev != null) {
                        prev.servers().server(sc.name()).ifPresent(o -> {
                            s.setHealthy(o.healthy());
                            if (o.adminState() != AdminState.READY) {
                                s.setAdminState(o.adminState());
                            }
                        });
                    }
                    servers.add(s);
                }
                set = ServerSet.of(bc.name(), servers);
            }
            out.put(bc.name(), new BackendRuntime(bc, set, loops, meters, rules));
        }
        return out;
    }

    /** Same servers in the same order with the same address, maxconn and backup flag (weights may differ). */
    private static boolean sameServers(BackendConfig a, BackendConfig b) {
        if (a.servers().size() != b.servers().size()) {
            return false;
        }
        for (int i = 0; i < a.servers().size(); i++) {
            BackendConfig.ServerConfig x = a.servers().get(i);
            BackendConfig.ServerConfig y = b.servers().get(i);
            if (!x.name().equals(y.name()) || !x.address().equals(y.address()) || x.maxconn() != y.maxconn()
                    || x.backup() != y.backup()) {
                return false;
            }
        }
        return true;
    }

    /** The backends currently serving, by name, in config order. */
    public Map<String, BackendRuntime> backends() {
        return backends;
    }

    public Config config() {
        return config;
    }

    /** A frontend's live view for the admin API. */
    public record FrontendView(String name, FrontendConfig config, InetSocketAddress bound, int liveConnections,
                               Counters counters) {
    }

    public List<FrontendView> frontends() {
        List<FrontendView> out = new ArrayList<>();
        Config c = config;
        if (c == null) {
            return out;
        }
        for (FrontendConfig f : c.frontends()) {
            FrontendSlot s = slots.get(f.name());
            if (s != null) {
                out.add(new FrontendView(f.name(), s.current.config, s.boundAddress(), s.live.get(), s.counters));
            }
        }
        return out;
    }

    @Override
    public List<TrafficSource.FrontendTraffic> frontendTraffic() {
        List<TrafficSource.FrontendTraffic> out = new ArrayList<>();
        Config c = config;
        if (c != null) {
            for (FrontendConfig f : c.frontends()) {
                FrontendSlot s = slots.get(f.name());
                if (s != null) {
                    out.add(new TrafficSource.FrontendTraffic(f.name(), s.live.get(), s.counters, s.meters.requestLatency()));
                }
            }
        }
        return out;
    }

    @Override
    public List<TrafficSource.BackendTraffic> backendTraffic() {
        List<TrafficSource.BackendTraffic> out = new ArrayList<>();
        for (BackendRuntime b : backends.values()) {
            List<TrafficSource.ServerTraffic> servers = new ArrayList<>();
            for (Server s : b.servers().servers()) {
                servers.add(new TrafficSource.ServerTraffic(s.name(), status(s), s.weight(), s.active(), b.counters(s)));
            }
            out.add(new TrafficSource.BackendTraffic(b.name(), b.counters(), b.meters.totalLatency(),
                    b.meters.upstreamLatency(), b.queueLength(), servers));
        }
        return out;
    }

    private static String status(Server s) {
        return switch (s.adminState()) {
            case MAINT -> "MAINT";
            case DRAIN -> "DRAIN";
            case READY -> s.healthy() ? "UP" : "DOWN";
        };
    }

    /** The port a frontend actually listens on (useful with port 0). */
    public int boundPort(String frontend) {
        FrontendSlot s = Objects.requireNonNull(slots.get(frontend), () -> "no frontend " + frontend);
        return s.boundAddress().getPort();
    }

    /**
     * Stops accepting and closes the idle pooled server connections; connections in progress are closed when Vert.x
     * closes its event loops.
     */
    @Override
    public synchronized void close() {
        if (descriptorWatch != null) {
            descriptorWatch.interrupt();
        }
        for (LoopContext c : allLoopContexts) {
            c.loop.execute(c::shutdown);
        }
        for (FrontendSlot s : slots.values()) {
            Channel l = s.listener;
            if (l != null) {
                l.close().syncUninterruptibly();
            }
        }
        slots.clear();
        rateLimits.close();
    }
}
