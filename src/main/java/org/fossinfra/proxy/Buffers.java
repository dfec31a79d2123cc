package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The input buffer both sides of a connection keep between reads: bytes not yet parsed (a partial head, a partial
 * chunk-size line, pipelined requests) with what the next read brings appended.
 *
 * <p>Hazard: each call takes ownership of the buffers it is given; the caller keeps only what it returns.
 */
final class Buffers {
    private Buffers() {
    }

    /**
     * {@code in} with {@code buf} appended ({@code in} may be null). Appends in place when {@code in} is ours alone and
     * has room (the common case: a head split over two reads), else copies both into one new direct buffer.
     */
    static ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf in, ByteBuf buf) {
        if (in == null) {
            return buf;
        }
        if (in.refCnt() == 1 && in.writableBytes() >= buf.readableBytes() && !in.isReadOnly()) {
            in.writeBytes(buf);
            buf.release();
            return in;
        }
        ByteBuf merged = alloc.directBuffer(in.readableBytes() + buf.readableBytes());
        merged.writeBytes(in).writeBytes(buf);
        in.release();
        buf.release();
        return merged;
    }

    /** {@code in}, or null once it is empty (then released). */
    static ByteBuf releaseIfEmpty(ByteBuf in) {
        if (in != null && !in.isReadable()) {
            in.release();
            return null;
        }
        return in;
    }

    /** Releases {@code in} if there is one; returns null, for {@code in = Buffers.release(in)}. */
    static ByteBuf release(ByteBuf in) {
        if (in != null) {
            in.release();
        }
        return null;
    }
}
