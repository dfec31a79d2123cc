package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Script;
import org.fossinfra.testing.services.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * X-Forwarded-For, X-Real-IP, Forwarded and X-Forwarded-Proto as the server receives them, in each
 * {@code forwarded-for} mode, from a client that lies about its address (127.0.0.3, untrusted) and from a trusted
 * proxy (127.0.0.2, in {@code trusted-proxies}); and the address that rate limits and the log then use. Every client
 * is a loopback address of its own, so the proxy tells them apart as it would tell hosts apart.
 */
class ForwardedHeadersTest {
    private static final String TRUSTED = "127.0.0.2";
    private static final String UNTRUSTED = "127.0.0.3";
    /** What a client says about itself, hoping a server believes it. */
    private static final String SPOOFED = "X-Forwarded-For: 203.0.113.66\r\nX-Real-IP: 203.0.113.67\r\n"
            + "Forwarded: for=203.0.113.68\r\nX-Forwarded-Proto: https\r\n";

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

    private void start(String frontendExtra) throws Exception {
        start(frontendExtra, "", "");
    }

    private void start(String frontendExtra, String rateLimits, String bind) throws Exception {
        server = FakeServer.start(Script.ok("ok"));
        proxy = ProxyFixture.start("""
                %s
                frontends:
                  - name: http
                    bind: %s
                    default-backend: app
                %s
                backends:
                  - name: app
                    servers: [{ name: app1, address: "${APP}" }]
                """.formatted(rateLimits, bind.isEmpty() ? "127.0.0.1:0" : bind,
                frontendExtra.indent(4).stripTrailing()),
                Map.of("APP", server));
    }

    private static String get(String headers) {
        return "GET / HTTP/1.1\r\nHost: example.com\r\n" + headers + "\r\n";
    }

    /** Sends {@code request} from {@code from}, expects 200, and returns what the server received. */
    private FakeServer.Request forwardFrom(String from, String request) throws Exception {
        try (RawClient c = RawClient.connect(proxy.port("http"), from)) {
            RawClient.Response r = c.send(request).readResponse();
            assertThat(r.status()).as(r.rawText()).isEqualTo(200);
        }
        return server.requests().getLast();
    }

    private int statusFrom(String from, String request) throws Exception {
        try (RawClient c = RawClient.connect(proxy.port("http"), from)) {
            return c.send(request).readResponse().status();
        }
    }

    // ---------------------------------------------------------------- the modes, from an untrusted client

    @Test
    void replaceIsTheDefaultAndDropsEverythingTheClientSaidAboutItself() throws Exception {
        start("");
        FakeServer.Request r = forwardFrom(UNTRUSTED, get(SPOOFED));
        assertThat(r.headers().all("X-Forwarded-For")).containsExactly(UNTRUSTED);
        assertThat(r.headers().has("X-Real-IP")).isFalse();
        assertThat(r.headers().has("Forwarded")).isFalse();
        assertThat(r.headers().all("X-Forwarded-Proto")).containsExactly("http");
    }

    @Test
    void replaceDropsEveryFieldOfTheNamesWhateverTheirCase() throws Exception {
        start("forwarded-for: replace");
        FakeServer.Request r = forwardFrom(UNTRUSTED, get("x-forwarded-for: 1.1.1.1\r\nX-FORWARDED-FOR: 2.2.2.2\r\n"
                + "x-real-ip: 3.3.3.3\r\nFORWARDED: for=4.4.4.4\r\nX-Forwarded-Host: kept.example\r\n"));
        assertThat(r.headers().all("X-Forwarded-For")).containsExactly(UNTRUSTED);
        assertThat(r.headers().names()).doesNotContain("x-real-ip", "forwarded");
        assertThat(r.header("X-Forwarded-Host")).isEqualTo("kept.example");
    }

    @Test
    void appendKeepsTheClientsListAndAddsThePeer() throws Exception {
        start("forwarded-for: append");
        FakeServer.Request r = forwardFrom(UNTRUSTED, get(SPOOFED));
        assertThat(String.join(", ", r.headers().all("X-Forwarded-For"))).isEqualTo("203.0.113.66, " + UNTRUSTED);
        assertThat(r.header("X-Real-IP")).isEqualTo("203.0.113.67");
        assertThat(r.header("Forwarded")).isEqualTo("for=203.0.113.68");
        assertThat(r.headers().all("X-Forwarded-Proto")).containsExactly("http");
    }

