package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Reply;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many clients at once over every event loop: each gets its own responses (no cross-talk between pooled
 * connections), maxconn holds across loops, and when the traffic is over every slot and queue place is given back.
 */
class ConcurrencyTest {
    private static final int CLIENTS = 24;
    private static final int REQUESTS = 20;

    private final List<FakeServer> fakes = new ArrayList<>();
    private ProxyFixture proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        fakes.forEach(FakeServer::close);
    }

    /** Echoes the target after a short random delay, tracking how many requests it holds at once. */
    private static Script echoCounting(String name, AtomicInteger inFlight, AtomicInteger peak) {
        return r -> x -> {
            int now = inFlight.incrementAndGet();
            peak.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(1 + ThreadLocalRandom.current().nextInt(3));
            } finally {
                inFlight.decrementAndGet();
            }
            return Reply.ok(name + " " + r.target()).perform(x);
        };
    }

    private void run(String serverExtra) throws Exception {
        run(serverExtra, "");
    }

    private void runWithBackendExtra(String backendExtra) throws Exception {
        run("", backendExtra);
    }

    private void run(String serverExtra, String backendExtra) throws Exception {
        AtomicInteger[] inFlight = {new AtomicInteger(), new AtomicInteger()};
        AtomicInteger[] peak = {new AtomicInteger(), new AtomicInteger()};
        for (int i = 0; i < 2; i++) {
            fakes.add(FakeServer.start(echoCounting("s" + i, inFlight[i], peak[i])));
        }
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: app
                backends:
                  - name: app
                    balance: roundrobin
                    timeouts: { queue: 20s }
                %2$s    servers:
                      - { name: s0, address: "${S0}"%1$s }
                      - { name: s1, address: "${S1}"%1$s }
                """.formatted(serverExtra, backendExtra), Map.of("S0", fakes.get(0), "S1", fakes.get(1)));
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    try (RawClient raw = proxy.client("http").timeout(Duration.ofSeconds(20))) {
                        for (int i = 0; i < REQUESTS; i++) {
                            String target = "/c" + client + "/r" + i;
                            RawClient.Response r = raw.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n")
                                    .readResponse();
                            assertThat(r.status()).as(r.rawText()).isEqualTo(200);
                            assertThat(r.bodyText()).matches("s[01] " + target.replace("/", "\\/"));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = CLIENTS * REQUESTS;
        assertThat(fakes.get(0).requestCount() + fakes.get(1).requestCount()).isEqualTo(total);
        assertThat(proxy.backend("app").counters().requests()).isEqualTo(total);
        assertThat(proxy.backend("app").counters().responses(2)).isEqualTo(total);
        assertThat(proxy.backend("app").counters().errors()).isZero();
        Eventually.until(Duration.ofSeconds(5), "every slot to be released",
                () -> proxy.server("app", "s0").active() == 0 && proxy.server("app", "s1").active() == 0);
        assertThat(proxy.backend("app").queueLength()).isZero();
        lastPeaks = new int[] {peak[0].get(), peak[1].get()};
    }

    private int[] lastPeaks;

    @Test
    void concurrentClientsEachGetTheirOwnResponsesAndEverySlotIsReleased() throws Exception {
        run("");
        // Round robin spreads evenly enough: each server saw a fair share.
        assertThat(fakes.get(0).requestCount()).isBetween(CLIENTS * REQUESTS / 4, CLIENTS * REQUESTS * 3 / 4);
        // The control for the maxconn test below: without a limit the servers do hold more than 2 at once.
        assertThat(lastPeaks[0] + lastPeaks[1]).isGreaterThan(4);
    }

    @Test
    void serverConnectionsFollowPeakConcurrencyNotTheNumberOfRequests() throws Exception {
        run("");
        int opened = fakes.get(0).connectionCount() + fakes.get(1).connectionCount();
        // Each event loop pools what it used: at most the peak per server per loop, whatever the request count.
        assertThat(opened).as("server connections opened for %d requests", CLIENTS * REQUESTS)
                .isLessThanOrEqualTo(2 * (lastPeaks[0] + lastPeaks[1]));
    }

    @Test
    void aTinyPoolCapMakesRequestsOpenTheirOwnConnections() throws Exception {
        // The control for the test above: with a pool cap below the concurrency, connections churn.
        runWithBackendExtra("    pool: { max-idle-per-server: 1 }\n");
        int opened = fakes.get(0).connectionCount() + fakes.get(1).connectionCount();
        assertThat(opened).isGreaterThan(2 * (lastPeaks[0] + lastPeaks[1]));
    }

    @Test
    void maxconnHoldsAcrossEventLoopsUnderConcurrency() throws Exception {
        run(", maxconn: 2");
        assertThat(lastPeaks[0]).as("requests s0 held at once").isBetween(1, 2);
        assertThat(lastPeaks[1]).as("requests s1 held at once").isBetween(1, 2);
        assertThat(proxy.server("app", "s0").totalRequests() + proxy.server("app", "s1").totalRequests())
                .isEqualTo(CLIENTS * REQUESTS);
    }
}
