package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.fossinfra.balance.Server;

/**
 * The client side of an exchange as its server connection sees it: the response's head, body, interim responses and
 * tunnel bytes go through here to the client, counted once; the exchange's turns (complete, failed, server closed,
 * tunnel) go on to the {@link FrontendConnection}, which decides what follows. HAProxy's response analysers
 * ({@code http_wait_for_response}, {@code http_response_forward_body}) for one stream.
 *
 * <p>Back-pressure: when the client is not taking bytes, the server connection stops reading until it does
 * ({@link FrontendConnection#channelWritabilityChanged}), and the client's timeout runs meanwhile.
 */
final class ResponseRelay {
    private final FrontendConnection owner;
    private final Channel ch;
    private final FrontendSlot slot;
    // The request being answered.
    private boolean headRequest;
    private boolean http10;
    private boolean upgrade;
    private boolean started;

    ResponseRelay(FrontendConnection owner, Channel ch, FrontendSlot slot) {
        this.owner = owner;
        this.ch = ch;
        this.slot = slot;
    }

    /** A new request is on its way: what its response may look like depends on it. */
    void begin(RequestHead req) {
        headRequest = req.head;
        http10 = req.version == RequestHead.HTTP_1_0;
        upgrade = req.webSocketUpgrade();
        started = false;
    }

    /** Whether a response head went to the client (after that, a failure can only cut the connection). */
    boolean started() {
        return started;
    }

    boolean headRequest() {
        return headRequest;
    }

    boolean http10() {
        return http10;
    }

    boolean expectsUpgrade() {
        return upgrade;
    }

    // ---------------------------------------------------------------- bytes towards the client

    void serverActivity() {
        owner.timeouts.lastServerIo = System.nanoTime();
    }

    /** 1xx other than 101 (e.g. 100 Continue) go to the client as they come, except to HTTP/1.0 clients. */
    void onInformational(ResponseHead head, ByteBuf buf, int base) {
        if (!http10 && head.status != 101) {
            ch.write(HeadWriter.response(ch.alloc(), head, buf, base, null, false, false, false, false),
                    ch.voidPromise());
        }
    }

    void onResponseHead(ResponseHead head, ByteBuf buf, int base, boolean dechunk, boolean closeDelimited) {
        started = true;
        boolean tunnel = head.status == 101;
        if (closeDelimited || !owner.request.sent()) {
            // Close-delimited, or answered before the request body ended: no request can follow on this connection,
            // so the client is told (RFC 9112 §9.6) before it sends one.
            owner.closeAfterResponse = true;
        }
        BackendRuntime be = owner.be;
        Server server = owner.assignment.server();
        slot.counters.response(head.status);
        be.counters().response(head.status);
        be.counters(server).response(head.status);
        be.meters.upstreamLatency().record(owner.timeouts.lastServerIo - owner.request.sentAt()); // this read's time
        if (head.status >= 500) {
            server.recordError();
        }
        boolean closing = owner.closeAfterResponse;
        boolean keepAlive10 = http10 && !closing;
        ch.write(HeadWriter.response(ch.alloc(), head, buf, base, owner.fe.rewrite, dechunk, tunnel,
                closing && !tunnel, keepAlive10), ch.voidPromise());
    }

    void responseBody(ByteBuf data) {
        ch.write(data, ch.voidPromise());
        if (!ch.isWritable()) {
            owner.assignment.connection().setAutoRead(false);
            owner.timeouts.arm(); // the client's timeout runs now, and may end sooner
        }
    }

    void tunnelToClient(ByteBuf buf) {
        ch.write(buf, ch.voidPromise());
        if (!ch.isWritable()) {
            owner.assignment.connection().setAutoRead(false);
        }
    }

    void flushToClient() {
        ch.flush();
    }

    // ---------------------------------------------------------------- the exchange's turns, decided by the connection

    void onResponseComplete(BackendConnection c, boolean reusable) {
        owner.onResponseComplete(c, reusable);
    }

    void onResponseError(BackendConnection c, int status, String why) {
        owner.onResponseError(status, why);
    }

    void onServerClosed(BackendConnection c) {
        owner.onServerClosed(c);
    }

    void onServerWritable() {
        owner.onServerWritable();
    }

    void onTunnelEstablished(BackendConnection c) {
        owner.onTunnelEstablished(c);
    }

    void onTunnelClosed() {
        owner.onTunnelClosed();
    }
}
