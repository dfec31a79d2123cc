package org.fossinfra.proxy;

import io.netty.channel.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one client connection: which one applies in each {@link ExchangeState}, when it runs out, and what
 * happens then (HAProxy's {@code timeout http-request}, {@code keep-alive}, {@code client}, {@code server},
 * {@code queue}, {@code tunnel}). One timer per connection, re-armed only when the deadline moves earlier: activity
 * only moves the stored times, and a timer that fires early re-arms itself for the new deadline.
 *
 * <p>While one side is held back because the other isn't taking its bytes, the slow side's timeout runs.
 */
final class ExchangeTimeouts {
    private final FrontendConnection owner;
    private final Channel ch;
    /** When the current state began (System.nanoTime()); for IDLE before the first request, the accept. */
    long stateSince;
    long lastClientIo;
    long lastServerIo;
    private ScheduledFuture<?> timer;
    private long timerAt;
    /** The one timer task of this connection, so that arming allocates no lambda. */
    private final Runnable fire = this::fire;

    ExchangeTimeouts(FrontendConnection owner, Channel ch) {
        this.owner = owner;
        this.ch = ch;
    }

    /** When the current state's timeout runs out; MAX_VALUE when none runs. */
    private long deadline() {
        FrontendConnection o = owner;
        return switch (o.state) {
            case IDLE -> stateSince + (o.firstRequest ? o.fe.httpRequestNanos : o.fe.keepAliveNanos);
            case HEAD -> stateSince + o.fe.httpRequestNanos;
            case LIMIT -> o.limits.deadline(stateSince);
            case DISPATCH -> o.assignment.queued() ? stateSince + o.be.queueTimeoutNanos : Long.MAX_VALUE;
            case BODY -> serverHoldsBack() ? lastServerIo + o.be.serverTimeoutNanos
                    : lastClientIo + o.fe.clientNanos;
            case WAIT -> ch.isWritable() ? lastServerIo + o.be.serverTimeoutNanos
                    : lastClientIo + o.fe.clientNanos;
            case TUNNEL -> Math.max(lastClientIo, lastServerIo) + o.be.tunnelTimeoutNanos;
            case CLOSED -> Long.MAX_VALUE;
        };
    }

    /** Whether the request body is held back because the server is not taking it. */
    private boolean serverHoldsBack() {
        BackendConnection c = owner.assignment.connection();
        return c != null && !c.channel().isWritable();
    }

    /** Makes sure a timer fires no later than the current deadline. */
    void arm() {
        long d = deadline();
        if (d == Long.MAX_VALUE || (timer != null && timerAt <= d)) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = d;
        timer = ch.eventLoop().schedule(fire, Math.max(0, d - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fire() {
        timer = null;
        long d = deadline();
        if (d == Long.MAX_VALUE) {
            return;
        }
        if (System.nanoTime() - d < 0) {
            arm(); // activity moved the deadline on
            return;
        }
        FrontendConnection o = owner;
        switch (o.state) {
            case IDLE -> o.closeQuietly();
            case HEAD -> o.fail(408, "request head not received within timeout http-request");
            case LIMIT -> o.limits.onTimeout();
            case DISPATCH -> o.fail(503, "no server slot freed within timeout queue");
            case BODY -> {
                if (serverHoldsBack()) {
                    o.fail(504, "server stopped reading the request body for longer than timeout server");
                } else {
                    o.fail(408, "request body stalled beyond timeout client");
                }
            }
            case WAIT -> {
                if (o.response.started()) {
                    o.abort("response stalled beyond timeout server/client");
                } else {
                    o.fail(504, "no response from the server within timeout server");
                }
            }
            case TUNNEL -> o.closeTunnel();
            case CLOSED -> {
            }
        }
    }
}
