package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.fossinfra.balance.Server;

/**
 * One client connection and the exchange in progress on it: HAProxy's stream and request analysis for one
 * connection. It reads a request head, has its rate limits checked, routes it, hands it to a server, and when the
 * response is done waits for the next request or closes. The parts with state of their own sit beside it, one job
 * each: {@link LimitChecks} (rate limits), {@link ServerAssignment} (pick, queue, retry, redispatch, the server
 * connection), {@link RequestRelay} and {@link ResponseRelay} (bytes each way), {@link ExchangeTimeouts} (which
 * timeout runs, and what happens when it does). They read this connection's package-private fields, all on its one
 * event loop.
 *
 * <p>One request at a time: while an exchange runs, further (pipelined) bytes are buffered, up to
 * {@link #MAX_BUFFERED_AHEAD}; the {@link ExchangeState} says what the connection waits for.
 *
 * <p>Hazard: every way out of an exchange goes through {@link #endExchange}, which hands the server slot and connection
 * back exactly once (through {@link ServerAssignment#end}).
 */
final class FrontendConnection extends ChannelInboundHandlerAdapter {
    /** Pipelined bytes kept while an exchange runs; past this the connection stops reading (and TCP pushes back). */
    private static final int MAX_BUFFERED_AHEAD = 64 * 1024;

    private final FrontendSlot slot;
    private final ProxyServer proxy;
    private final Channel ch;
    /** Who the client of the request in progress is: the peer, or whom a trusted proxy vouches for. */
    final ClientAddress client = new ClientAddress();
    /** The normal path of the request in progress, which rules route on. */
    private final RequestPath path = new RequestPath();
    private final ForwardedHeaders.Plan forwarding = new ForwardedHeaders.Plan();
    final LimitChecks limits;
    final ServerAssignment assignment;
    final RequestRelay request = new RequestRelay(this);
    final ResponseRelay response;
    final ExchangeTimeouts timeouts;
    private boolean admitted;
    private ByteBuf in;
    private RequestHead req;

    // The exchange in progress; the parts beside this class read these.
    ExchangeState state = ExchangeState.IDLE;
    boolean firstRequest = true;
    FrontendRuntime fe;
    BackendRuntime be;
    private long requestStart;
    private boolean idempotent;
    private boolean hasBody;
    boolean closeAfterResponse;

    /** Made when the client's channel is registered on its event loop, before it is active. */
    FrontendConnection(FrontendSlot slot, ProxyServer proxy, Channel ch) {
        this.slot = slot;
        this.proxy = proxy;
        this.ch = ch;
        LoopContext loop = proxy.loopContext(ch.eventLoop());
        limits = new LimitChecks(this, loop);
        assignment = new ServerAssignment(this, loop);
        response = new ResponseRelay(this, ch, slot);
        timeouts = new ExchangeTimeouts(this, ch);
        fe = slot.current;
    }

