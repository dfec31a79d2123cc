package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.Gate;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server lost under load (SIGKILL of a backend during a benchmark) as deterministic scenarios: pooled keep-alive
 * connections to it that still look open, a listener that refuses new connections, requests in flight on it. An
 * idempotent request that got no byte of a response is retried until it reaches a live server; a request with a
 * body, or one whose response had started, never is.
 *
 * <p>"Looks open but is dead" is scripted as a server that resets a kept-alive connection when the next request
 * arrives on it: to the proxy that is exactly a pooled connection whose close it had not read yet. No health check
 * runs, so nothing marks the server down: the worst case, the seconds before a check notices.
 */
class ServerLossTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    private final Map<String, Object> vars = new HashMap<>();
    private final Gate warm = new Gate();
    private FakeServer a;
    private FakeServer b;
    private ProxyFixture proxy;

    @AfterEach
    void stop() {
        warm.open();
        if (proxy != null) {
            proxy.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private void start(String servers) throws Exception {
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    balance: roundrobin
                    servers: %s
                """.formatted(servers), vars);
    }

    /**
     * The first request on each connection waits for the warm-up gate, then gets "name"; every later request on the
     * same connection is answered by {@code later}.
     */
    private Script firstThen(String name, Reply later) {
        return r -> r.index() == 0 ? Reply.await(warm, Reply.ok(name)) : later;
    }

    /**
     * Fills the pools: {@code n} requests at once on {@code n} client connections, all held by the servers until every
     * one has arrived, so that each took its own server connection, which is pooled when the response goes back.
     */
    private void warmUp(int n) throws Exception {
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                clients.add(proxy.client("http").send(GET));
            }
            Eventually.until(WAIT, n + " requests at the servers",
                    () -> a.requestCount() + (b == null ? 0 : b.requestCount()) == n);
            warm.open();
            for (RawClient c : clients) {
                assertThat(c.readResponse().status()).isEqualTo(200);
            }
        } finally {
            clients.forEach(RawClient::close);
        }
    }

    private static List<String> seen(FakeServer s) {
        return s.requests().stream().map(q -> q.connection() + "/" + q.index()).toList();
    }

    private RawClient.Response exchange(String request) throws Exception {
        try (RawClient c = proxy.client("http")) {
            return c.send(request).readResponse();
        }
    }

    @Test
    void getFindingSeveralDeadPooledConnectionsIsServedOnAFreshOne() throws Exception {
        // Every kept-alive connection is reset at its next request: each loop's pool holds several dead ones at once.
        a = FakeServer.start(firstThen("a", Reply.reset()));
        vars.put("A", a);
        start("[{ name: a, address: \"${A}\" }]");
        warmUp(8);
        for (int i = 0; i < 8; i++) {
            RawClient.Response r = exchange(GET);
            assertThat(r.status()).as("request %d: %s", i, r.rawText()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("a");
        }
        assertThat(proxy.backend("app").counters().retries()).as("one retry per dead connection met").isPositive();
    }

    /** Which server dies at its next request on a kept-alive connection: "a", "b", or none yet. */
    private volatile String victim = "";

    /** A server that answers "name", and dies as {@link #victim}: that connection reset, new ones refused. */
    private Script mortal(String name, FakeServer[] self) {
        return r -> {
            if (r.index() == 0) {
                return Reply.await(warm, Reply.ok(name));
            }
            if (!victim.equals(name)) {
                return Reply.ok(name);
            }
            return x -> {
                self[0].stopAccepting();
                return Reply.reset().perform(x);
            };
        };
    }

    @Test
    void getInFlightWhenItsServerDiesIsServedByTheOtherServer() throws Exception {
        // balance source sends every request of this client to one server, the retry included: the one that dies,
        // whose other pooled connections still look open until used, and which then refuses new connections.
        FakeServer[] sa = new FakeServer[1];
        FakeServer[] sb = new FakeServer[1];
        a = sa[0] = FakeServer.start(mortal("a", sa));
        b = sb[0] = FakeServer.start(mortal("b", sb));
        vars.put("A", a);
        vars.put("B", b);
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    balance: source
                    servers: [{ name: a, address: "${A}" }, { name: b, address: "${B}" }]
                """, vars);
        warmUp(8);
        String chosen = a.requestCount() == 8 ? "a" : "b";
        assertThat((chosen.equals("a") ? a : b).requestCount()).as("one server has them all").isEqualTo(8);
        victim = chosen;
        String survivor = chosen.equals("a") ? "b" : "a";
        for (int i = 0; i < 16; i++) {
            RawClient.Response r = exchange(GET);
            assertThat(r.status()).as("request %d: %s", i, r.rawText()).isEqualTo(200);
            assertThat(r.bodyText()).as("request %d; requests as connection/index: a %s, b %s", i,
                    seen(a), seen(b)).isEqualTo(survivor);
        }
    }

    @Test
    void postOnADeadPooledConnectionIsNotRetried() throws Exception {
        // The server may have taken the body and acted on it: RFC 9110 §9.2.2 leaves a non-idempotent request alone.
        a = FakeServer.start(firstThen("a", Reply.reset()));
        vars.put("A", a);
        start("[{ name: a, address: \"${A}\" }]");
        warmUp(4); // every event loop's pool holds some (a client connection may land on any loop)
        RawClient.Response r = exchange("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(r.status()).isEqualTo(502);
        assertThat(a.requests()).extracting(FakeServer.Request::method)
                .containsExactly("GET", "GET", "GET", "GET", "POST");
        assertThat(a.connectionCount()).as("no new connection for a retry").isEqualTo(4);
    }

    @Test
    void getWithABodyOnADeadPooledConnectionIsNotRetried() throws Exception {
        // The body has been streamed to the dead server and is not kept: there is nothing to send again.
        a = FakeServer.start(firstThen("a", Reply.reset()));
        vars.put("A", a);
        start("[{ name: a, address: \"${A}\" }]");
        warmUp(4);
        RawClient.Response r = exchange("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(r.status()).isEqualTo(502);
        assertThat(a.connectionCount()).as("no new connection for a retry").isEqualTo(4);
    }

    @Test
    void serverThatDropsEveryFreshConnectionGetsTheRequestTwiceAtMost() throws Exception {
        // A request that makes servers drop it (a crash, a "query of death") is not replayed at every server.
        a = FakeServer.start(Script.always(Reply.reset()));
        b = FakeServer.start(Script.always(Reply.reset()));
        vars.put("A", a);
        vars.put("B", b);
        start("[{ name: a, address: \"${A}\" }, { name: b, address: \"${B}\" }]");
        RawClient.Response r = exchange(GET);
        assertThat(r.status()).isEqualTo(502);
        Thread.sleep(100); // a third attempt would come at once; give it the chance to show
        assertThat(a.requestCount() + b.requestCount()).isEqualTo(2);
    }
}
