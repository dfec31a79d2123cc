package org.fossinfra.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles errors of a listening socket, such as {@code accept} failing with "Too many open files": one log line a
 * minute per listener instead of a stack trace a second. Like Netty's own acceptor (which this handler sits in front
 * of, and which would otherwise log the stack trace), it pauses accepting briefly and then tries again, so the
 * listener recovers by itself as soon as descriptors free up, without spinning on a failing accept.
 *
 * <p>With the proxy's client-connection budget ({@link OpenFiles}) the limit is normally not reached by clients;
 * this is for descriptors used up elsewhere.
 */
@ChannelHandler.Sharable
final class AcceptErrors extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger("proxy");
    private static final long EVERY_NANOS = 60_000_000_000L;

    private final String frontend;
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - EVERY_NANOS);
    private final AtomicLong suppressed = new AtomicLong();

    AcceptErrors(String frontend) {
        this.frontend = frontend;
    }

    private static final long PAUSE_MILLIS = 200;

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        var config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), PAUSE_MILLIS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= EVERY_NANOS && lastLog.compareAndSet(last, now)) {
            long more = suppressed.getAndSet(0);
            log.warn("frontend {}: accepting a connection failed: {}{}; retrying every {} ms", frontend,
                    cause.getMessage(), more > 0 ? " (and " + more + " more times in the last minute)" : "", PAUSE_MILLIS);
        } else {
            suppressed.incrementAndGet();
        }
    }
}