    // ---------------------------------------------------------------- client side events

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        slot.counters.connection();
        int live = slot.live.incrementAndGet();
        admitted = proxy.admit();
        if (!admitted) {
            // The process is near its open-file limit: answer at once and close, so that the excess is refused
            // cleanly instead of waiting in the kernel's accept queue, and descriptors stay free for servers.
            state = ExchangeState.CLOSED;
            ch.writeAndFlush(fe.errors.get(503)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        int maxconn = fe.config.maxconn();
        if (maxconn > 0 && live > maxconn) {
            state = ExchangeState.CLOSED;
            ch.close();
            return;
        }
        client.onConnect(ch.remoteAddress());
        timeouts.stateSince = timeouts.lastClientIo = System.nanoTime();
        timeouts.arm();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        if (state != ExchangeState.CLOSED) {
            timeouts.lastClientIo = System.nanoTime();
        }
        switch (state) {
            case IDLE, HEAD -> {
                in = Buffers.cumulate(ch.alloc(), in, buf);
                processInput();
            }
            case BODY -> {
                if (in == null) {
                    feedRequestBody(buf);
                    in = buf.isReadable() ? buf : Buffers.release(buf);
                } else {
                    in = Buffers.cumulate(ch.alloc(), in, buf);
                    feedRequestBody(in);
                    in = Buffers.releaseIfEmpty(in);
                }
            }
            case LIMIT, DISPATCH, WAIT -> {
                in = Buffers.cumulate(ch.alloc(), in, buf);
                if (in.readableBytes() > MAX_BUFFERED_AHEAD) {
                    setAutoRead(false);
                }
            }
            case TUNNEL -> {
                if (!request.tunnel(buf)) {
                    setAutoRead(false);
                }
            }
            case CLOSED -> buf.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        request.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ch.isWritable()) {
            // The client took bytes; the server, held back meanwhile, gets its full timeout again from now.
            timeouts.lastClientIo = timeouts.lastServerIo = System.nanoTime();
            BackendConnection c = assignment.connection();
            if (c != null) {
                c.setAutoRead(true);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state.midExchange() && !response.started()) {
            countFailure(0, "client closed the connection before the response");
        }
        state = ExchangeState.CLOSED;
        endExchange(false);
        timeouts.cancel();
        in = Buffers.release(in);
        slot.live.decrementAndGet();
        if (admitted) {
            proxy.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets from clients are ordinary; channelInactive follows and cleans up.
        ctx.close();
    }

    // ---------------------------------------------------------------- request head, limits, route

    private void processInput() {
        if (in == null || !in.isReadable()) {
            in = Buffers.releaseIfEmpty(in);
            return;
        }
        if (state == ExchangeState.IDLE) {
            state = ExchangeState.HEAD;
            if (!firstRequest) {
                // The first request's clock started at accept: timeout http-request covers the whole wait for it.
                timeouts.stateSince = System.nanoTime();
            }
            fe = slot.current;
            be = null;
            client.onNewHead();
            if (req == null || !req.sameLimits(fe.config.limits())) {
                req = new RequestHead(fe.config.limits());
            } else {
                req.reset();
            }
        }
        int r;
        try {
            r = req.parse(in);
        } catch (HttpError e) {
            fail(e.status, e.getMessage());
            return;
        }
        if (r == HeadParser.DONE) {
            onRequestHead();
        } else {
            timeouts.arm();
        }
    }

    private void onRequestHead() {
        slot.counters.request();
        idempotent = req.idempotent;
        hasBody = req.chunked || req.bodyLength() > 0;
        closeAfterResponse = !req.keepAlive();
        response.begin(req);
        requestStart = System.nanoTime();
        try {
            path.parse(req, in, in.readerIndex());
        } catch (HttpError e) {
            in.skipBytes(req.headLength());
            fail(e.status, e.getMessage());
            return;
        }
        client.onRequest(fe.forwarded.trustedProxies, req, in, in.readerIndex());
        checkLimitsOrGoOn(fe.rateLimits);
    }

    /** {@code rules} are checked first if there are any (state LIMIT); {@link #onLimitsPassed} when they pass. */
    private void checkLimitsOrGoOn(RateLimitRule[] rules) {
        if (rules.length == 0) {
            onLimitsPassed();
            return;
        }
        state = ExchangeState.LIMIT;
        limits.start(rules);
    }

    /** The key {@code rule} counts this request under; the head is still unread in {@code in}. */
    String limitKey(RateLimitRule rule) {
        return rule.key(req, in, in.readerIndex(), client.limitKey());
    }

    /** The rules of this stage let the request through: the frontend's lead to routing, the backend's onwards. */
    void onLimitsPassed() {
        if (be == null) {
            route();
        } else {
            forward();
        }
    }

    /** Frontend rules passed: choose the backend, then check its rules. */
    private void route() {
        be = fe.router.route(req, path, in, in.readerIndex());
        if (be == null) {
            in.skipBytes(req.headLength());
            fail(503, "no backend matches the request and the frontend has no default");
            return;
        }
        be.counters().request();
        checkLimitsOrGoOn(be.rateLimits);
    }

    /** Every rule passed: prepare the head for the server, and take a slot. */
    private void forward() {
        try {
            fe.forwarded.plan(forwarding, client, req);
            request.prepare(ch.alloc(), req, in, forwarding);
        } catch (HttpError e) {
            fail(e.status, e.getMessage());
            return;
        }
        in = Buffers.releaseIfEmpty(in);
        state = ExchangeState.DISPATCH;
        timeouts.stateSince = System.nanoTime();
        // Reading stays on: what arrives meanwhile (body, pipelined requests) is buffered up to MAX_BUFFERED_AHEAD.
        // Turning it off and on for every request would cost two epoll_ctl calls a request. It also means a client
        // that goes away is noticed at once (a FIN closes the connection: HAProxy's abortonclose), so a queued or
        // slow request stops holding a server slot for nobody.
        assignment.begin(be);
        assignment.dispatch(false);
    }

    /** A rule could not be checked and its on-failure is closed: 503, nothing reaches a server. */
    void failClosed(RateLimitRule rule, String why) {
        in.skipBytes(req.headLength());
        fail(503, "rate-limit rule '" + rule.name() + "' could not be checked (" + why + ") and on-failure is closed");
    }

    /**
     * 429 with {@code Retry-After}, and close, as HAProxy's {@code http-request deny} does. A refusal by policy, not a
     * failure: it counts as a 4xx response, and makes no log line (a client over its limit could flood the log).
     */
    void deny(long retryAfterSeconds) {
        in.skipBytes(req.headLength());
        answerAndClose(429, fe.errors.tooManyRequests(ch.alloc(), retryAfterSeconds, req.head));
    }

    // ---------------------------------------------------------------- towards the server

    /** The state's timeout runs from now (waiting for a rate-limit store, or in the backend's queue). */
    void waitingFromNow() {
        timeouts.stateSince = System.nanoTime();
        timeouts.arm();
    }

    /** A server connection is ours: send the head, then the body as it comes. */
    void onConnected(BackendConnection c) {
        Channel sc = c.channel();
        request.sendHead(sc);
        timeouts.lastServerIo = request.sentAt();
        if (hasBody) {
            state = ExchangeState.BODY;
            if (in != null && in.isReadable()) {
                feedRequestBody(in);
                in = Buffers.releaseIfEmpty(in);
            }
            if (state == ExchangeState.BODY) {
                setAutoRead(sc.isWritable());
            }
        } else {
            request.headOnly();
            state = ExchangeState.WAIT;
        }
        sc.flush();
        timeouts.arm();
    }

    private void feedRequestBody(ByteBuf src) {
        boolean done;
        try {
            done = request.feed(src);
        } catch (HttpError e) {
            fail(e.status, e.getMessage());
            return;
        }
        if (done && state == ExchangeState.BODY) {
            state = ExchangeState.WAIT;
            timeouts.lastServerIo = System.nanoTime();
            timeouts.arm();
        }
    }

    /** The server is not taking the request's bytes: stop reading the client until it does. */
    void holdClient() {
        setAutoRead(false);
        timeouts.arm(); // the server's timeout runs now, and may end sooner
    }

    void onServerWritable() {
        if (state == ExchangeState.BODY || state == ExchangeState.TUNNEL) {
            // The server took bytes; the client, held back meanwhile, gets its full timeout again from now.
            timeouts.lastServerIo = timeouts.lastClientIo = System.nanoTime();
            setAutoRead(true);
        }
    }

    // ---------------------------------------------------------------- the exchange's turns (through ResponseRelay)

    void onResponseComplete(BackendConnection c, boolean reusable) {
        boolean sent = request.sent();
        recordLatency();
        endExchange(reusable && sent && assignment.connection() == c);
        ch.flush();
        if (closeAfterResponse || !sent) {
            closeQuietly();
            return;
        }
        state = ExchangeState.IDLE;
        firstRequest = false;
        timeouts.stateSince = System.nanoTime();
        setAutoRead(true);
        timeouts.arm();
        if (in != null && in.isReadable()) {
            processInput(); // a pipelined request was waiting
        }
    }

    void onResponseError(int status, String why) {
        if (response.started()) {
            abort(why);
        } else {
            fail(status, why);
        }
    }

    /**
     * The server closed before the response was complete. An idempotent request without a body may be sent again when
     * no byte of a response came back ({@link ServerAssignment#retryAfterReset} says when).
     */
    void onServerClosed(BackendConnection c) {
        if (assignment.connection() != c) {
            return;
        }
        boolean started = response.started();
        if (!started && !c.gotBytes() && idempotent && !hasBody && assignment.mayRetryAfterReset(c)) {
            state = ExchangeState.DISPATCH;
            assignment.retryAfterReset(c);
        } else if (started) {
            abort("server closed the connection in the middle of the response");
        } else {
            fail(502, c.gotBytes() ? "server closed the connection in the middle of the response head"
                    : "server closed the connection without responding");
        }
    }

    void onTunnelEstablished(BackendConnection c) {
        state = ExchangeState.TUNNEL;
        ch.flush();
        if (in != null && in.isReadable()) {
            c.channel().writeAndFlush(in, c.channel().voidPromise());
            in = null;
        } else {
            in = Buffers.releaseIfEmpty(in);
        }
        setAutoRead(true);
        timeouts.arm();
    }

    void onTunnelClosed() {
        assignment.onTunnelClosed();
        state = ExchangeState.CLOSED;
        ch.flush();
        ch.close();
    }

    // ---------------------------------------------------------------- endings

    /** Ends the exchange: the server slot and connection go back, and the prepared head is released. */
    private void endExchange(boolean poolConnection) {
        assignment.end(poolConnection);
        request.release();
    }

    /** The exchange failed before a response started (or was refused at the edge): answer {@code status}, close. */
    void fail(int status, String why) {
        countFailure(status, why);
        boolean head = req != null && req.head; // the request being answered, once its line is parsed
        answerAndClose(status, head ? fe.errors.head(status) : fe.errors.get(status));
    }

    /** Ends the exchange with {@code answer} (a whole response for {@code status}), then closes. */
    private void answerAndClose(int status, ByteBuf answer) {
        endExchange(false);
        state = ExchangeState.CLOSED;
        slot.counters.response(status);
        if (be != null) {
            be.counters().response(status);
            recordLatency();
        }
        if (ch.isActive()) {
            ch.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        } else {
            answer.release();
        }
    }

    /** The exchange failed after the response started: all we can do is cut the connection. */
    void abort(String why) {
        countFailure(0, why);
        endExchange(false);
        ch.flush();
        closeQuietly();
    }

    /** Closes without an answer: keep-alive ran out, the response said close, or a tunnel ended. */
    void closeQuietly() {
        state = ExchangeState.CLOSED;
        ch.close();
    }

    /** A tunnel was idle beyond timeout tunnel: close both sides. */
    void closeTunnel() {
        endExchange(false);
        closeQuietly();
    }

    /** The time the client waited, from its request head to the end of the answer. */
    private void recordLatency() {
        long took = System.nanoTime() - requestStart;
        slot.meters.requestLatency().record(took);
        be.meters.totalLatency().record(took);
    }

    private void countFailure(int status, String why) {
        slot.counters.error();
        String beName = null;
        String srvName = null;
        if (be != null && state != ExchangeState.IDLE && state != ExchangeState.HEAD) {
            be.counters().error();
            beName = be.name();
            Server s = assignment.server();
            srvName = s == null ? null : s.name();
        }
        ProxyLog.failure(slot.name, beName, srvName, client.logText(), status, why);
    }

    private void setAutoRead(boolean on) {
        if (ch.config().isAutoRead() != on) {
            ch.config().setAutoRead(on);
        }
    }
}
