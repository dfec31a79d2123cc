package org.fossinfra.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.fossinfra.config.MatrixConfig;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Grouping: a burst of one type within the window is one message; windows, order and the per-type switches. The
 * clock is the test's (nanoseconds handed to {@code add} and {@code flushDue}), so nothing here waits.
 */
class OpsRoomNotifierTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

    @TempDir
    Path dir;
    private final EventLog log = EventLog.inMemory(1_000);
    private long ids;

    private static MatrixConfig config(Map<String, Boolean> notify) {
        return new MatrixConfig(true, URI.create("http://127.0.0.1:8008"), "@bot:example.org", Optional.of("pw"),
                Optional.empty(), "DEV", Optional.empty(), "ops", "topic", List.of(), List.of(), notify,
                Duration.ofSeconds(5), Duration.ofMillis(10), 5, 100, Duration.ofSeconds(30));
    }

    private Outbox outbox() {
        return Outbox.open(dir.resolve("outbox"), 100, new LogLimiter(LoggerFactory.getLogger("test"), 60_000));
    }

    private Event event(String type, String subject, String message) {
        long id = ++ids;
        return new Event(id, T.plusMillis(id * 100), type, "health", subject, message, Map.of(), "node-1");
    }

    private static List<String> drain(Outbox o) throws InterruptedException {
        List<String> bodies = new ArrayList<>();
        for (Outgoing m = o.awaitHead(0); m != null; m = o.awaitHead(0)) {
            bodies.add(m.body());
            o.remove(m);
        }
        return bodies;
    }

    @Test
    void tenServersFailingWithinTheWindowAreOneMessageListingTen() throws Exception {
        Outbox o = outbox();
        OpsRoomNotifier n = new OpsRoomNotifier(config(Map.of()), "node-1", o, log);
        for (int i = 1; i <= 10; i++) {
            n.add(event("server.down", "web/web" + i, "web/web" + i + " is DOWN"), i * S / 4);
        }
        n.flushDue(S / 4 + 5 * S - 1);
        assertThat(o.size()).as("nothing before the window ends").isZero();
        n.flushDue(S / 4 + 5 * S);

        List<String> bodies = drain(o);
        assertThat(bodies).hasSize(1);
        assertThat(bodies.getFirst()).startsWith("🔴 10 × server.down on node-1, ");
        for (int i = 1; i <= 10; i++) {
            assertThat(bodies.getFirst()).contains("• web/web" + i + " is DOWN");
        }
    }

    @Test
    void anEventAfterTheWindowStartsANewMessage() throws Exception {
        Outbox o = outbox();
        OpsRoomNotifier n = new OpsRoomNotifier(config(Map.of()), "node-1", o, log);
        n.add(event("server.down", "web/web1", "web/web1 is DOWN"), 0);
        n.add(event("server.down", "web/web2", "web/web2 is DOWN"), 4 * S);
        n.flushDue(5 * S);
        n.add(event("server.down", "web/web3", "web/web3 is DOWN"), 6 * S);
        n.flushDue(11 * S);

        List<String> bodies = drain(o);
        assertThat(bodies).hasSize(2);
        assertThat(bodies.get(0)).startsWith("🔴 2 × server.down").contains("web/web1").contains("web/web2");
        assertThat(bodies.get(1)).startsWith("🔴 web/web3 is DOWN (server.down on node-1, ");
    }

    @Test
    void aServerGoingDownAndUpWithinTheWindowIsToldInThatOrder() throws Exception {
        Outbox o = outbox();
        OpsRoomNotifier n = new OpsRoomNotifier(config(Map.of()), "node-1", o, log);
        n.add(event("server.up", "web/web9", "web/web9 is UP"), 0);
        n.add(event("server.down", "web/web1", "web/web1 is DOWN"), S);
        n.add(event("server.up", "web/web1", "web/web1 is UP"), 2 * S);
        n.flushDue(20 * S);

        List<String> bodies = drain(o);
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(0)).contains("web/web9 is UP");
        assertThat(bodies.get(1)).contains("web/web1 is DOWN");
        assertThat(bodies.get(2)).contains("web/web1 is UP");
    }

    @Test
    void aHugeBurstListsTheFirstAndCountsTheRest() throws Exception {
        Outbox o = outbox();
        OpsRoomNotifier n = new OpsRoomNotifier(config(Map.of()), "node-1", o, log);
        for (int i = 1; i <= Messages.MAX_LISTED + 5; i++) {
            n.add(event("service.unhealthy", "svc" + i, "svc" + i + " is UNHEALTHY"), i);
        }
        n.flushAll();

        String body = drain(o).getFirst();
        assertThat(body).startsWith("🔴 30 × service.unhealthy").contains("svc25 is UNHEALTHY")
                .doesNotContain("svc26 is UNHEALTHY").endsWith("… and 5 more (see the event log)");
    }

    @Test
    void onlyTheEnabledTypesArePostedAndNeverTheBotsOwn() throws Exception {
        Outbox o = outbox();
        OpsRoomNotifier n = new OpsRoomNotifier(config(Map.of("server.*", false, "server.state", true,
                "config.reload.failed", false)), "node-1", o, log);
        n.start();
        log.record(EventType.SERVER_DOWN, "health", "web/web1", "web/web1 is DOWN");
        log.record(EventType.SERVER_STATE, "@ops:example.org", "web/web2", "web/web2 set to DRAIN by @ops:example.org");
        log.record(EventType.SERVICE_UNHEALTHY, "health", "redis", "redis is UNHEALTHY");
        log.record(EventType.CONFIG_RELOAD, "ops", "node-1", "config reloaded");
        log.record(EventType.CONFIG_RELOAD_FAILED, "ops", "node-1", "config reload failed");
        log.record(EventType.AUTH_LOGIN, "alice", "dashboard", "alice signed in");
        log.record(EventType.MATRIX_UNAVAILABLE, "matrix", "node-1", "the homeserver is unavailable");
        n.close(); // posts what is grouped at once

        assertThat(drain(o)).satisfiesExactly(
                b -> assertThat(b).contains("web/web2 set to DRAIN by @ops:example.org"),
                b -> assertThat(b).contains("redis is UNHEALTHY"),
                b -> assertThat(b).contains("config reloaded"));
    }
}
