package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;

/**
 * The request direction of an exchange: the head as the server gets it (written from the parsed bytes once every rule
 * let the request through), then the body passed on as it arrives, its framing checked by a {@link BodyFramer} so that
 * the server sees exactly one message, then, after a 101, the client's tunnel bytes. Writes are flushed once per read
 * of the client, not per piece.
 *
 * <p>Hazard: the head is kept until the exchange ends (a retry on another connection sends it again); {@link #release}
 * must run on every way out, which {@link FrontendConnection}'s endExchange does.
 */
final class RequestRelay implements BodyFramer.Sink {
    private final FrontendConnection owner;
    private final BodyFramer body = new BodyFramer(400, "request");
    /** Checks a chunked body that came with its head before any of it goes on; reused, so a check allocates nothing. */
    private final BodyFramer probe = new BodyFramer(400, "request");
    private ByteBuf head;
    private boolean sent;
    private long sentAt;
    private boolean flushPending;

    RequestRelay(FrontendConnection owner) {
        this.owner = owner;
    }

    /**
     * Writes the head for the server from the parsed request, moves {@code in} past it, and sets up the body's framing.
     *
     * @throws HttpError when a chunked body already buffered is malformed: a smuggling attempt sent in one packet is
     *     refused before any byte of it goes to a server
     */
    void prepare(ByteBufAllocator alloc, RequestHead req, ByteBuf in, ForwardedHeaders.Plan forwarding)
            throws HttpError {
        head = HeadWriter.request(alloc, req, in, in.readerIndex(), forwarding);
        in.skipBytes(req.headLength());
        sent = false;
        if (!req.chunked) {
            body.length(req.bodyLength());
            return;
        }
        body.chunked(false);
        if (in.isReadable()) {
            probe.chunked(false);
            probe.feed(in.duplicate(), ByteBuf::release);
        }
    }

    /** Sends the head over {@code sc} (again, on a retry); the body follows through {@link #feed}. */
    void sendHead(Channel sc) {
        sc.write(head.retainedDuplicate(), sc.voidPromise());
        sentAt = System.nanoTime();
    }

    /** A request without a body is complete with its head. */
    void headOnly() {
        sent = true;
    }

    /** Passes on what {@code src} holds of the body (leaving what follows it); true once the body is complete. */
    boolean feed(ByteBuf src) throws HttpError {
        boolean done = body.feed(src, this);
        sent |= done;
        return done;
    }

    @Override
    public void body(ByteBuf data) {
        Channel sc = owner.assignment.connection().channel();
        sc.write(data, sc.voidPromise());
        flushPending = true;
        if (!sc.isWritable()) {
            owner.holdClient(); // the server's timeout runs now, and may end sooner
        }
    }

    /** Client bytes of a tunnel (after 101); false when the server stopped taking them for now. */
    boolean tunnel(ByteBuf buf) {
        Channel sc = owner.assignment.connection().channel();
        sc.write(buf, sc.voidPromise());
        flushPending = true;
        return sc.isWritable();
    }

    /** At the end of a read of the client: flushes what went to the server during it. */
    void flush() {
        if (flushPending) {
            flushPending = false;
            BackendConnection c = owner.assignment.connection();
            if (c != null) {
                c.channel().flush();
            }
        }
    }

    /** Whether the whole request went to the server. */
    boolean sent() {
        return sent;
    }

    /** When the head was last sent (System.nanoTime()), for the server's latency. */
    long sentAt() {
        return sentAt;
    }

    void release() {
        head = Buffers.release(head);
    }
}
