package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bounded-memory streaming: a large upload and a large download pass through the proxy byte-count-exact (CRC-32),
 * while one side stalls reading, which must push back all the way to the sender instead of piling bytes up in the
 * proxy.
 *
 * <p>The size is {@code -Dfoss.stream.bytes} (default 256 MiB; {@code -Dfoss.stream.bytes=1073741824} for 1 GiB by
 * hand). Client, proxy and fake server share this JVM, so memory is measured where it can be told apart:
 * <ul>
 *   <li>Netty's allocators (the adaptive default of Netty 4.2 that the proxy's channels use, and the pooled one):
 *       only the proxy allocates from them here, the fixtures being plain {@code java.net} sockets; this is the
 *       figure the assertion is about;</li>
 *   <li>Netty's own count of the direct memory it allocated without a cleaner (n/a when Netty doesn't track it);</li>
 *   <li>the JVM's "direct" buffer pool: the JDK's own NIO buffers (the fixtures' sockets may use some), none of
 *       Netty's, shown for completeness;</li>
 *   <li>heap after GC, above the baseline taken before the transfer: an upper bound for the proxy's share, since
 *       the fixtures hold fixed 64 KiB buffers and a recording capped at 64 KiB.</li>
 * </ul>
 * The kernel's socket buffers (several MiB per loopback socket with autotuning) are outside the JVM and outside the
 * proxy's control; the backpressure check allows for them.
 */
class StreamingTest {
    private static final long BYTES = Long.getLong("foss.stream.bytes", 256L << 20);
    /** What the proxy may use for one transfer, at most; it needs a few read and write buffers, not the body. */
    private static final long BOUND = 64L << 20;
    private static final Duration STALL = Duration.ofMillis(1000);
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(Math.max(60, BYTES >> 22)); // >= 1s/4MiB
    private static final int BLOCK = 64 * 1024;

    private FakeServer server;
    private ProxyFixture proxy;
    private Sampler sampler;

    @BeforeEach
    void printConfig() {
        System.out.printf("streaming %,d bytes; proxy channels allocate from %s%n", BYTES,
                ByteBufAllocator.DEFAULT.getClass().getSimpleName());
    }

    @AfterEach
    void stop() {
        if (sampler != null) {
            sampler.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(FakeServer.Builder fake) throws Exception {
        server = fake.maxRecordedBytes(BLOCK).start();
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                    timeouts: { client: 30s }
                backends:
                  - name: app
                    servers: [{ name: a, address: "${A}" }]
                    timeouts: { server: 30s }
                """, Map.of("A", server));
    }

    /** A deterministic byte stream: pseudo-random 64 KiB blocks, each different. */
    private static final class Source {
        private final SplittableRandom random = new SplittableRandom(42);
        private final byte[] block = new byte[BLOCK];
        private final CRC32 crc = new CRC32();

        /** Writes {@code n} bytes to {@code out}, counting them in {@code written} as they go. */
        void writeTo(OutputStream out, long n, AtomicLong written) throws IOException {
            long left = n;
            while (left > 0) {
                random.nextBytes(block);
                int len = (int) Math.min(BLOCK, left);
                out.write(block, 0, len);
                crc.update(block, 0, len);
                left -= len;
                written.addAndGet(len);
            }
            out.flush();
        }

        long crc() {
            return crc.getValue();
        }
    }

    @Test
    void largeUploadToAStalledServerPassesExactlyWithBoundedProxyMemory() throws Exception {
        start(FakeServer.builder().bodyStall(STALL)
                .script(r -> Reply.ok(r.bodyLength() + " " + r.bodyCrc32())));
        Source source = new Source();
        AtomicLong written = new AtomicLong();
        try (RawClient c = proxy.client("http")) {
            c.timeout(TRANSFER_TIMEOUT);
            sampler = Sampler.start();
            long start = System.nanoTime();
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + BYTES + "\r\n\r\n");
                    source.writeTo(c.output(), BYTES, written);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            // The server reads the head, then stalls: the client must soon be unable to write more.
            Eventually.until(Duration.ofSeconds(10), "the head to reach the server", () -> server.bytesReceived() > 0);
            Thread.sleep(STALL.toMillis() * 8 / 10);
            long duringStall = written.get();
            upload.get(TRANSFER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            RawClient.Response r = c.readResponse();
            double seconds = (System.nanoTime() - start) / 1e9;
            sampler.stop();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(BYTES + " " + source.crc());
            report("upload", duringStall, seconds);
            assertThat(duringStall).as("bytes the client could write while the server stalled").isLessThan(BOUND);
            sampler.assertBounded();
        }
    }

    @Test
    void largeDownloadToAStalledClientPassesExactlyWithBoundedProxyMemory() throws Exception {
        Source source = new Source();
        AtomicLong written = new AtomicLong();
        start(FakeServer.builder().script(r -> x -> {
            x.write("HTTP/1.1 200 OK\r\nContent-Length: " + BYTES + "\r\n\r\n");
            source.writeTo(x.out(), BYTES, written);
            return true;
        }));
        try (RawClient c = proxy.client("http")) {
            c.timeout(TRANSFER_TIMEOUT);
            sampler = Sampler.start();
            long start = System.nanoTime();
            RawClient.Response head = c.send("GET /download HTTP/1.1\r\nHost: a\r\n\r\n").readResponseHead();
            assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(BYTES));
            // The client stalls before reading the body: the server must soon be unable to write more.
            Thread.sleep(STALL.toMillis());
            long duringStall = written.get();
            CRC32 crc = new CRC32();
            long received = 0;
            byte[] buf = new byte[BLOCK];
            InputStream in = c.input();
            while (received < BYTES) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, BYTES - received));
                if (n < 0) {
                    break;
                }
                crc.update(buf, 0, n);
                received += n;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            sampler.stop();
            assertThat(received).isEqualTo(BYTES);
            assertThat(crc.getValue()).isEqualTo(source.crc());
            report("download", duringStall, seconds);
            assertThat(duringStall).as("bytes the server could write while the client stalled").isLessThan(BOUND);
            sampler.assertBounded();
        }
    }

    private void report(String what, long duringStall, double seconds) {
        System.out.printf("%s: %,d bytes in %.2f s (%.0f MiB/s); sender got %,d bytes (%.1f MiB) ahead during the "
                        + "%d ms stall%n", what, BYTES, seconds, BYTES / seconds / (1 << 20), duringStall,
                duringStall / (double) (1 << 20), STALL.toMillis());
        System.out.println(what + ": " + sampler.summary());
    }

    /** Samples memory every 10 ms (heap after GC every 250 ms) on its own thread, keeping the peaks. */
    private static final class Sampler {
        private final Thread thread;
        private volatile boolean running = true;
        private final long baseHeap;
        private final long baseNettyDirect;
        private final long basePooledDirect;
        private final long basePlatformDirect;
        private final long baseJdkDirect;
        private long peakHeap;
        private long peakNettyDirect;
        private long peakNettyHeap;
        private long peakPooledDirect;
        private long peakPlatformDirect;
        private long peakJdkDirect;

        private Sampler() {
            baseHeap = heapAfterGc();
            baseNettyDirect = nettyDirect();
            basePooledDirect = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            basePlatformDirect = PlatformDependent.usedDirectMemory();
            baseJdkDirect = jdkDirect();
            peakHeap = baseHeap;
            peakNettyDirect = baseNettyDirect;
            peakNettyHeap = nettyHeap();
            peakPooledDirect = basePooledDirect;
            peakPlatformDirect = basePlatformDirect;
            peakJdkDirect = baseJdkDirect;
            thread = new Thread(this::run, "memory-sampler");
            thread.setDaemon(true);
        }

        static Sampler start() {
            Sampler s = new Sampler();
            s.thread.start();
            return s;
        }

        private void run() {
            long nextGc = 0;
            while (running) {
                long now = System.nanoTime();
                synchronized (this) {
                    peakNettyDirect = Math.max(peakNettyDirect, nettyDirect());
                    peakNettyHeap = Math.max(peakNettyHeap, nettyHeap());
                    peakPooledDirect = Math.max(peakPooledDirect, PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
                    peakPlatformDirect = Math.max(peakPlatformDirect, PlatformDependent.usedDirectMemory());
                    peakJdkDirect = Math.max(peakJdkDirect, jdkDirect());
                    if (now - nextGc >= 0) {
                        peakHeap = Math.max(peakHeap, heapAfterGc());
                        nextGc = now + 250_000_000L;
                    }
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() {
            running = false;
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized String summary() {
            return String.format("peak Netty default allocator direct %s (baseline %s), heap-buffers %s; "
                            + "Netty pooled allocator direct %s (baseline %s); Netty no-cleaner direct %s (baseline %s); "
                            + "JVM direct pool %s (baseline %s); "
                            + "heap after GC %s above the %s baseline",
                    mib(peakNettyDirect), mib(baseNettyDirect), mib(peakNettyHeap), mib(peakPooledDirect),
                    mib(basePooledDirect), mib(peakPlatformDirect), mib(basePlatformDirect), mib(peakJdkDirect),
                    mib(baseJdkDirect), mib(Math.max(0, peakHeap - baseHeap)), mib(baseHeap));
        }

        synchronized void assertBounded() {
            assertThat(peakNettyDirect).as("proxy direct memory (Netty default allocator)").isLessThan(BOUND);
            assertThat(peakNettyHeap).as("proxy heap buffers (Netty default allocator)").isLessThan(BOUND);
            assertThat(peakPooledDirect).as("Netty pooled allocator").isLessThan(BOUND);
            assertThat(peakPlatformDirect).as("Netty no-cleaner direct memory").isLessThan(BOUND);
            assertThat(peakHeap - baseHeap).as("heap growth after GC").isLessThan(BOUND);
        }

        private static String mib(long bytes) {
            return bytes < 0 ? "n/a" : String.format("%.2f MiB", bytes / (double) (1 << 20));
        }

        private static long nettyDirect() {
            return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : -1;
        }

        private static long nettyHeap() {
            return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedHeapMemory() : -1;
        }

        private static long jdkDirect() {
            for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (b.getName().equals("direct")) {
                    return b.getMemoryUsed();
                }
            }
            return -1;
        }

        private static long heapAfterGc() {
            System.gc();
            Runtime rt = Runtime.getRuntime();
            return rt.totalMemory() - rt.freeMemory();
        }
    }
}
