package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.fossinfra.events.Event;
import org.fossinfra.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password guessing against a whole node: refused, recorded, locked out after five failures, and floods kept cheap. */
class LoginRateLimitTest {
    @Test
    void fiveFailedSignInsLockTheClientOutWith429EvenForTheRightPassword(@TempDir Path dir) throws Exception {
        try (DashboardFixture f = DashboardFixture.start(dir)) {
            DashboardClient c = new DashboardClient(f.base());
            for (int i = 0; i < LoginLimiter.MAX_FAILURES; i++) {
                HttpResponse<String> r = c.login(i % 2 == 0 ? "alice" : "mallory", "guess-" + i);
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(r.body()).contains("Wrong user name or password.");
                assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
            }
            HttpResponse<String> locked = c.login(DashboardFixture.USER, DashboardFixture.PASSWORD);
            assertThat(locked.statusCode()).isEqualTo(429);
            assertThat(locked.body()).contains("Too many failed sign-ins. Try again in");
            assertThat(Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
            assertThat(c.login("bob", "another-guess").statusCode()).isEqualTo(429);

            List<Event> failed = f.node.events().recent(100, "auth.login.failed");
            assertThat(failed).hasSize(LoginLimiter.MAX_FAILURES);
            // mallory is no configured user: the typed name stays out of the event (see the next test).
            assertThat(failed).extracting(Event::actor).containsOnly("alice", LoginPage.UNKNOWN);
            assertThat(failed).extracting(e -> e.data().get("reason")).contains("wrong password", "unknown user");
            assertThat(failed).extracting(Event::subject).containsOnly("127.0.0.1");
            List<Event> limited = f.node.events().recent(100, "auth.login.limited");
            assertThat(limited).as("one event per lock-out, not one per refused attempt").hasSize(1);
            assertThat(f.node.events().recent(100, "auth.login")).isEmpty();
        }
    }

    @Test
    void aTypedNameThatIsNoUserNeverReachesTheEvents(@TempDir Path dir) throws Exception {
        // People type their password into the name box: such a name must not travel to the event log, the dashboard's
        // events page or the ops room (which is fed from the same events, see OpsRoomNotifierTest).
        String typed = "Tr0ub4dor&3-typed-in-the-wrong-box";
        try (DashboardFixture f = DashboardFixture.start(dir)) {
            DashboardClient c = new DashboardClient(f.base());
            for (int i = 0; i < LoginLimiter.MAX_FAILURES + 2; i++) {
                c.login(typed, "whatever");
            }
            List<Event> all = f.node.events().recent(1000, null);
            assertThat(all).extracting(Event::type).contains("auth.login.failed", "auth.login.limited");
            for (Event e : all) {
                assertThat(e.actor() + " " + e.subject() + " " + e.message() + " " + e.data()).as(e.type())
                        .doesNotContain("Tr0ub4dor");
            }
            assertThat(f.node.events().recent(10, "auth.login.failed").getFirst().message())
                    .isEqualTo("failed sign-in with a user name that is not configured, from 127.0.0.1");

            // A configured user's name is fine to show: it says whose account is being guessed.
            DashboardClient other = new DashboardClient(f.base(), "127.0.0.2");
            other.login("bob", "wrong-password");
            Event bob = f.node.events().recent(10, "auth.login.failed").getFirst();
            assertThat(bob.actor()).isEqualTo("bob");
            assertThat(bob.message()).isEqualTo("failed sign-in as 'bob' from 127.0.0.2: wrong password");
        }
    }

    /**
     * 200 concurrent wrong sign-ins from one address, while requests flow through the node's proxy and the right user
     * signs in from another address.
     *
     * <p>What is measured, and why so. The count of bcrypt checks is exact (the checker counts them) and is what makes a
     * flood cheap or dear: each check is a quarter of a second of a core or more. Before the limit counted attempts on
     * admission, all 200 passed it and queued on Vert.x's shared worker pool: 200 checks, over a minute of both cores
     * of the test machine, and the right user's sign-in waited behind them past its 10 s timeout. The proxy's latency
     * is compared within this one test, during the flood against the same probe just before it, so the machine's load
     * (other tests, other processes) is in both; the margin (three times the quiet p99, plus 50 ms) is wide enough for
     * that noise. It is a guard that the data plane is not starved, not what tells the fixed code from the old one:
     * the kernel shares cores fairly, and with the old code the p99 went from 14 to 32 ms on a two-core machine (within
     * the margin) while the flood took 94 s; what the old code fails is the count and the other address's sign-in.
     */
    @Test
    void aFloodOfConcurrentWrongSignInsCostsAHandfulOfChecksAndLeavesTrafficAndOtherAddressesAlone(@TempDir Path dir)
            throws Exception {
        try (DashboardFixture f = DashboardFixture.start(dir);
             Probe probe = new Probe(f.proxyPort(), 2)) {
            PasswordChecker checker = f.node.admin().orElseThrow().dashboard().passwords();
            Eventually.until(Duration.ofSeconds(30), "the probe's warm-up", () -> probe.done() >= 300);
            long quietFrom = System.nanoTime();
            long quietCount = probe.done();
            Eventually.until(Duration.ofSeconds(60), "the quiet sample", () -> probe.done() >= quietCount + 1000);
            long quietTo = System.nanoTime();
            long checksBefore = checker.checks();

            HttpClient flooder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            HttpRequest wrong = HttpRequest.newBuilder(URI.create(f.base() + "/login"))
                    .timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("user=alice&password=wrong-guess&next=%2F")).build();
            long floodFrom = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                flood.add(flooder.sendAsync(wrong, HttpResponse.BodyHandlers.ofString()));
            }
            // The right password from another address, while the flood is on.
            HttpResponse<String> alice = new DashboardClient(f.base(), "127.0.0.2")
                    .login(DashboardFixture.USER, DashboardFixture.PASSWORD);
            CompletableFuture.allOf(flood.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);
            long floodTo = System.nanoTime();

            long quiet = probe.p99(quietFrom, quietTo);
            long flooded = probe.p99(floodFrom, floodTo);
            System.out.printf("login flood: %d ms; proxy p99 %.1f ms quiet, %.1f ms during the flood (%d samples)%n",
                    TimeUnit.NANOSECONDS.toMillis(floodTo - floodFrom), quiet / 1e6, flooded / 1e6,
                    probe.count(floodFrom, floodTo));
            assertThat(alice.statusCode()).as("alice from 127.0.0.2: " + alice.body()).isEqualTo(303);
            int wrongPassword = 0;
            for (CompletableFuture<HttpResponse<String>> r : flood) {
                HttpResponse<String> res = r.get();
                assertThat(res.statusCode()).isIn(401, 429);
                if (res.statusCode() == 401) {
                    wrongPassword++;
                } else {
                    assertThat(Long.parseLong(res.headers().firstValue("Retry-After").orElseThrow())).isPositive();
                }
            }
            assertThat(wrongPassword).as("guesses that were checked").isLessThanOrEqualTo(LoginLimiter.MAX_FAILURES);
            assertThat(checker.checks() - checksBefore).as("bcrypt checks for 200 attempts and alice's sign-in")
                    .isLessThanOrEqualTo(LoginLimiter.MAX_FAILURES + 1);

            assertThat(flooded).as("proxy p99 during the flood, ns (quiet: " + quiet + ")")
                    .isLessThanOrEqualTo(3 * quiet + TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Requests through the proxy from a few threads, one after another each, timing every one (bounded: 3 min). */
    private static final class Probe implements AutoCloseable {
        private record Sample(long startNanos, long nanos) {
        }

        private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        private final AtomicLong done = new AtomicLong();
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean running = true;

        Probe(int port, int workers) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(30)).build();
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            for (int i = 0; i < workers; i++) {
                threads.add(Thread.ofPlatform().daemon().name("probe-" + i).start(() -> {
                    while (running && System.nanoTime() < until) {
                        long t0 = System.nanoTime();
                        try {
                            http.send(req, HttpResponse.BodyHandlers.discarding());
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            // counted with its time: a failed request is a slow one here
                        }
                        samples.add(new Sample(t0, System.nanoTime() - t0));
                        done.incrementAndGet();
                    }
                }));
            }
        }

        long done() {
            return done.get();
        }

        long count(long from, long to) {
            return samples.stream().filter(s -> s.startNanos >= from && s.startNanos < to).count();
        }

        /** The 99th percentile of the requests started in [from, to). */
        long p99(long from, long to) {
            long[] v = samples.stream().filter(s -> s.startNanos >= from && s.startNanos < to)
                    .mapToLong(Sample::nanos).sorted().toArray();
            assertThat(v).as("samples between the marks").hasSizeGreaterThan(20);
            return v[(int) Math.min(v.length - 1, Math.ceil(v.length * 0.99) - 1)];
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread t : threads) {
                t.join(35_000);
            }
        }
    }
}
