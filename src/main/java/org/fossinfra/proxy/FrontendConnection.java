package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.fossinfra.balance.KeyHash;
import org.fossinfra.balance.Pick;
import org.fossinfra.balance.Server;
import org.fossinfra.ratelimit.Decision;
import org.fossinfra.ratelimit.Limiter;

/**
 * One client connection and the exchange in progress on it: read a request head, route it, take a server slot (or
 * queue for one), forward head and body over a pooled connection of this event loop, pass the response back, and
 * either wait for the next request or close.
 *
 * <p>One request at a time: while an exchange runs, further (pipelined) bytes stay buffered unread. The state says
 * what the connection waits for, and so which timeout applies:
 * <pre>
 *   IDLE     next request               keep-alive (or http-request for the first one): close quietly
 *   HEAD     rest of the head           http-request: 408
 *   LIMIT    a rate-limit store's answer  the store's timeout: its on-failure (let through, or 503)
 *   DISPATCH a slot or a connection     queue: 503 (connect has its own timeout, then retry)
 *   BODY     request body from client   client: 408 (server: 504 while the server isn't taking the body)
 *   WAIT     response from server       server: 504 before the response starts, abort after
 *                                       (client: abort while the client isn't taking the response)
 *   TUNNEL   either side (WebSocket)    tunnel: close both
 * </pre>
 *
 * <p>Rate limits, HAProxy's {@code http-request deny} on a stick-table rate: the frontend's rules are checked when
 * the head is in, before routing; the backend's after routing, before a server slot is taken. A rule over its limit
 * ends the exchange with 429 and {@code Retry-After}; nothing reaches a server. The in-process store answers at
 * once, and the exchange goes on within the same call; a Redis check leaves the connection in LIMIT until the answer
 * comes back on this event loop, or the store's timeout passes first. Each check carries a tag, so an answer that
 * comes after its timeout is recognised and ignored.
 *
 * <p>Hazard: every path out of an exchange must release the server slot exactly once and close or pool the server
 * connection exactly once; {@link #endExchange} is the one place that does both.
 */
final class FrontendConnection extends ChannelInboundHandlerAdapter implements BodyFramer.Sink {
    private static final int IDLE = 0;
    private static final int HEAD = 1;
    private static final int LIMIT = 2;
    private static final int DISPATCH = 3;
    private static final int BODY = 4;
    private static final int WAIT = 5;
    private static final int TUNNEL = 6;
    private static final int CLOSED = 7;

    /** Pipelined bytes kept while an exchange runs; past this the connection stops reading (and TCP pushes back). */
    private static final int MAX_BUFFERED_AHEAD = 64 * 1024;

    private final FrontendSlot slot;
    private final ProxyServer proxy;
    private Channel ch;
    private LoopContext loop;
    private FrontendRuntime fe;
    private RequestHead req;
    private final BodyFramer reqBody = new BodyFramer(400, "request");
    private ByteBuf in;
    private int state = IDLE;
    private boolean firstRequest = true;
    private String clientText = "-";
    private byte[] clientIp;
    private long clientKey;

    // Timing (System.nanoTime()).
    private long stateSince;
    private long requestStart;
    private long sentAt;
    private long lastClientIo;
    private long lastServerIo;
    private ScheduledFuture<?> timer;
    private long timerAt;

    // The exchange in progress.
    private BackendRuntime be;
    private Server server;
    private BackendConnection conn;
    private BackendConnection connecting;
    private ByteBuf outHead;
    private Server avoid;
    private int attempts;
    private boolean resetRetried;
    /** The next connection for this exchange is a new one: a pooled one just turned out dead. */
    private boolean newConnection;
    private boolean queued;
    private boolean headRequest;
    private boolean idempotent;
    private boolean hasBody;
    private boolean upgrade;
    private boolean http10;
    private boolean closeAfterResponse;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean flushServer;
    private boolean admitted;

    // Rate-limit checks of the request in progress: the rules of the frontend, then of the backend.
    private RateLimitRule[] limitRules;
    private int limitIndex;
    private RateLimitRule limitRule;
    private long limitTag;
    private boolean limitInCall;
    private boolean limitAnswered;
    private Decision limitDecision;
    /** The one listener for every check of this connection, so that a check allocates no lambda. */
    private final Limiter.Answer onLimit = this::onLimitDecision;

