package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket upgrades (RFC 6455 §4) through the proxy: the 101 goes through, then bytes flow both ways untouched until
 * either side closes or {@code timeout tunnel} passes with no traffic.
 */
class WebSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String UPGRADE = "GET /socket HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    private static final String SWITCHING = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    /** An unmasked text frame "hi", as a server sends it. */
    private static final byte[] SERVER_HELLO = {(byte) 0x81, 0x02, 'h', 'i'};

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

    /** Answers an upgrade with 101 and a hello frame in the same write, then echoes every byte back. */
    private static Reply switchAndEcho() {
        return x -> {
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            first.writeBytes(SWITCHING.getBytes(StandardCharsets.ISO_8859_1));
            first.writeBytes(SERVER_HELLO);
            x.write(first.toByteArray());
            InputStream in = x.in();
            OutputStream out = x.out();
            byte[] b = new byte[8192];
            int n;
            while ((n = in.read(b, 0, b.length)) >= 0) {
                out.write(b, 0, n);
                out.flush();
            }
            return false;
        };
    }

    private void start(Script script, String backendExtra) throws Exception {
        server = FakeServer.start(script);
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    servers: [{ name: a, address: "${A}" }]
                %s
                """.formatted(backendExtra.indent(4).stripTrailing()), Map.of("A", server));
    }

    /** A masked client text frame (RFC 6455 §5.3). */
    private static byte[] clientFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
        byte[] f = new byte[6 + payload.length];
        f[0] = (byte) 0x81;
        f[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, f, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            f[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return f;
    }

    private RawClient upgraded() throws Exception {
        RawClient c = proxy.client("http");
        RawClient.Response r = c.send(UPGRADE).readResponse();
        assertThat(r.status()).as(r.rawText()).isEqualTo(101);
        return c;
    }

    @Test
    void upgradeGoesThroughAndFramesFlowBothWaysAsRawBytes() throws Exception {
        start(Script.always(switchAndEcho()), "");
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send(UPGRADE).readResponse();
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(r.headers().hasToken("Connection", "upgrade")).isTrue();
            assertThat(r.header("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(c.readExactly(SERVER_HELLO.length)).isEqualTo(SERVER_HELLO);
            byte[] frame = clientFrame("hello over the tunnel");
            c.send(frame);
            assertThat(c.readExactly(frame.length)).isEqualTo(frame);
            byte[] binary = new byte[256];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = (byte) i;
            }
            c.send(binary);
            assertThat(c.readExactly(binary.length)).isEqualTo(binary);
        }
        FakeServer.Request req = server.awaitRequests(1, WAIT).getFirst();
        assertThat(req.header("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(req.headers().hasToken("Connection", "upgrade")).isTrue();
        assertThat(req.header("Sec-WebSocket-Key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
        server.awaitClosed(0, WAIT);
        byte[] wire = server.received().getFirst();
        byte[] afterHead = Arrays.copyOfRange(wire, req.head().length, wire.length);
        assertThat(afterHead).hasSize(clientFrame("hello over the tunnel").length + 256);
        assertThat(Arrays.copyOfRange(afterHead, 0, clientFrame("hello over the tunnel").length))
                .isEqualTo(clientFrame("hello over the tunnel"));
    }

    @Test
    void frameSentRightBehindTheUpgradeRequestIsDeliveredAfterThe101() throws Exception {
        start(Script.always(switchAndEcho()), "");
        try (RawClient c = proxy.client("http")) {
            byte[] frame = clientFrame("eager");
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(UPGRADE.getBytes(StandardCharsets.ISO_8859_1));
            both.writeBytes(frame);
            c.send(both.toByteArray());
            assertThat(c.readResponse().status()).isEqualTo(101);
            assertThat(c.readExactly(SERVER_HELLO.length)).isEqualTo(SERVER_HELLO);
            assertThat(c.readExactly(frame.length)).isEqualTo(frame);
        }
    }

    @Test
    void tunnelTimeoutClosesAnIdleTunnel() throws Exception {
        start(Script.always(switchAndEcho()), "timeouts: { tunnel: 500ms, server: 100ms }");
        try (RawClient c = upgraded()) {
            assertThat(c.readExactly(SERVER_HELLO.length)).isEqualTo(SERVER_HELLO);
            long start = System.nanoTime();
            assertThat(c.isClosedWithin(Duration.ofSeconds(3))).isTrue();
            // Not the 100ms server timeout: the tunnel's own (counted from the hello, a little before start).
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 3000L);
        }
        server.awaitClosed(0, WAIT);
    }

    @Test
    void trafficKeepsTheTunnelOpenPastTimeoutTunnel() throws Exception {
        start(Script.always(switchAndEcho()), "timeouts: { tunnel: 600ms, server: 100ms }");
        try (RawClient c = upgraded()) {
            c.readExactly(SERVER_HELLO.length);
            for (int i = 0; i < 10; i++) {
                Thread.sleep(100);
                byte[] frame = clientFrame("ping " + i);
                c.send(frame);
                assertThat(c.readExactly(frame.length)).isEqualTo(frame);
            }
        }
    }

    @Test
    void serverClosingTheTunnelClosesTheClientConnection() throws Exception {
        start(Script.always(x -> {
            x.write(SWITCHING);
            x.write(SERVER_HELLO);
            return false;
        }), "");
        try (RawClient c = upgraded()) {
            assertThat(c.readExactly(SERVER_HELLO.length)).isEqualTo(SERVER_HELLO);
            assertThat(c.isClosed()).isTrue();
        }
    }

    @Test
    void clientClosingTheTunnelClosesTheServerConnection() throws Exception {
        start(Script.always(switchAndEcho()), "");
        RawClient c = upgraded();
        c.readExactly(SERVER_HELLO.length);
        c.close();
        server.awaitClosed(0, WAIT);
        Eventually.until(WAIT, "the server slot to be released", () -> proxy.server("app", "a").active() == 0);
    }

    @Test
    void upgradeRefusedByTheServerIsAnOrdinaryResponse() throws Exception {
        start(Script.sequence(Reply.status(403, "Forbidden", "no"), Reply.ok("plain")), "");
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send(UPGRADE).readResponse();
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.bodyText()).isEqualTo("no");
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().bodyText()).isEqualTo("plain");
        }
    }

    @Test
    void nonWebSocketUpgradeIsStrippedAndServedAsPlainHttp() throws Exception {
        start(Script.ok("plain"), "");
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
                    .readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("plain");
        }
        FakeServer.Request req = server.awaitRequests(1, WAIT).getFirst();
        assertThat(req.headers().has("Upgrade")).isFalse();
        assertThat(req.headers().has("Connection")).isFalse();
    }

    @Test
    void webSocketUpgradeOverHttp10IsNotAnUpgrade() throws Exception {
        start(Script.ok("plain"), "");
        try (RawClient c = proxy.client("http")) {
            c.send("GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            assertThat(c.readResponse().status()).isEqualTo(200);
        }
        assertThat(server.awaitRequests(1, WAIT).getFirst().headers().has("Upgrade")).isFalse();
    }
}
