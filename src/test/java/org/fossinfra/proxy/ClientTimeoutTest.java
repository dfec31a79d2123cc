package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client side's timeouts: a request head must arrive within {@code timeout http-request} (408), a request body
 * may not stall beyond {@code timeout client} (408), and an idle connection is closed quietly after
 * {@code timeout keep-alive} (or {@code http-request} before its first request).
 */
class ClientTimeoutTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    private FakeServer a;
    private ProxyFixture proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private void startOne(Script script, String frontendTimeouts) throws Exception {
        a = FakeServer.start(script);
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                    %s
                backends:
                  - name: app
                    servers: [{ name: a, address: "${A}" }]
                """.formatted(frontendTimeouts), Map.of("A", a));
    }

    private static void assertShortError(RawClient.Response r, int status) {
        assertThat(r.status()).as(r.rawText()).isEqualTo(status);
        assertThat(r.bodyText()).startsWith(status + " ").hasSizeLessThan(200);
        assertThat(r.saysClose()).isTrue();
    }

    @Test
    void slowRequestHeadIs408AfterTimeoutHttpRequest() throws Exception {
        startOne(Script.ok("a"), "timeouts: { http-request: 300ms }");
        try (RawClient c = proxy.client("http")) {
            long start = System.nanoTime();
            c.send("GET / HTTP/1.1\r\nHost: a\r\n");
            RawClient.Response r = c.readResponse();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertShortError(r, 408);
            assertThat(ms).isBetween(250L, 3000L);
            assertThat(c.isClosed()).isTrue();
        }
        a.assertNothingReceived(Duration.ZERO);
    }

    @Test
    void headTricklingInByteByByteStillHitsTimeoutHttpRequest() throws Exception {
        // Slowloris: every byte resets nothing; the whole head must arrive within the timeout.
        startOne(Script.ok("a"), "timeouts: { http-request: 400ms }");
        try (RawClient c = proxy.client("http")) {
            long start = System.nanoTime();
            String head = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: " + "x".repeat(100);
            int sent = 0;
            while (sent < head.length() && c.trySend(head.substring(sent, sent + 1))) {
                sent++;
                Thread.sleep(20);
                if ((System.nanoTime() - start) / 1_000_000 > 3000) {
                    break;
                }
            }
            RawClient.Response r = c.readResponse();
            assertShortError(r, 408);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(350L, 3000L);
        }
    }

    @Test
    void stalledRequestBodyIs408AfterTimeoutClient() throws Exception {
        startOne(Script.ok("a"), "timeouts: { client: 300ms }");
        try (RawClient c = proxy.client("http")) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhal");
            RawClient.Response r = c.readResponse();
            assertShortError(r, 408);
        }
        a.awaitClosed(0, WAIT);
        assertThat(a.requestCount()).as("the incomplete request never completed at the server").isZero();
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTimeoutKeepAlive() throws Exception {
        startOne(Script.ok("a"), "timeouts: { keep-alive: 600ms, http-request: 5s }");
        try (RawClient c = proxy.client("http")) {
            assertThat(c.send(GET).readResponse().status()).isEqualTo(200);
            long start = System.nanoTime();
            assertThat(c.staysOpenFor(Duration.ofMillis(200))).isTrue();
            assertThat(c.isClosedWithin(Duration.ofSeconds(3))).as("closed quietly, no 408").isTrue();
            // Counted from the end of the response, a little before start.
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(300L, 3000L);
        }
    }

    @Test
    void connectionThatNeverSendsARequestIsClosedQuietlyAfterTimeoutHttpRequest() throws Exception {
        startOne(Script.ok("a"), "timeouts: { http-request: 300ms, keep-alive: 10s }");
        try (RawClient c = proxy.client("http")) {
            assertThat(c.isClosedWithin(Duration.ofSeconds(3))).isTrue();
        }
    }
}
