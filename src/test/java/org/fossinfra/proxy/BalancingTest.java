package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fossinfra.balance.AdminState;
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
 * Balancing end to end through the proxy (HAProxy's reg-tests/balance): which fake server each request reached, under
 * each algorithm, with backups, drained servers, and maxconn with its queue.
 *
 * <p>Every server answers with its own name; requests to {@code /slow} wait behind {@link #gate}, which is how a test
 * holds a request in flight on whichever server got it.
 */
class BalancingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Gate gate = new Gate();
    private final Map<String, FakeServer> fakes = new HashMap<>();
    private ProxyFixture proxy;

    @AfterEach
    void stop() {
        gate.open();
        if (proxy != null) {
            proxy.close();
        }
        fakes.values().forEach(FakeServer::close);
    }

    private Script named(String name) {
        return r -> r.target().startsWith("/slow") ? Reply.await(gate, Reply.ok(name)) : Reply.ok(name);
    }

    /** Starts fakes a, b, c, ... (as many as the backend yaml names ${A}, ${B}, ...) and a proxy in front. */
    private void start(String backend) throws Exception {
        Map<String, Object> vars = new HashMap<>();
        for (String n : List.of("a", "b", "c", "d")) {
            if (backend.contains("${" + n.toUpperCase() + "}")) {
                FakeServer f = FakeServer.builder().name(n).script(named(n)).start();
                fakes.put(n, f);
                vars.put(n.toUpperCase(), f);
            }
        }
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                %s
                """.formatted(backend.indent(4).stripTrailing()), vars);
    }

    private FakeServer fake(String name) {
        return fakes.get(name);
    }

    /** The names of the servers that answered {@code n} requests sent one after another on one connection. */
    private List<String> servedOnOneConnection(int n, String target) throws IOException {
        List<String> out = new ArrayList<>();
        try (RawClient c = proxy.client("http")) {
            for (int i = 0; i < n; i++) {
                RawClient.Response r = c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
                assertThat(r.status()).as(r.rawText()).isEqualTo(200);
                out.add(r.bodyText());
            }
        }
        return out;
    }

    private String servedOnNewConnection(String localAddress) throws IOException {
        try (RawClient c = RawClient.connect(proxy.port("http"), localAddress)) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(r.status()).as(r.rawText()).isEqualTo(200);
            return r.bodyText();
        }
    }

    /** Sends a request to /slow on a new connection and waits until some server holds it; returns the client. */
    private RawClient holdOne() throws Exception {
        int before = fakes.values().stream().mapToInt(FakeServer::requestCount).sum();
        RawClient c = proxy.client("http");
        c.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
        Eventually.until(WAIT, "a server to hold the slow request",
                () -> fakes.values().stream().mapToInt(FakeServer::requestCount).sum() > before);
        return c;
    }

    private String holder() {
        return fakes.entrySet().stream().filter(e -> e.getValue().requests().stream()
                .anyMatch(r -> r.target().startsWith("/slow"))).map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    private static Map<String, Integer> counts(List<String> names) {
        Map<String, Integer> m = new HashMap<>();
        names.forEach(n -> m.merge(n, 1, Integer::sum));
        return m;
    }

    // ---------------------------------------------------------------- algorithms

    @Test
    void roundRobinCyclesThroughThreeServersOnOneKeepAliveConnection() throws Exception {
        start("""
                balance: roundrobin
                servers: [{ name: a, address: "${A}" }, { name: b, address: "${B}" }, { name: c, address: "${C}" }]""");
        List<String> served = servedOnOneConnection(9, "/");
        // The rotation starts where this event loop's balancer starts; from there it is strict.
        assertThat(new HashSet<>(served.subList(0, 3))).containsExactlyInAnyOrder("a", "b", "c");
        for (int i = 3; i < 9; i++) {
            assertThat(served.get(i)).as("request %d of %s", i, served).isEqualTo(served.get(i - 3));
        }
        assertThat(fake("a").requestCount()).isEqualTo(3);
        assertThat(fake("b").requestCount()).isEqualTo(3);
        assertThat(fake("c").requestCount()).isEqualTo(3);
    }

    @Test
    void weightedRoundRobinSplitsInProportionToWeights() throws Exception {
        start("""
                balance: weighted-roundrobin
                servers:
                  - { name: a, address: "${A}", weight: 3 }
                  - { name: b, address: "${B}", weight: 2 }
                  - { name: c, address: "${C}", weight: 1 }""");
        List<String> served = servedOnOneConnection(60, "/");
        assertThat(counts(served)).containsEntry("a", 30).containsEntry("b", 20).containsEntry("c", 10);
        // Smooth: any window of one period (6 picks) holds each server exactly its weight.
        for (int i = 0; i + 6 <= served.size(); i++) {
            assertThat(counts(served.subList(i, i + 6))).as("window at %d of %s", i, served)
                    .containsEntry("a", 3).containsEntry("b", 2).containsEntry("c", 1);
        }
    }

    @Test
    void leastConnPrefersTheServerWithFewerRequestsInFlight() throws Exception {
        start("""
                balance: leastconn
                servers: [{ name: a, address: "${A}" }, { name: b, address: "${B}" }]""");
        String busy;
        try (RawClient held = holdOne()) {
            busy = holder();
            String idle = busy.equals("a") ? "b" : "a";
            assertThat(servedOnOneConnection(6, "/")).containsOnly(idle);
            assertThat(proxy.server("app", busy).active()).isEqualTo(1);
            gate.open();
            RawClient.Response r = held.readResponse();
            assertThat(r.bodyText()).isEqualTo(busy);
        }
        assertThat(fake(busy).requestCount()).isEqualTo(1);
    }

    @Test
    void sourceKeepsOneClientOnOneServer() throws Exception {
        start("""
                balance: source
                servers: [{ name: a, address: "${A}" }, { name: b, address: "${B}" }, { name: c, address: "${C}" }]""");
        Set<String> servedBy = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            servedBy.add(servedOnNewConnection("127.0.0.1"));
        }
        assertThat(servedBy).hasSize(1);
    }

    @Test
    void sourceSpreadsDifferentClientsAndKeepsEachOnItsServer() throws Exception {
        start("""
                balance: source
                servers: [{ name: a, address: "${A}" }, { name: b, address: "${B}" }, { name: c, address: "${C}" }]""");
        Map<String, String> first = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (int host = 1; host <= 12; host++) {
                String client = "127.0.0." + host;
                String server = servedOnNewConnection(client);
                String before = first.putIfAbsent(client, server);
                assertThat(server).as("client %s", client).isEqualTo(before == null ? server : before);
            }
        }
        assertThat(new HashSet<>(first.values())).as("12 clients over 3 servers: %s", first).hasSizeGreaterThan(1);
    }

    @Test
    void randomSpreadsOverEveryServer() throws Exception {
        start("""
                balance: random
                servers: [{ name: a, address: "${A}" }, { name: b, address: "${B}" }, { name: c, address: "${C}" }]""");
        Map<String, Integer> counts = counts(servedOnOneConnection(90, "/"));
        // Each server's share is Binomial(90, 1/3): fewer than 10 happens with probability below 1e-6.
        assertThat(counts.keySet()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(10));
    }

    // ---------------------------------------------------------------- server states

    @Test
    void backupTakesTrafficOnlyWhenEveryPrimaryIsDown() throws Exception {
        start("""
                balance: roundrobin
                servers:
                  - { name: a, address: "${A}" }
                  - { name: b, address: "${B}" }
                  - { name: c, address: "${C}", backup: true }""");
        assertThat(servedOnOneConnection(6, "/")).containsOnly("a", "b");
        proxy.server("app", "a").setHealthy(false);
        assertThat(servedOnOneConnection(4, "/")).containsOnly("b");
        proxy.server("app", "b").setHealthy(false);
        assertThat(servedOnOneConnection(4, "/")).containsOnly("c");
        proxy.server("app", "a").setHealthy(true);
        assertThat(servedOnOneConnection(4, "/")).containsOnly("a");
    }

    @Test
    void backupTakesOverWhileThePrimaryIsInMaintenance() throws Exception {
        start("""
                servers:
                  - { name: a, address: "${A}" }
                  - { name: c, address: "${C}", backup: true }""");
        proxy.server("app", "a").setAdminState(AdminState.MAINT);
        assertThat(servedOnOneConnection(2, "/")).containsOnly("c");
        proxy.server("app", "a").setAdminState(AdminState.READY);
        assertThat(servedOnOneConnection(2, "/")).containsOnly("a");
    }

    @Test
    void drainedServerTakesNoNewRequestsButFinishesItsInFlightOne() throws Exception {
        start("""
                balance: roundrobin
                servers: [{ name: a, address: "${A}" }, { name: b, address: "${B}" }]""");
        try (RawClient held = holdOne()) {
            String draining = holder();
            String other = draining.equals("a") ? "b" : "a";
            proxy.server("app", draining).setAdminState(AdminState.DRAIN);
            assertThat(servedOnOneConnection(6, "/")).containsOnly(other);
            gate.open();
            RawClient.Response r = held.readResponse();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(draining);
            assertThat(fake(draining).requestCount()).isEqualTo(1);
            assertThat(proxy.server("app", draining).active()).isZero();
        }
    }

    @Test
    void weightZeroServerTakesNoNewRequests() throws Exception {
        start("""
                balance: roundrobin
                servers: [{ name: a, address: "${A}" }, { name: b, address: "${B}", weight: 0 }]""");
        assertThat(servedOnOneConnection(4, "/")).containsOnly("a");
        proxy.server("app", "b").setWeight(1);
        assertThat(servedOnOneConnection(4, "/")).contains("a", "b");
    }

    // ---------------------------------------------------------------- maxconn and the queue

    @Test
    void requestBeyondMaxconnQueuesAndCompletesWhenTheFirstEnds() throws Exception {
        start("""
                servers: [{ name: a, address: "${A}", maxconn: 1 }]""");
        try (RawClient held = holdOne(); RawClient second = proxy.client("http")) {
            second.send("GET /second HTTP/1.1\r\nHost: a\r\n\r\n");
            Eventually.until(WAIT, "the second request to queue", () -> proxy.backend("app").queueLength() == 1);
            Thread.sleep(100);
            assertThat(fake("a").requestCount()).as("the queued request is not sent").isEqualTo(1);
            gate.open();
            assertThat(held.readResponse().status()).isEqualTo(200);
            RawClient.Response r = second.readResponse();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(fake("a").requests()).extracting(FakeServer.Request::target).containsExactly("/slow", "/second");
        assertThat(proxy.backend("app").queueLength()).isZero();
        assertThat(proxy.server("app", "a").active()).isZero();
    }

    @Test
    void queuedRequestsAreServedInArrivalOrder() throws Exception {
        start("""
                servers: [{ name: a, address: "${A}", maxconn: 1 }]""");
        List<RawClient> waiting = new ArrayList<>();
        try (RawClient held = holdOne()) {
            for (int i = 1; i <= 4; i++) {
                RawClient c = proxy.client("http");
                waiting.add(c);
                c.send("GET /q" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
                int expected = i;
                Eventually.until(WAIT, "request " + i + " to queue", () -> proxy.backend("app").queueLength() == expected);
            }
            gate.open();
            assertThat(held.readResponse().status()).isEqualTo(200);
            for (RawClient c : waiting) {
                assertThat(c.readResponse().status()).isEqualTo(200);
            }
        } finally {
            waiting.forEach(RawClient::close);
        }
        assertThat(fake("a").requests()).extracting(FakeServer.Request::target)
                .containsExactly("/slow", "/q1", "/q2", "/q3", "/q4");
    }

    @Test
    void queuedRequestTimesOutWith503AfterTimeoutQueue() throws Exception {
        start("""
                timeouts: { queue: 300ms }
                servers: [{ name: a, address: "${A}", maxconn: 1 }]""");
        try (RawClient held = holdOne(); RawClient second = proxy.client("http")) {
            long start = System.nanoTime();
            RawClient.Response r = second.send("GET /second HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).startsWith("503 ").hasSizeLessThan(200);
            assertThat(ms).isBetween(250L, 3000L);
            assertThat(proxy.backend("app").queueLength()).isZero();
            gate.open();
            assertThat(held.readResponse().status()).isEqualTo(200);
        }
        assertThat(fake("a").requests()).extracting(FakeServer.Request::target).containsExactly("/slow");
    }

    @Test
    void queueSizeZeroRefusesWith503AtOnce() throws Exception {
        start("""
                queue-size: 0
                timeouts: { queue: 10s }
                servers: [{ name: a, address: "${A}", maxconn: 1 }]""");
        try (RawClient held = holdOne(); RawClient second = proxy.client("http")) {
            long start = System.nanoTime();
            RawClient.Response r = second.send("GET /second HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(r.status()).isEqualTo(503);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000L);
            gate.open();
            assertThat(held.readResponse().status()).isEqualTo(200);
        }
        assertThat(fake("a").requestCount()).isEqualTo(1);
    }

    @Test
    void clientGivingUpWhileQueuedLeavesTheQueue() throws Exception {
        start("""
                servers: [{ name: a, address: "${A}", maxconn: 1 }]""");
        try (RawClient held = holdOne()) {
            RawClient quitter = proxy.client("http");
            quitter.send("GET /quitter HTTP/1.1\r\nHost: a\r\n\r\n");
            Eventually.until(WAIT, "the request to queue", () -> proxy.backend("app").queueLength() == 1);
            quitter.close();
            Eventually.until(WAIT, "the queue to empty", () -> proxy.backend("app").queueLength() == 0);
            gate.open();
            assertThat(held.readResponse().status()).isEqualTo(200);
            assertThat(servedOnOneConnection(1, "/after")).containsExactly("a");
        }
        assertThat(fake("a").requests()).extracting(FakeServer.Request::target).containsExactly("/slow", "/after");
    }
}
