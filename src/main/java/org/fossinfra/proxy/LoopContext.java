package org.fossinfra.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.fossinfra.balance.Server;

/**
 * What one event loop owns: its idle connections to servers and a bootstrap bound to itself, so that a request
 * accepted on this loop is forwarded over a connection of this loop with no thread hop and no lock (Envoy's
 * per-worker pools; Netty's {@code b.group(inboundChannel.eventLoop())}).
 *
 * <p>Hazard: only the owning loop may touch this object.
 */
final class LoopContext {
    /** How often idle pooled connections are checked for expiry; the idle timeout is honoured within this. */
    private static final long SWEEP_MILLIS = 1000;

    final EventLoop loop;
    final int index;
    private final Bootstrap bootstrap;
    private final Map<Server, ArrayDeque<BackendConnection>> idle = new HashMap<>();
    private final java.util.concurrent.ScheduledFuture<?> sweeper;

    /** The proxy's count of open server connections (descriptors), shared by all loops. */
    final java.util.concurrent.atomic.AtomicInteger serverConnections;

    LoopContext(EventLoop loop, int index, ChannelFactory<? extends Channel> channelFactory,
                java.util.concurrent.atomic.AtomicInteger serverConnections) {
        this.loop = loop;
        this.serverConnections = serverConnections;
        this.index = index;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(channelFactory)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, true)
                .handler(new io.netty.channel.ChannelInboundHandlerAdapter());
        sweeper = loop.scheduleAtFixedRate(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A bootstrap for a new server connection on this loop. */
    Bootstrap bootstrap(int connectTimeoutMillis, BackendConnection handler) {
        return bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(handler);
    }

    /** An idle, open connection to {@code server}, most recently used first, or null. */
    BackendConnection pollIdle(Server server, long idleTimeoutNanos) {
        ArrayDeque<BackendConnection> q = idle.get(server);
        if (q == null) {
            return null;
        }
        long now = System.nanoTime();
        BackendConnection c;
        while ((c = q.pollFirst()) != null) {
            if (c.channel().isActive() && now - c.idleSince() < idleTimeoutNanos) {
                return c;
            }
            c.close();
        }
        return null;
    }

    /** Keeps {@code c} for reuse, or closes it when the pool for its server is full. */
    void offerIdle(BackendConnection c, int maxIdle) {
        ArrayDeque<BackendConnection> q = idle.computeIfAbsent(c.server(), s -> new ArrayDeque<>());
        if (q.size() >= maxIdle) {
            c.close();
            return;
        }
        q.addFirst(c);
    }

    void removeIdle(BackendConnection c) {
        ArrayDeque<BackendConnection> q = idle.get(c.server());
        if (q != null) {
            q.remove(c);
        }
    }

    /** Closes every idle connection to {@code server} (maintenance, removal). */
    void closeIdle(Server server) {
        ArrayDeque<BackendConnection> q = idle.remove(server);
        if (q != null) {
            q.forEach(BackendConnection::close);
        }
    }

    /** Stops the sweeper and closes every idle connection; runs on the loop. */
    void shutdown() {
        sweeper.cancel(false);
        idle.values().forEach(q -> q.forEach(BackendConnection::close));
        idle.clear();
    }

    int idleCount() {
        int n = 0;
        for (ArrayDeque<BackendConnection> q : idle.values()) {
            n += q.size();
        }
        return n;
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<Server, ArrayDeque<BackendConnection>>> it = idle.entrySet().iterator(); it.hasNext(); ) {
            ArrayDeque<BackendConnection> q = it.next().getValue();
            // Oldest at the tail: close from there while expired.
            BackendConnection c;
            while ((c = q.peekLast()) != null && (now - c.idleSince() >= c.idleTimeoutNanos() || !c.channel().isActive())) {
                q.pollLast();
                c.close();
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
    }
}
