package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.fossinfra.balance.Server;

/**
 * One connection to a server: parses what the server sends and hands it to the {@link ResponseRelay} of the client
 * connection whose exchange it serves; between exchanges it idles in its loop's pool.
 *
 * <p>Hazard: bytes from a server nobody asked (an idle pooled connection receiving data) mean the connection is out
 * of step; it is closed, never reused.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter implements BodyFramer.Sink {
    private static final int IDLE = 0;
    private static final int HEAD = 1;
    private static final int BODY = 2;
    private static final int TUNNEL = 3;

    private final Server server;
    private final LoopContext loop;
    private final long idleTimeoutNanos;
    private Channel ch;
    private ResponseRelay owner;
    private ByteBuf in;
    private final ResponseHead head = new ResponseHead();
    private final BodyFramer body = new BodyFramer(502, "response");
    private int state = IDLE;
    private boolean gotBytes;
    private boolean junk;
    private long idleSince;
    private boolean reused;

    BackendConnection(Server server, LoopContext loop, long idleTimeoutNanos) {
        this.server = server;
        this.loop = loop;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    Server server() {
        return server;
    }

    Channel channel() {
        return ch;
    }

    long idleSince() {
        return idleSince;
    }

    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** Whether this connection served an earlier exchange (a stale pooled connection is the usual cause of a reset). */
    boolean reused() {
        return reused;
    }

    boolean gotBytes() {
        return gotBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ch = ctx.channel();
        loop.serverConnections.incrementAndGet(); // the socket (a descriptor) exists from registration on
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        loop.serverConnections.decrementAndGet(); // the channel was closed and deregistered, connected or not
    }

    void attach(ResponseRelay o) {
        owner = o;
        state = HEAD;
        gotBytes = false;
        junk = false;
        head.reset();
        if (!ch.config().isAutoRead()) {
            ch.config().setAutoRead(true);
        }
    }

    /** Back to the pool: no owner, reading on so that a close by the server is noticed at once. */
    void detach() {
        owner = null;
        state = IDLE;
        reused = true;
        idleSince = System.nanoTime();
        if (!ch.config().isAutoRead()) {
            ch.config().setAutoRead(true);
        }
    }

    void close() {
        owner = null;
        state = IDLE;
        if (ch != null) {
            ch.close();
        }
    }

    void setAutoRead(boolean on) {
        if (ch.config().isAutoRead() != on) {
            ch.config().setAutoRead(on);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        ResponseRelay o = owner;
        if (o == null) {
            buf.release();
            close();
            return;
        }
        gotBytes = true;
        o.serverActivity();
        if (state == TUNNEL) {
            o.tunnelToClient(buf);
            return;
        }
        if (state == BODY && in == null) {
            feedBody(o, buf);
            return;
        }
        in = Buffers.cumulate(ch.alloc(), in, buf);
        process(o);
    }

    private void process(ResponseRelay o) {
        while (state == HEAD) {
            int r;
            try {
                r = head.parse(in);
            } catch (HttpError e) {
                releaseIn();
                o.onResponseError(this, e.status, e.getMessage());
                return;
            }
            if (r == HeadParser.NEED_MORE) {
                return;
            }
            int base = in.readerIndex();
            if (head.informational()) {
                if (head.status == 101) {
                    if (!o.expectsUpgrade()) {
                        releaseIn();
                        o.onResponseError(this, 502, "server switched protocols without being asked");
                        return;
                    }
                    o.onResponseHead(head, in, base, false, false);
                    in.skipBytes(head.headLength());
                    state = TUNNEL;
                    ByteBuf rest = in;
                    in = null;
                    o.onTunnelEstablished(this);
                    if (rest.isReadable()) {
                        o.tunnelToClient(rest);
                    } else {
                        rest.release();
                    }
                    return;
                }
                o.onInformational(head, in, base);
                in.skipBytes(head.headLength());
                head.reset();
                continue;
            }
            boolean hasBody = head.hasBody(o.headRequest());
            boolean dechunk = hasBody && head.chunked && o.http10();
            boolean untilClose = hasBody && head.untilClose();
            if (!hasBody) {
                body.none();
            } else if (head.chunked) {
                body.chunked(dechunk);
            } else if (untilClose) {
                body.untilClose();
            } else {
                body.length(head.contentLength);
            }
            o.onResponseHead(head, in, base, dechunk, untilClose || dechunk);
            in.skipBytes(head.headLength());
            state = BODY;
        }
        if (state == BODY) {
            ByteBuf b = in;
            in = null;
            feedBody(o, b);
        }
    }

    private void feedBody(ResponseRelay o, ByteBuf buf) {
        boolean done;
        try {
            done = body.feed(buf, this);
        } catch (HttpError e) {
            buf.release();
            o.onResponseError(this, e.status, e.getMessage());
            return;
        }
        if (done) {
            // Bytes after a complete response that nobody asked for: the connection is out of step.
            junk |= buf.isReadable();
            buf.release();
            state = IDLE;
            o.onResponseComplete(this, !junk && head.keepAlive());
        } else if (buf.isReadable()) {
            in = buf; // a partial chunk-size line: keep for the next read
        } else {
            buf.release();
        }
    }

    @Override
    public void body(ByteBuf data) {
        owner.responseBody(data);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ResponseRelay o = owner;
        if (o != null) {
            o.flushToClient();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ResponseRelay o = owner;
        if (o != null && ch.isWritable()) {
            o.onServerWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseIn();
        ResponseRelay o = owner;
        if (o == null) {
            loop.removeIdle(this);
            return;
        }
        owner = null;
        if (state == BODY && body.closeEndsBody()) {
            state = IDLE;
            o.onResponseComplete(this, false);
        } else if (state == TUNNEL) {
            o.onTunnelClosed();
        } else {
            o.onServerClosed(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes: channelInactive follows and tells the owner; nothing to log per request here.
        ctx.close();
    }

    private void releaseIn() {
        in = Buffers.release(in);
    }
}