    FrontendConnection(FrontendSlot slot, ProxyServer proxy) {
        this.slot = slot;
        this.proxy = proxy;
    }

    // ---------------------------------------------------------------- client side events

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ch = ctx.channel();
        loop = proxy.loopContext(ch.eventLoop());
        slot.counters.connection();
        admitted = proxy.admit();
        if (!admitted) {
            // The process is near its open-file limit: answer at once and close, so that the excess is refused
            // cleanly instead of waiting in the kernel's accept queue, and descriptors stay free for servers.
            state = CLOSED;
            slot.live.incrementAndGet();
            ch.writeAndFlush(slot.current.errors.get(503)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        int maxconn = slot.current.config.maxconn();
        if (slot.live.incrementAndGet() > maxconn && maxconn > 0) {
            state = CLOSED;
            ch.close();
            return;
        }
        if (ch.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
            byte[] raw = a.getAddress().getAddress();
            clientKey = KeyHash.ofAddress(raw);
            clientText = a.getAddress().getHostAddress();
            clientIp = clientText.getBytes(StandardCharsets.ISO_8859_1);
        }
        stateSince = lastClientIo = System.nanoTime();
        fe = slot.current;
        ensureTimer();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        lastClientIo = System.nanoTime();
        switch (state) {
            case TUNNEL -> {
                conn.channel().write(buf, conn.channel().voidPromise());
                flushServer = true;
                if (!conn.channel().isWritable()) {
                    setAutoRead(false);
                }
            }
            case BODY -> {
                if (in == null) {
                    feedRequestBody(buf);
                    if (buf.isReadable()) {
                        in = buf;
                    } else {
                        buf.release();
                    }
                } else {
                    cumulate(buf);
                    feedRequestBody(in);
                    releaseInIfEmpty();
                }
            }
            case IDLE, HEAD -> {
                cumulate(buf);
                processInput();
            }
            case CLOSED -> buf.release();
            default -> {
                cumulate(buf);
                if (in.readableBytes() > MAX_BUFFERED_AHEAD) {
                    setAutoRead(false);
                }
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushServer) {
            flushServer = false;
            BackendConnection c = conn;
            if (c != null) {
                c.channel().flush();
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ch.isWritable()) {
            // The client took bytes; the server, held back meanwhile, gets its full timeout again from now.
            lastClientIo = lastServerIo = System.nanoTime();
            BackendConnection c = conn;
            if (c != null) {
                c.setAutoRead(true);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        boolean midExchange = state == LIMIT || state == DISPATCH || state == BODY || state == WAIT;
        if (midExchange && !responseStarted) {
            countFailure(0, "client closed the connection before the response");
        }
        state = CLOSED;
        endExchange(false);
        if (in != null) {
            in.release();
            in = null;
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
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

    // ---------------------------------------------------------------- request head

    private void processInput() {
        if (in == null || !in.isReadable()) {
            releaseInIfEmpty();
            return;
        }
        if (state == IDLE) {
            state = HEAD;
            if (!firstRequest) {
                // The first request's clock started at accept: timeout http-request covers the whole wait for it.
                stateSince = System.nanoTime();
            }
            fe = slot.current;
            be = null;
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
            refuse(e.status, e.getMessage());
            return;
        }
        if (r == HeadParser.DONE) {
            onRequestHead();
        } else {
            ensureTimer();
        }
    }

    private void onRequestHead() {
        slot.counters.request();
        be = null;
        headRequest = req.head;
        idempotent = req.idempotent;
        upgrade = req.webSocketUpgrade();
        http10 = req.version == RequestHead.HTTP_1_0;
        closeAfterResponse = !req.keepAlive();
        long bodyLength = req.bodyLength();
        boolean chunked = req.chunked;
        hasBody = chunked || bodyLength > 0;
        requestStart = System.nanoTime();
        if (fe.rateLimits.length > 0) {
            checkLimits(fe.rateLimits);
        } else {
            route();
        }
    }

    /** Frontend rules passed: choose the backend, then check its rules. The head is still unread in {@code in}. */
    private void route() {
        be = fe.router.route(req, in, in.readerIndex());
        if (be == null) {
            in.skipBytes(req.headLength());
            refuse(503, "no backend matches the request and the frontend has no default");
            return;
        }
        be.counters().request();
        if (be.rateLimits.length > 0) {
            checkLimits(be.rateLimits);
        } else {
            forward();
        }
    }

    /** Every rule passed: write the head for the server, and take a slot. */
    private void forward() {
        int base = in.readerIndex();
        long bodyLength = req.bodyLength();
        boolean chunked = req.chunked;
        outHead = HeadWriter.request(ch.alloc(), req, in, base, fe.config.forwardedFor() ? clientIp : null,
                fe.config.forwardedProto());
        in.skipBytes(req.headLength());
        if (chunked) {
            reqBody.chunked(false);
            if (in.isReadable()) {
                // Validate the chunked framing already here before any byte goes to a server: a smuggling attempt
                // sent in one packet is refused without a server ever seeing it.
                try {
                    BodyFramer probe = new BodyFramer(400, "request");
                    probe.chunked(false);
                    probe.feed(in.duplicate(), ByteBuf::release);
                } catch (HttpError e) {
                    refuse(e.status, e.getMessage());
                    return;
                }
            }
        } else {
            reqBody.length(bodyLength);
        }
        releaseInIfEmpty();
        attempts = 0;
        resetRetried = false;
        newConnection = false;
        avoid = null;
        responseStarted = false;
        requestSent = false;
        state = DISPATCH;
        stateSince = System.nanoTime();
        // Reading stays on: what arrives meanwhile (body, pipelined requests) is buffered up to MAX_BUFFERED_AHEAD.
        // Turning it off and on for every request would cost two epoll_ctl calls a request. It also means a client
        // that goes away is noticed at once (a FIN closes the connection: HAProxy's abortonclose), so a queued or
        // slow request stops holding a server slot for nobody.
        dispatch(false);
    }

    // ---------------------------------------------------------------- rate limits

    /** Checks {@code rules} in order; the exchange goes on when all let the request through. */
    private void checkLimits(RateLimitRule[] rules) {
        state = LIMIT;
        limitRules = rules;
        limitIndex = 0;
        nextLimit();
    }

    /** Asks the next rule; in-process answers are taken in this loop, a remote one ends it until it comes. */
    private void nextLimit() {
        RateLimitRule[] rules = limitRules;
        while (limitIndex < rules.length) {
            RateLimitRule rule = rules[limitIndex++];
            limitRule = rule;
            limitAnswered = false;
            limitInCall = true;
            rule.limiter.acquire(rule.key(req, in, in.readerIndex(), clientText), ++limitTag, onLimit);
            limitInCall = false;
            if (!limitAnswered) {
                stateSince = System.nanoTime(); // the rule's timeout runs from now
                ensureTimer();
                return;
            }
            Decision d = limitDecision;
            limitDecision = null;
            if (!admit(rule, d)) {
                return;
            }
        }
        limitRules = null;
        if (be == null) {
            route();
        } else {
            forward();
        }
    }

    /** A store's answer: on this loop at once (in-process), or later from the store's I/O. */
    private void onLimitDecision(long tag, Decision d) {
        if (!loop.loop.inEventLoop()) {
            loop.loop.execute(() -> onLimitDecision(tag, d));
            return;
        }
        if (state != LIMIT || tag != limitTag || limitAnswered) {
            return; // too late: the timeout decided, or the client went away
        }
        limitAnswered = true;
        if (limitInCall) {
            limitDecision = d; // nextLimit takes it when acquire returns
            return;
        }
        if (admit(limitRule, d)) {
            nextLimit();
        }
    }

    /** Whether the request may go on after {@code rule} answered {@code d}; if not, the exchange is ended. */
    private boolean admit(RateLimitRule rule, Decision d) {
        return switch (d) {
            case Decision.Allowed a -> true;
            case Decision.Denied denied -> {
                deny(denied.retryAfterSeconds());
                yield false;
            }
            case Decision.Unavailable u -> storeUnavailable(rule, u.reason());
        };
    }

    /** The store did not answer (an error, or nothing within its timeout): the rule's on-failure decides. */
    private boolean storeUnavailable(RateLimitRule rule, String why) {
        if (rule.failOpen) {
            return true;
        }
        in.skipBytes(req.headLength());
        fail(503, "rate-limit rule '" + rule.name() + "' could not be checked (" + why + ") and on-failure is closed");
        return false;
    }

    /**
     * 429 with {@code Retry-After}, and close, as HAProxy's {@code http-request deny} does. A refusal by policy, not a
     * failure: it counts as a 4xx response, and makes no log line (a client over its limit could flood the log).
     */
    private void deny(long retryAfterSeconds) {
        in.skipBytes(req.headLength());
        endExchange(false);
        state = CLOSED;
        slot.counters.response(429);
        if (be != null) {
            be.counters().response(429);
            recordLatency();
        }
        if (ch.isActive()) {
            ch.writeAndFlush(fe.errors.tooManyRequests(ch.alloc(), retryAfterSeconds, req.head))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    // ---------------------------------------------------------------- choosing a server

    private void dispatch(boolean woken) {
        if (!woken && be.hasWaiters()) {
            enqueue();
            return;
        }
        Pick pick = be.balancer(loop).pick(clientKey, avoid);
        switch (pick) {
            case Pick.Chosen c -> {
                server = c.server();
                obtainConnection();
            }
            case Pick.AllBusy b -> {
                if (woken) {
                    be.requeueFirst(this);
                    queued = true;
                    stateSince = System.nanoTime();
                    ensureTimer();
                    if (be.anySlotFree()) {
                        be.onSlotFreed();
                    }
                } else {
                    enqueue();
                }
            }
            case Pick.NoneAvailable n -> fail(503, "no server available");
        }
    }

    private void enqueue() {
        if (!be.enqueue(this)) {
            fail(503, "queue full");
            return;
        }
        queued = true;
        stateSince = System.nanoTime();
        ensureTimer();
        // A slot may have freed between the pick and the enqueue: make sure somebody gets woken for it.
        if (be.anySlotFree()) {
            be.onSlotFreed();
        }
    }

    /** Called on any thread by the backend when a slot frees; continues on this connection's loop. */
    void wakeFromQueue(BackendRuntime from) {
        loop.loop.execute(() -> {
            if (state != DISPATCH || !queued || be != from) {
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

    private void onConnectFailed(Throwable cause) {
        Server failed = server;
        failed.recordError();
        releaseServer();
        attempts++;
        if (attempts > be.config().retries()) {
            fail(503, "cannot connect to " + failed.name() + ": " + shortCause(cause) + " (after "
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

    private void attach(BackendConnection c) {
        conn = c;
        c.attach(this);
        Channel sc = c.channel();
        sc.write(outHead.retainedDuplicate(), sc.voidPromise());
        lastServerIo = sentAt = System.nanoTime();
        if (hasBody) {
            state = BODY;
            if (in != null && in.isReadable()) {
                feedRequestBody(in);
                releaseInIfEmpty();
            }
            if (state == BODY) {
                setAutoRead(sc.isWritable());
            }
        } else {
            requestSent = true;
            state = WAIT;
        }
        sc.flush();
        ensureTimer();
    }

    // ---------------------------------------------------------------- request body

    private void feedRequestBody(ByteBuf src) {
        boolean done;
        try {
            done = reqBody.feed(src, this);
        } catch (HttpError e) {
            refuse(e.status, e.getMessage());
            return;
        }
        if (done && state == BODY) {
            requestSent = true;
            state = WAIT;
            lastServerIo = System.nanoTime();
            ensureTimer();
        }
    }

    @Override
    public void body(ByteBuf data) {
        Channel sc = conn.channel();
        sc.write(data, sc.voidPromise());
        flushServer = true;
        if (!sc.isWritable()) {
            setAutoRead(false);
            ensureTimer(); // the server's timeout runs now, and may end sooner
        }
    }

    void onServerWritable() {
        if (state == BODY || state == TUNNEL) {
            // The server took bytes; the client, held back meanwhile, gets its full timeout again from now.
            lastServerIo = lastClientIo = System.nanoTime();
            setAutoRead(true);
        }
    }

    // ---------------------------------------------------------------- response (called by BackendConnection)

    void serverActivity() {
        lastServerIo = System.nanoTime();
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

    void onInformational(ResponseHead head, ByteBuf buf, int base) {
        if (!http10 && head.status != 101) {
            ch.write(HeadWriter.response(ch.alloc(), head, buf, base, null, false, false, false, false),
                    ch.voidPromise());
        }
    }

    void onResponseHead(ResponseHead head, ByteBuf buf, int base, boolean dechunk, boolean closeDelimited) {
        responseStarted = true;
        boolean tunnel = head.status == 101;
        if (closeDelimited || !requestSent) {
            // Close-delimited, or answered before the request body ended: no request can follow on this connection,
            // so the client is told (RFC 9112 §9.6) before it sends one.
            closeAfterResponse = true;
        }
        slot.counters.response(head.status);
        be.counters().response(head.status);
        be.counters(server).response(head.status);
        be.meters.upstreamLatency().record(lastServerIo - sentAt); // lastServerIo: this read's time
        if (head.status >= 500) {
            server.recordError();
        }
        boolean keepAlive10 = http10 && !closeAfterResponse;
        ch.write(HeadWriter.response(ch.alloc(), head, buf, base, fe.rewrite, dechunk, tunnel,
                closeAfterResponse && !tunnel, keepAlive10), ch.voidPromise());
    }

    void responseBody(ByteBuf data) {
        ch.write(data, ch.voidPromise());
        if (!ch.isWritable()) {
            conn.setAutoRead(false);
            ensureTimer(); // the client's timeout runs now, and may end sooner
        }
    }

    void flushToClient() {
        ch.flush();
    }

    void onResponseComplete(BackendConnection c, boolean reusable) {
        boolean poolIt = reusable && requestSent && conn == c;
        recordLatency();
        endExchange(poolIt);
        ch.flush();
        if (closeAfterResponse || !requestSent) {
            state = CLOSED;
            ch.close();
            return;
        }
        state = IDLE;
        firstRequest = false;
        stateSince = System.nanoTime();
        setAutoRead(true);
        ensureTimer();
        if (in != null && in.isReadable()) {
            processInput(); // a pipelined request was waiting
        }
    }

    void onResponseError(BackendConnection c, int status, String why) {
        if (responseStarted) {
            abort(why);
        } else {
            fail(status, why);
        }
    }

    /**
     * The server closed before the response was complete. RFC 9110 §9.2.2: an idempotent request without a body may
     * be sent again when no byte of a response came back (docs/security.md, "Retries").
     * <ul>
     *   <li>On a pooled connection: the server closed it while it was idle, or is gone (killed, restarting) and its
     *   close was not read yet; several pooled connections can be dead at once. Retried on a new connection, which
     *   a live server accepts and a dead one refuses at once (then {@link #onConnectFailed} redispatches). Not an
     *   attempt counted against {@code retries}: the request reached no live server.
     *   <li>On a new connection: the server accepted the request and dropped it. Retried once, on another server
     *   with redispatch, never more: a request that makes servers drop it is not replayed to each of them.
     * </ul>
     */
    void onServerClosed(BackendConnection c, boolean midBody) {
        if (conn != c) {
            return;
        }
        boolean replayable = !responseStarted && !c.gotBytes() && idempotent && !hasBody;
        if (replayable && (c.reused() || !resetRetried)) {
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
            state = DISPATCH;
            dispatch(true);
            return;
        }
        if (responseStarted) {
            abort("server closed the connection in the middle of the response");
        } else {
            fail(502, c.gotBytes() ? "server closed the connection in the middle of the response head"
                    : "server closed the connection without responding");
        }
    }

    void onTunnelEstablished(BackendConnection c) {
        state = TUNNEL;
        ch.flush();
        if (in != null && in.isReadable()) {
            c.channel().writeAndFlush(in, c.channel().voidPromise());
            in = null;
        } else {
            releaseInIfEmpty();
        }
        setAutoRead(true);
        ensureTimer();
    }

    void tunnelToClient(ByteBuf buf) {
        ch.write(buf, ch.voidPromise());
        if (!ch.isWritable()) {
            conn.setAutoRead(false);
        }
    }

    void onTunnelClosed() {
        conn = null;
        state = CLOSED;
        releaseServer();
        ch.flush();
        ch.close();
    }

    // ---------------------------------------------------------------- endings

    /** Ends the exchange: releases the server slot and pools or closes the server connection. */
    private void endExchange(boolean poolConnection) {
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
        if (outHead != null) {
            outHead.release();
            outHead = null;
        }
    }

    private void releaseServer() {
        Server s = server;
        if (s != null) {
            server = null;
            s.release();
            be.onSlotFreed();
        }
    }

    /** A request refused at the edge (bad framing, no route): nothing went to a server. */
    private void refuse(int status, String why) {
        fail(status, why);
    }

    /** The exchange failed before a response started: answer {@code status} and close. */
    private void fail(int status, String why) {
        countFailure(status, why);
        endExchange(false);
        state = CLOSED;
        if (status > 0) {
            slot.counters.response(status);
            if (be != null) {
                be.counters().response(status);
                recordLatency();
            }
        }
        if (ch.isActive()) {
            boolean head = req != null && req.head; // the request being answered, once its line is parsed
            ByteBuf response = head ? fe.errors.head(status) : fe.errors.get(status);
            ch.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The time the client waited, from its request head to the end of the answer. */
    private void recordLatency() {
        long took = System.nanoTime() - requestStart;
        slot.meters.requestLatency().record(took);
        be.meters.totalLatency().record(took);
    }

    /** The exchange failed after the response started: all we can do is cut the connection. */
    private void abort(String why) {
        countFailure(0, why);
        endExchange(false);
        state = CLOSED;
        ch.flush();
        ch.close();
    }

    private void countFailure(int status, String why) {
        slot.counters.error();
        String beName = null;
        String srvName = null;
        if (be != null && state != IDLE && state != HEAD) {
            be.counters().error();
            beName = be.name();
            Server s = server;
            srvName = s == null ? null : s.name();
        }
        ProxyLog.failure(slot.name, beName, srvName, clientText, status, why);
    }

    // ---------------------------------------------------------------- timeouts

    private long deadline() {
        return switch (state) {
            case IDLE -> stateSince + (firstRequest ? fe.httpRequestNanos : fe.keepAliveNanos);
            case HEAD -> stateSince + fe.httpRequestNanos;
            case LIMIT -> limitAnswered || limitRule.timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE
                    : stateSince + limitRule.timeoutNanos;
            case DISPATCH -> queued ? stateSince + be.queueTimeoutNanos : Long.MAX_VALUE;
            // While one side is held back because the other isn't taking its bytes, the slow side's timeout runs.
            case BODY -> conn != null && !conn.channel().isWritable() ? lastServerIo + be.serverTimeoutNanos
                    : lastClientIo + fe.clientNanos;
            case WAIT -> ch.isWritable() ? lastServerIo + be.serverTimeoutNanos : lastClientIo + fe.clientNanos;
            case TUNNEL -> Math.max(lastClientIo, lastServerIo) + be.tunnelTimeoutNanos;
            default -> Long.MAX_VALUE;
        };
    }

    private void ensureTimer() {
        long d = deadline();
        if (d == Long.MAX_VALUE || (timer != null && timerAt <= d)) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = d;
        timer = ch.eventLoop().schedule(this::onTimer, Math.max(0, d - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        long d = deadline();
        if (d == Long.MAX_VALUE) {
            return;
        }
        if (System.nanoTime() - d < 0) {
            ensureTimer();
            return;
        }
        switch (state) {
            case IDLE -> {
                state = CLOSED;
                ch.close();
            }
            case HEAD -> fail(408, "request head not received within timeout http-request");
            case LIMIT -> {
                limitAnswered = true; // an answer arriving now is too late
                if (storeUnavailable(limitRule, "no answer within " + limitRule.timeoutNanos / 1_000_000 + " ms")) {
                    nextLimit();
                }
            }
            case DISPATCH -> fail(503, "no server slot freed within timeout queue");
            case BODY -> {
                if (conn != null && !conn.channel().isWritable()) {
                    fail(504, "server stopped reading the request body for longer than timeout server");
                } else {
                    fail(408, "request body stalled beyond timeout client");
                }
            }
            case WAIT -> {
                if (responseStarted) {
                    abort("response stalled beyond timeout server/client");
                } else {
                    fail(504, "no response from the server within timeout server");
                }
            }
            case TUNNEL -> {
                endExchange(false);
                state = CLOSED;
                ch.close();
            }
            default -> {
            }
        }
    }

    // ---------------------------------------------------------------- buffers

    private void cumulate(ByteBuf buf) {
        if (in == null) {
            in = buf;
        } else if (in.refCnt() == 1 && in.writableBytes() >= buf.readableBytes() && !in.isReadOnly()) {
            in.writeBytes(buf);
            buf.release();
        } else {
            ByteBuf merged = ch.alloc().directBuffer(in.readableBytes() + buf.readableBytes());
            merged.writeBytes(in).writeBytes(buf);
            in.release();
            buf.release();
            in = merged;
        }
    }

    private void releaseInIfEmpty() {
        if (in != null && !in.isReadable()) {
            in.release();
            in = null;
        }
    }

    private void setAutoRead(boolean on) {
        if (ch.config().isAutoRead() != on) {
            ch.config().setAutoRead(on);
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
