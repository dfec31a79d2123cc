package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request framing as the backend sees it (HAProxy's reg-tests/http-messaging in spirit): every test sends bytes a
 * smuggler would send and asserts the exact bytes the server received, not only the status at the edge, because a
 * desync is invisible at the edge: the proxy answers 200 while the server has read a second, hidden request.
 *
 * <p>The frontend adds no X-Forwarded-* fields here, so that what the server receives is the client's head with only
 * the framing and hop-by-hop rewrites this class is about. The server answers each request with its method, target
 * and decoded body, so the client side can tell what the server took for one request too.
 */
class RequestFramingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CONFIG = """
            frontends:
              - name: http
                bind: 127.0.0.1:0
                default-backend: app
                forwarded-for: false
                forwarded-proto: false
            backends:
              - name: app
                servers: [{ name: app1, address: "127.0.0.1:${PORT}" }]
            """;

    private static ProxyFixture proxy;
    private FakeServer server;

    @BeforeAll
    static void start() throws Exception {
        proxy = ProxyFixture.start(CONFIG, Map.of("PORT", 1)); // each test points it at its own server
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** A fresh server per test, so that what it received is this test's traffic alone. */
    @BeforeEach
    void freshServer() throws Exception {
        useServer(FakeServer.builder().script(echo()));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private void useServer(FakeServer.Builder builder) throws Exception {
        if (server != null) {
            server.close();
        }
        server = builder.start();
        proxy.reload(CONFIG, Map.of("PORT", server.port()));
    }

    /** "METHOD target [body]": what the server took for one request. */
    private static Script echo() {
        return r -> Reply.ok(r.method() + " " + r.target() + " [" + r.bodyText() + "]");
    }

    /** Waits until the server has received exactly {@code expected} (all connections, in order), then checks it. */
    private void assertServerReceived(String expected) throws InterruptedException {
        try {
            Eventually.until(WAIT, "the server to receive the expected bytes",
                    () -> server.receivedText().equals(expected));
        } catch (AssertionError timedOut) {
            // fall through: the comparison below shows the difference
        }
        assertThat(server.receivedText()).as("bytes the server received").isEqualTo(expected);
    }

    // ---------------------------------------------------------------- Connection may not remove framing

    @Test
    void connectionNamingTransferEncodingDoesNotRemoveTheChunkedFraming() throws Exception {
        try (RawClient c = proxy.client("http")) {
            c.send("POST /p HTTP/1.1\r\nHost: a\r\nConnection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n"
                    + "\r\n"
                    + "1b\r\nGET /smuggled HTTP/1.1\r\nX: \r\n0\r\n\r\n");
            RawClient.Response r = c.readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("POST /p [GET /smuggled HTTP/1.1\r\nX: ]");
        }
        assertServerReceived("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1b\r\nGET /smuggled HTTP/1.1\r\nX: \r\n0\r\n\r\n");
        assertThat(server.requests()).extracting(FakeServer.Request::target).containsExactly("/p");
    }
}
