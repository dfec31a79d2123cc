package org.fossinfra.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.fossinfra.events.EventType;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.RealMatrix;
import org.fossinfra.testing.services.SynapseUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Synapse going away for 30 seconds in the middle of a burst, and a real 429: every notification arrives
 * exactly once and in order. The homeserver is stopped and started with the scripts test-services.sh wrote for it,
 * so this is the real process going away, requests in flight included.
 */
class MatrixOutageSynapseTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    private BotNode n;
    private final String tag = Long.toString(System.nanoTime(), 36);
    private volatile boolean homeserverDown;

    @AfterEach
    void stop() throws Exception {
        if (homeserverDown) {
            RealMatrix.startHomeserver();
        }
        if (n != null) {
            n.close();
        }
    }

    @Test
    void aThirtySecondOutageDuringABurstLosesNothingAndDuplicatesNothing() throws Exception {
        n = BotNode.start(dir, "node-" + tag, """
                  room: "#outage-%s:%s"
                  operators: ["%s"]
                  group-window: 100ms
                  send-interval: 20ms
                  send-burst: 50
                  max-backoff: 5s
                """.formatted(tag, RealMatrix.serverName(), RealMatrix.opsUser()));
        String room = n.awaitRoom();
        SynapseUser ops = RealMatrix.ops();
        Eventually.until(WAIT, "the operator's invite", () -> ops.tryJoin(room));

        // One event every 400 ms, each its own message (the group window is 100 ms), before, during and after.
        AtomicInteger recorded = new AtomicInteger();
        Thread burst = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    int i = recorded.incrementAndGet();
                    n.node.events().record("test.burst", "test", "burst-" + i, String.format("burst %03d", i));
                    Thread.sleep(400);
                }
            } catch (InterruptedException e) {
                // done
            }
        }, "burst");
        burst.start();
        try {
            Thread.sleep(2_000);
            RealMatrix.stopHomeserver();
            homeserverDown = true;
            Thread.sleep(30_000);
            RealMatrix.startHomeserver();
            homeserverDown = false;
            Thread.sleep(3_000);
        } finally {
            burst.interrupt();
            burst.join(5_000);
        }
        int total = recorded.get();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            expected.add(String.format("burst %03d", i));
        }

        Eventually.until(WAIT, total + " burst messages in the room", () -> burstMessages(ops, room).size() >= total);
        // A little longer: a duplicate would be posted by a retry right after the last one.
        Thread.sleep(3_000);
        assertThat(total).isGreaterThan(80);
        assertThat(burstMessages(ops, room)).containsExactlyElementsOf(expected);
        assertThat(n.events(EventType.MATRIX_UNAVAILABLE)).hasSize(1);
        assertThat(n.events(EventType.MATRIX_CONNECTED)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(n.bot().status().queued()).isZero();
    }

    @Test
    void aRealRateLimitIsWaitedOutAndEveryMessageStillArrivesOnceInOrder() throws Exception {
        String localpart = "limited-" + tag;
        String password = "pw-" + tag + "-0123456789";
        SynapseUser.register(RealMatrix.url(), RealMatrix.require("FOSS_TEST_MATRIX_REGISTRATION_SECRET"), localpart,
                password, false);
        String user = "@" + localpart + ":" + RealMatrix.serverName();
        SynapseUser ops = RealMatrix.ops();
        // One message a second with no burst for this bot: its own pace (100 back to back) is far faster.
        ops.overrideRateLimit(user, 1, 1);
        n = BotNode.start(dir, "node-" + tag, """
                  room: "#limited-%s:%s"
                  operators: ["%s"]
                  group-window: 100ms
                  send-interval: 10ms
                  send-burst: 100
                  max-backoff: 5s
                """.formatted(tag, RealMatrix.serverName(), RealMatrix.opsUser()), user, password);
        String room = n.awaitRoom();
        Eventually.until(WAIT, "the operator's invite", () -> ops.tryJoin(room));

        for (int i = 1; i <= 5; i++) {
            n.node.events().record("test.burst", "test", "burst-" + i, String.format("burst %03d", i));
            Thread.sleep(250);
        }

        Eventually.until(WAIT, "5 burst messages in the room", () -> burstMessages(ops, room, user).size() >= 5);
        Thread.sleep(2_000);
        assertThat(burstMessages(ops, room, user))
                .containsExactly("burst 001", "burst 002", "burst 003", "burst 004", "burst 005");
        assertThat(n.bot().status().lastError()).hasValueSatisfying(e -> assertThat(e).contains("429")
                .contains("M_LIMIT_EXCEEDED"));
        // Rate limited is not unavailable: no outage event for it.
        assertThat(n.events(EventType.MATRIX_UNAVAILABLE)).isEmpty();
    }

    private static List<String> burstMessages(SynapseUser reader, String room) {
        return burstMessages(reader, room, RealMatrix.botUser());
    }

    /** The bodies of the bot's burst notifications, oldest first, each cut to its "burst NNN" part. */
    private static List<String> burstMessages(SynapseUser reader, String room, String bot) {
        try {
            return reader.bodiesFrom(room, bot).stream().filter(b -> b.contains("burst "))
                    .map(b -> b.substring(b.indexOf("burst "), b.indexOf("burst ") + 9)).toList();
        } catch (Exception e) {
            return List.of();
        }
    }
}