    @Test
    void falseLeavesTheClientsHeadersAsTheyCameAndAddsNone() throws Exception {
        start("forwarded-for: false");
        FakeServer.Request r = forwardFrom(UNTRUSTED, get(SPOOFED));
        assertThat(r.headers().all("X-Forwarded-For")).containsExactly("203.0.113.66");
        assertThat(r.header("X-Real-IP")).isEqualTo("203.0.113.67");
        assertThat(r.header("Forwarded")).isEqualTo("for=203.0.113.68");
    }

    // ---------------------------------------------------------------- trusted proxies

    @Test
    void behindATrustedProxyTheRightMostUntrustedAddressIsTheClient() throws Exception {
        start("trusted-proxies: [127.0.0.2/32, 10.0.0.0/8]");
        // The client claimed 203.0.113.66; a proxy we don't know (198.51.100.7) or the client itself added its
        // address; our own 10/8 hop added the one before it. 198.51.100.7 is as far as the trusted chain vouches.
        FakeServer.Request r = forwardFrom(TRUSTED, get("X-Forwarded-For: 203.0.113.66, 198.51.100.7\r\n"
                + "X-Forwarded-For: 10.1.2.3\r\nX-Real-IP: 203.0.113.67\r\n"));
        assertThat(r.headers().all("X-Forwarded-For")).containsExactly("198.51.100.7");
        assertThat(r.headers().has("X-Real-IP")).isFalse();
    }

    @Test
    void anUntrustedPeersListIsNotBelieved() throws Exception {
        start("trusted-proxies: [127.0.0.2/32, 10.0.0.0/8]");
        FakeServer.Request r = forwardFrom(UNTRUSTED, get("X-Forwarded-For: 198.51.100.7\r\n"));
        assertThat(r.headers().all("X-Forwarded-For")).containsExactly(UNTRUSTED);
    }

    @Test
    void whenEveryListedAddressIsTrustedTheLeftMostIsTheClientAndGarbageEndsTheWalk() throws Exception {
        start("trusted-proxies: [127.0.0.2/32, 10.0.0.0/8]");
        assertThat(forwardFrom(TRUSTED, get("X-Forwarded-For: 10.0.0.9, 10.0.0.8\r\n"))
                .headers().all("X-Forwarded-For")).containsExactly("10.0.0.9");
        // "unknown" is no address: the last one that was (10.0.0.8, written by a trusted hop) is the client.
        assertThat(forwardFrom(TRUSTED, get("X-Forwarded-For: 198.51.100.7, unknown, 10.0.0.8\r\n"))
                .headers().all("X-Forwarded-For")).containsExactly("10.0.0.8");
        // No list at all: the trusted peer is the client (it's a health check, or a request of its own).
        assertThat(forwardFrom(TRUSTED, get("")).headers().all("X-Forwarded-For")).containsExactly(TRUSTED);
        // Ports and brackets, as some proxies write them.
        assertThat(forwardFrom(TRUSTED, get("X-Forwarded-For: 198.51.100.7:5555\r\n"))
                .headers().all("X-Forwarded-For")).containsExactly("198.51.100.7");
        assertThat(forwardFrom(TRUSTED, get("X-Forwarded-For: [2001:DB8::0:1]:443\r\n"))
                .headers().all("X-Forwarded-For")).containsExactly("2001:db8::1");
    }

    @Test
    void appendBehindATrustedProxyKeepsTheChainAndAddsThePeer() throws Exception {
        start("forwarded-for: append\ntrusted-proxies: [127.0.0.2]");
        FakeServer.Request r = forwardFrom(TRUSTED, get("X-Forwarded-For: 198.51.100.7\r\n"));
        assertThat(String.join(", ", r.headers().all("X-Forwarded-For"))).isEqualTo("198.51.100.7, " + TRUSTED);
    }

    @Test
    void xForwardedProtoOfATrustedProxyIsKeptAndAnyoneElsesReplaced() throws Exception {
        start("trusted-proxies: [127.0.0.2]");
        assertThat(forwardFrom(TRUSTED, get("X-Forwarded-Proto: https\r\n")).headers().all("X-Forwarded-Proto"))
                .containsExactly("https");
        assertThat(forwardFrom(TRUSTED, get("")).headers().all("X-Forwarded-Proto")).containsExactly("http");
        assertThat(forwardFrom(UNTRUSTED, get("X-Forwarded-Proto: https\r\n")).headers().all("X-Forwarded-Proto"))
                .containsExactly("http");
    }

    // ---------------------------------------------------------------- who rate limits and the log see

