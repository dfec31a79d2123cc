package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Inactivity timeouts under backpressure: while the proxy holds one side back because the other side is slow to
 * read, the held-back side is not idle by its own fault, and its timeout must not fire (HAProxy stops a side's
 * timeout while its buffer is full).
 */
class BackpressureTimeoutTest {
    /** Enough to fill the kernel's loopback socket buffers (a few MiB each) and make the proxy push back. */
    private static final int BYTES = 48 << 20;

    private FakeServer server;
    private ProxyFixture proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(FakeServer.Builder fake, String clientTimeout, String serverTimeout) throws Exception {
        server = fake.maxRecordedBytes(1024).start();
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                    timeouts: { client: %s }
                backends:
                  - name: app
                    servers: [{ name: a, address: "${A}" }]
                    timeouts: { server: %s }
                """.formatted(clientTimeout, serverTimeout), Map.of("A", server));
    }

    @Test
    void serverSlowToReadAnUploadDoesNotTimeTheClientOut() throws Exception {
        start(FakeServer.builder().bodyStall(Duration.ofMillis(1500)).script(r -> Reply.ok(String.valueOf(r.bodyLength()))),
                "500ms", "10s");
        try (RawClient c = proxy.client("http")) {
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + BYTES + "\r\n\r\n");
                    c.output().write(new byte[BYTES]);
                    c.output().flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            RawClient.Response r = c.readResponse();
            assertThat(r.status()).as(r.rawText()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(String.valueOf(BYTES));
            upload.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientSlowToReadADownloadDoesNotTimeTheServerOut() throws Exception {
        start(FakeServer.builder().script(r -> x -> {
            x.write("HTTP/1.1 200 OK\r\nContent-Length: " + BYTES + "\r\n\r\n");
            x.out().write(new byte[BYTES]);
            return true;
        }), "10s", "500ms");
        try (RawClient c = proxy.client("http")) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponseHead().status()).isEqualTo(200);
            Thread.sleep(1500);
            InputStream in = c.input();
            byte[] buf = new byte[65536];
            long got = 0;
            int n;
            while (got < BYTES && (n = in.read(buf, 0, buf.length)) >= 0) {
                got += n;
            }
            assertThat(got).isEqualTo(BYTES);
        }
    }

    @Test
    void serverThatStopsReadingAnUploadIs504AfterTimeoutServer() throws Exception {
        start(FakeServer.builder().bodyStall(Duration.ofSeconds(4)).script(r -> Reply.ok("late")), "10s", "500ms");
        try (RawClient c = proxy.client("http")) {
            long start = System.nanoTime();
            CompletableFuture<Boolean> upload = CompletableFuture.supplyAsync(() -> {
                try {
                    c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + BYTES + "\r\n\r\n");
                    c.output().write(new byte[BYTES]);
                    return true;
                } catch (IOException e) {
                    return false; // the proxy gave up and closed: expected
                }
            });
            RawClient.Response r = c.readResponse();
            assertThat(r.status()).as(r.rawText()).isEqualTo(504);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(400L, 3500L);
            upload.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientThatStopsReadingADownloadIsCutAfterTimeoutClient() throws Exception {
        start(FakeServer.builder().script(r -> x -> {
            x.write("HTTP/1.1 200 OK\r\nContent-Length: " + BYTES + "\r\n\r\n");
            x.out().write(new byte[BYTES]);
            return true;
        }), "500ms", "10s");
        try (RawClient c = proxy.client("http")) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponseHead().status()).isEqualTo(200);
            Thread.sleep(1500);
            long got = c.readUntilClosed().length;
            assertThat(got).as("the proxy cut the response short").isLessThan(BYTES);
        }
        server.awaitClosed(0, Duration.ofSeconds(5));
    }
}
