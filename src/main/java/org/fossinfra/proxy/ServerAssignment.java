package org.fossinfra.proxy;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import org.fossinfra.balance.Pick;
import org.fossinfra.balance.Server;

/**
 * Which server an exchange goes to, and the connection it goes over: the pick, the backend's queue when every server is
 * at maxconn, connect retries and redispatch, the one retry of an idempotent request whose connection dropped before
 * any response byte, and handing slot and connection back at the end. HAProxy's backend.c and queue.c, for one stream.
 *
 * <p>Connections come from this event loop's pool, or are opened on this loop, so a request never hops threads.
 *
 * <p>Hazard: every path out of an exchange must release the server slot exactly once and close or pool the server
 * connection exactly once; {@link #end} is the one place that does both (and {@link #releaseServer} the one place that
 * gives a slot back).
 */
final class ServerAssignment {
    private final FrontendConnection owner;
    private final LoopContext loop;
    private BackendRuntime be;
    private Server server;
    private BackendConnection conn;
    private BackendConnection connecting;
    private Server avoid;
    private int attempts;
    private boolean resetRetried;
    /** The next connection for this exchange is a new one: a pooled one just turned out dead. */
    private boolean newConnection;
    private boolean queued;

    ServerAssignment(FrontendConnection owner, LoopContext loop) {
        this.owner = owner;
        this.loop = loop;
    }

    /** A new exchange for {@code backend}: no attempts made, no server to avoid. */
    void begin(BackendRuntime backend) {
        be = backend;
        attempts = 0;
        resetRetried = false;
        newConnection = false;
        avoid = null;
    }

    Server server() {
        return server;
    }

    /** The server connection of the exchange once attached, else null. */
    BackendConnection connection() {
        return conn;
    }

    boolean queued() {
        return queued;
    }

    // ---------------------------------------------------------------- choosing a server

    /** Picks a server and gets a connection to it, or queues; {@code woken}: called again after queueing. */
    void dispatch(boolean woken) {
        if (!woken && be.hasWaiters()) {
            enqueue(); // FIFO: nobody overtakes the requests already waiting
            return;
        }
        Pick pick = be.balancer(loop).pick(owner.client.hash(), avoid);
        switch (pick) {
            case Pick.Chosen c -> {
                server = c.server();
                obtainConnection();
            }
            case Pick.AllBusy b -> {
                if (woken) {
                    be.requeueFirst(this);
                    queued = true;
                    owner.waitingFromNow();
                    if (be.anySlotFree()) {
                        be.onSlotFreed();
                    }
                } else {
                    enqueue();
                }
            }
            case Pick.NoneAvailable n -> owner.fail(503, "no server available");
        }
    }

    private void enqueue() {
        if (!be.enqueue(this)) {
            owner.fail(503, "queue full");
            return;
        }
        queued = true;
        owner.waitingFromNow();
        // A slot may have freed between the pick and the enqueue: make sure somebody gets woken for it.
        if (be.anySlotFree()) {
            be.onSlotFreed();
        }
    }

    /** Called on any thread by the backend when a slot frees; continues on this connection's loop. */
    void wakeFromQueue(BackendRuntime from) {
        loop.loop.execute(() -> {
            if (owner.state != ExchangeState.DISPATCH || !queued || be != from) {
                from.onSlotFreed(); // stale wake-up: pass it on
                return;
            }
            queued = false;
            dispatch(true);
        });
    }

    private void obtainConnection() {
        BackendConnection c = newConnection ? null : loop.pollIdle(server, be.idleTimeoutNanos);
        newConnection = false;
        if (c != null) {
            attach(c);
            return;
        }
        BackendConnection fresh = new BackendConnection(server, loop, be.idleTimeoutNanos);
        connecting = fresh;
        ChannelFuture f = loop.bootstrap(be.connectTimeoutMillis, fresh).connect(be.address(server));
        f.addListener((ChannelFutureListener) fut -> {
            if (connecting != fresh) {
                fresh.close(); // the client went away meanwhile
                return;
            }
            connecting = null;
            if (fut.isSuccess()) {
                attach(fresh);
            } else {
                onConnectFailed(fut.cause());
            }
        });
    }

    private void attach(BackendConnection c) {
        conn = c;
        c.attach(owner.response);
        owner.onConnected(c);
    }

    /** HAProxy's {@code retries} and {@code option redispatch}: try again, elsewhere if allowed. */
    private void onConnectFailed(Throwable cause) {
        Server failed = server;
        failed.recordError();
        releaseServer();
        attempts++;
        if (attempts > be.config().retries()) {
            owner.fail(503, "cannot connect to " + failed.name() + ": " + shortCause(cause) + " (after "
                    + attempts + " attempts)");
            return;
        }
        be.counters().retry();
        if (be.config().redispatch()) {
            be.counters().redispatch();
            avoid = failed;
            dispatch(true);
        } else if (failed.eligible() && failed.tryAcquire()) {
            server = failed;
            obtainConnection();
        } else {
            dispatch(true);
        }
    }

    /**
     * Whether a request that got no response byte before {@code c} dropped may be sent again (the caller has checked
     * that it is idempotent and has no body: RFC 9110 §9.2.2, docs/security.md "Retries when a server is lost").
     * Always after a pooled connection (see {@link #retryAfterReset}); once after a new one.
     */
    boolean mayRetryAfterReset(BackendConnection c) {
        return c.reused() || !resetRetried;
    }

    /**
     * Gives up {@code c} and the slot, and picks again.
     * <ul>
     *   <li>{@code c} was pooled: the server closed it while it was idle, or is gone (killed, restarting) and its close
     *   was not read yet; several pooled connections can be dead at once. Retried on a new connection, which a live
     *   server accepts and a dead one refuses at once (then {@link #onConnectFailed} redispatches). Not an attempt
     *   counted against {@code retries}: the request reached no live server.
     *   <li>{@code c} was new: the server accepted the request and dropped it. Retried once, on another server with
     *   redispatch, never more: a request that makes servers drop it is not replayed to each of them.
     * </ul>
     */
    void retryAfterReset(BackendConnection c) {
        be.counters().retry();
        conn = null;
        Server same = server;
        releaseServer();
        if (c.reused()) {
            newConnection = true;
        } else {
            resetRetried = true;
            same.recordError();
            if (be.config().redispatch()) {
                avoid = same;
                be.counters().redispatch();
            }
        }
        dispatch(true);
    }

    // ---------------------------------------------------------------- endings

    /** Ends the exchange: leaves the queue, releases the server slot and pools or closes the server connection. */
    void end(boolean poolConnection) {
        if (queued) {
            be.dequeue(this);
            queued = false;
        }
        if (connecting != null) {
            BackendConnection c = connecting;
            connecting = null;
            c.close();
        }
        BackendConnection c = conn;
        conn = null;
        if (c != null) {
            if (poolConnection) {
                c.detach();
                loop.offerIdle(c, be.config().pool().maxIdlePerServer());
            } else {
                c.close();
            }
        }
        releaseServer();
    }

    /** A tunnel's server side closed: the connection is gone already, only the slot is left to give back. */
    void onTunnelClosed() {
        conn = null;
        releaseServer();
    }

    private void releaseServer() {
        Server s = server;
        if (s != null) {
            server = null;
            s.release();
            be.onSlotFreed();
        }
    }

    private static String shortCause(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