    @Test
    void aRateLimitCountsTheBelievedAddressAndASpoofedListChangesNothing() throws Exception {
        start("trusted-proxies: [127.0.0.2]\nrate-limits: per-client", """
                rate-limits:
                  - { name: per-client, policy: fixed-window, limit: 1, window: 1m }""", "");
        assertThat(statusFrom(TRUSTED, get("X-Forwarded-For: 198.51.100.7\r\n"))).isEqualTo(200);
        assertThat(statusFrom(TRUSTED, get("X-Forwarded-For: 198.51.100.7\r\n"))).isEqualTo(429);
        assertThat(statusFrom(TRUSTED, get("X-Forwarded-For: 198.51.100.8\r\n"))).isEqualTo(200);
        // An untrusted client gets nowhere by changing what it claims.
        assertThat(statusFrom(UNTRUSTED, get("X-Forwarded-For: 198.51.100.9\r\n"))).isEqualTo(200);
        assertThat(statusFrom(UNTRUSTED, get("X-Forwarded-For: 198.51.100.10\r\n"))).isEqualTo(429);
        assertThat(server.requests()).extracting(q -> q.header("X-Forwarded-For"))
                .containsExactly("198.51.100.7", "198.51.100.8", UNTRUSTED);
    }

    @Test
    void ipv6ClientsOfOneSlash64CountAsOneClient() throws Exception {
        start("trusted-proxies: [127.0.0.2]\nrate-limits: per-client", """
                rate-limits:
                  - { name: per-client, policy: fixed-window, limit: 1, window: 1m }""", "");
        assertThat(statusFrom(TRUSTED, get("X-Forwarded-For: 2001:db8:1:2::1\r\n"))).isEqualTo(200);
        // Same /64: an IPv6 host can pick any of its 2^64 addresses, so they are one client.
        assertThat(statusFrom(TRUSTED, get("X-Forwarded-For: 2001:db8:1:2:ffff:ffff:ffff:ffff\r\n"))).isEqualTo(429);
        assertThat(statusFrom(TRUSTED, get("X-Forwarded-For: [2001:db8:1:2::7]:443\r\n"))).isEqualTo(429);
        // Another /64 is another client; IPv4 addresses stay one each.
        assertThat(statusFrom(TRUSTED, get("X-Forwarded-For: 2001:db8:1:3::1\r\n"))).isEqualTo(200);
        assertThat(statusFrom(TRUSTED, get("X-Forwarded-For: 198.51.100.1\r\n"))).isEqualTo(200);
        assertThat(statusFrom(TRUSTED, get("X-Forwarded-For: 198.51.100.2\r\n"))).isEqualTo(200);
        // The server still learns the full address.
        assertThat(server.requests().getFirst().header("X-Forwarded-For")).isEqualTo("2001:db8:1:2::1");
    }

    @Test
    void aClientOverIpv6LoopbackIsOneAddressAndNamedInItsShortForm() throws Exception {
        start("rate-limits: per-client", """
                rate-limits:
                  - { name: per-client, policy: fixed-window, limit: 2, window: 1m }""", "\"[::1]:0\"");
        InetAddress v6 = InetAddress.getByName("::1");
        for (int expected : new int[] {200, 200, 429}) {
            try (RawClient c = RawClient.connect(v6, proxy.port("http"), null)) {
                assertThat(c.send(get("")).readResponse().status()).isEqualTo(expected);
            }
        }
        assertThat(server.requests()).extracting(q -> q.header("X-Forwarded-For")).containsExactly("::1", "::1");
    }

    @Test
    void theLogNamesTheBelievedClientAndThePeerItCameThrough() throws Exception {
        server = FakeServer.start(Script.ok("ok"));
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    trusted-proxies: [127.0.0.2]
                    routes: [{ backend: app, when: { path-prefix: /app } }]
                backends:
                  - name: app
                    servers: [{ name: app1, address: "${APP}" }]
                """, Map.of("APP", server));
        try (LogCapture log = new LogCapture()) {
            assertThat(statusFrom(TRUSTED, "GET /nowhere/fwd-log-1 HTTP/1.1\r\nHost: a\r\n"
                    + "X-Forwarded-For: 198.51.100.7\r\n\r\n")).isEqualTo(503);
            assertThat(statusFrom(UNTRUSTED, "GET /nowhere/fwd-log-2 HTTP/1.1\r\nHost: a\r\n"
                    + "X-Forwarded-For: 198.51.100.8\r\n\r\n")).isEqualTo(503);
            Eventually.until(Duration.ofSeconds(5), "the second failure logged",
                    () -> log.lines().stream().anyMatch(l -> l.contains("client " + UNTRUSTED + ":")));
            String text = String.join("\n", log.lines());
            assertThat(text).contains("client 198.51.100.7 (via " + TRUSTED + "): 503").doesNotContain("198.51.100.8");
        }
    }
}
