package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.fossinfra.balance.AdminState;
import org.fossinfra.config.Config;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.Gate;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reloads under traffic (HAProxy's seamless reload): requests in flight finish on what they started with, open
 * connections stay open and follow the new routes from their next request, new listeners bind, and a reload that
 * fails to bind changes nothing at all.
 */
class ReloadTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Two backends; the default is ${DEFAULT}. Servers a (backend one) and b (backend two). */
    private static final String BASE = """
            frontends:
              - name: http
                bind: 127.0.0.1:0
                default-backend: %s
            %s
            backends:
              - name: one
                servers: [{ name: a, address: "${A}", weight: %d }]
              - name: two
                servers: [{ name: b, address: "${B}" }]
            """;

    private final Gate gate = new Gate();
    private FakeServer a;
    private FakeServer b;
    private ProxyFixture proxy;

    private static String config(String defaultBackend) {
        return config(defaultBackend, "", 1);
    }

    private static String config(String defaultBackend, String moreFrontends, int weightOfA) {
        return BASE.formatted(defaultBackend, moreFrontends.indent(2).stripTrailing(), weightOfA);
    }

    @BeforeEach
    void start() throws Exception {
        a = FakeServer.start(named("a"));
        b = FakeServer.start(named("b"));
        proxy = ProxyFixture.start(config("one"), Map.of("A", a, "B", b));
    }

    private Script named(String name) {
        return r -> r.target().startsWith("/slow") ? Reply.await(gate, Reply.ok(name)) : Reply.ok(name);
    }

    @AfterEach
    void stop() {
        gate.open();
        proxy.close();
        a.close();
        b.close();
    }

    private static String get(RawClient c, String target) throws IOException {
        RawClient.Response r = c.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
        assertThat(r.status()).as(r.rawText()).isEqualTo(200);
        return r.bodyText();
    }

    private String getOnNewConnection(String frontend) throws IOException {
        try (RawClient c = proxy.client(frontend)) {
            return get(c, "/");
        }
    }

    @Test
    void requestInFlightDuringAReloadCompletes() throws Exception {
        try (RawClient held = proxy.client("http")) {
            held.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            a.awaitRequests(1, WAIT);
            proxy.reload(config("two"));
            gate.open();
            RawClient.Response r = held.readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("a");
        }
        assertThat(getOnNewConnection("http")).isEqualTo("b");
    }

    @Test
    void requestInFlightOnABackendTheReloadRemovesCompletes() throws Exception {
        try (RawClient held = proxy.client("http")) {
            held.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            a.awaitRequests(1, WAIT);
            proxy.reload("""
                    frontends:
                      - name: http
                        bind: 127.0.0.1:0
                        default-backend: two
                    backends:
                      - name: two
                        servers: [{ name: b, address: "${B}" }]
                    """);
            gate.open();
            assertThat(held.readResponse().bodyText()).isEqualTo("a");
        }
    }

    @Test
    void openKeepAliveConnectionStaysOpenAndItsNextRequestFollowsTheNewRoutes() throws Exception {
        try (RawClient c = proxy.client("http")) {
            assertThat(get(c, "/")).isEqualTo("a");
            proxy.reload(config("two"));
            assertThat(get(c, "/")).isEqualTo("b");
            assertThat(get(c, "/")).isEqualTo("b");
        }
        assertThat(a.requestCount()).isEqualTo(1);
        assertThat(b.requestCount()).isEqualTo(2);
    }

    @Test
    void addingAFrontendBindsIt() throws Exception {
        proxy.reload(config("one", """
                  - name: extra
                    bind: 127.0.0.1:0
                    default-backend: two""", 1));
        assertThat(proxy.port("extra")).isPositive().isNotEqualTo(proxy.port("http"));
        assertThat(getOnNewConnection("extra")).isEqualTo("b");
        assertThat(getOnNewConnection("http")).isEqualTo("a");
    }

    @Test
    void removingAFrontendStopsItsListenerButLetsItsConnectionsFinish() throws Exception {
        proxy.reload(config("one", """
                  - name: extra
                    bind: 127.0.0.1:0
                    default-backend: two""", 1));
        int extraPort = proxy.port("extra");
        try (RawClient open = proxy.client("extra")) {
            assertThat(get(open, "/")).isEqualTo("b");
            proxy.reload(config("one"));
            assertThatThrownBy(() -> RawClient.connect(extraPort)).isInstanceOf(ConnectException.class);
            assertThat(get(open, "/")).as("an accepted connection lives on").isEqualTo("b");
        }
    }

    @Test
    void changingABindMovesTheListener() throws Exception {
        int oldPort = proxy.port("http");
        int newPort;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            newPort = probe.getLocalPort();
        }
        proxy.reload(config("one").replace("bind: 127.0.0.1:0", "bind: 127.0.0.1:" + newPort));
        assertThat(proxy.port("http")).isEqualTo(newPort);
        assertThat(getOnNewConnection("http")).isEqualTo("a");
        assertThatThrownBy(() -> RawClient.connect(oldPort)).isInstanceOf(ConnectException.class);
    }

    @Test
    void bindFailureLeavesEverythingAsItWas() throws Exception {
        Config before = proxy.proxy().config();
        try (ServerSocket taken = new ServerSocket();
             RawClient open = proxy.client("http")) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertThat(get(open, "/")).isEqualTo("a");
            // New routes, a new weight and a new frontend whose port is taken: all or nothing.
            String next = config("two", """
                      - name: extra
                        bind: 127.0.0.1:%d
                        default-backend: two""".formatted(taken.getLocalPort()), 7);
            assertThatThrownBy(() -> proxy.reload(next)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("extra").hasMessageContaining(String.valueOf(taken.getLocalPort()));
            assertThat(proxy.proxy().config()).isSameAs(before);
            assertThat(proxy.proxy().frontends()).extracting(ProxyServer.FrontendView::name).containsExactly("http");
            assertThat(proxy.server("one", "a").weight()).as("weight of a").isEqualTo(1);
            assertThat(get(open, "/")).as("the open connection keeps the old routes").isEqualTo("a");
            assertThat(getOnNewConnection("http")).isEqualTo("a");
        }
    }

    @Test
    void serverStateSurvivesAReloadThatKeepsTheServerList() throws Exception {
        proxy.server("one", "a").setAdminState(AdminState.DRAIN);
        proxy.reload(config("one", "", 1));
        assertThat(proxy.server("one", "a").adminState()).isEqualTo(AdminState.DRAIN);
    }

    @Test
    void serverStateIsCarriedOverWhenTheServerListChanges() throws Exception {
        proxy.server("one", "a").setAdminState(AdminState.MAINT);
        proxy.server("one", "a").setHealthy(false);
        proxy.reload(config("one").replace("servers: [{ name: a, address: \"${A}\", weight: 1 }]",
                "servers: [{ name: a, address: \"${A}\" }, { name: c, address: \"${B}\" }]"));
        assertThat(proxy.server("one", "a").adminState()).isEqualTo(AdminState.MAINT);
        assertThat(proxy.server("one", "a").healthy()).isFalse();
        assertThat(proxy.server("one", "c").adminState()).isEqualTo(AdminState.READY);
        assertThat(getOnNewConnection("http")).isEqualTo("b"); // c is the fake b
    }

    @Test
    void weightChangedInTheConfigAppliesAndARuntimeWeightOtherwiseSurvives() throws Exception {
        proxy.server("one", "a").setWeight(5);
        proxy.reload(config("two"));
        assertThat(proxy.server("one", "a").weight()).as("config weight unchanged: runtime value kept").isEqualTo(5);
        proxy.reload(config("two", "", 9));
        assertThat(proxy.server("one", "a").weight()).as("config weight changed: it wins").isEqualTo(9);
    }

    @Test
    void inFlightSlotIsReleasedOnTheServerItWasTakenOnAfterTheServerListChanged() throws Exception {
        try (RawClient held = proxy.client("http")) {
            held.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            a.awaitRequests(1, WAIT);
            var oldA = proxy.server("one", "a");
            assertThat(oldA.active()).isEqualTo(1);
            proxy.reload(config("one").replace("weight: 1 }]", "maxconn: 5 }]"));
            var newA = proxy.server("one", "a");
            assertThat(newA).isNotSameAs(oldA);
            gate.open();
            assertThat(held.readResponse().bodyText()).isEqualTo("a");
            Eventually.until(WAIT, "the old server's slot to be released", () -> oldA.active() == 0);
            assertThat(newA.active()).isZero();
        }
        assertThat(getOnNewConnection("http")).isEqualTo("a");
    }
}
