package org.fossinfra.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.fossinfra.balance.AdminState;
import org.fossinfra.events.EventType;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.RealMatrix;
import org.fossinfra.testing.services.SynapseUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot against the real Synapse of the test run, inside a whole node: the room, grouped notifications from real
 * health checks, commands from real users, and restarts of the node. The outage and rate-limit cases are in
 * {@link MatrixOutageSynapseTest}.
 */
class MatrixBotSynapseTest {
    private static final Duration WAIT = BotNode.WAIT;

    @TempDir
    Path dir;
    private BotNode n;
    private final String tag = Long.toString(System.nanoTime(), 36);

    @AfterEach
    void stop() {
        if (n != null) {
            n.close();
        }
    }

    private BotNode start(String extra) throws Exception {
        n = BotNode.start(dir, "node-" + tag, """
                  room: "#ops-%s:%s"
                  operators: ["%s"]
                  invite: ["%s"]
                  send-interval: 50ms
                  send-burst: 20
                  max-backoff: 3s
                %s""".formatted(tag, RealMatrix.serverName(), RealMatrix.opsUser(), RealMatrix.outsiderUser(), extra));
        return n;
    }

    @Test
    void createsTheRoomWithItsAliasInvitesOperatorsAndPostsTheNodeStart() throws Exception {
        start("  group-window: 500ms");
        String room = n.awaitRoom();
        SynapseUser ops = RealMatrix.ops();

        Eventually.until(WAIT, "the operator's invite", () -> ops.tryJoin(room));
        assertThat(ops.join("#ops-" + tag + ":" + RealMatrix.serverName())).isEqualTo(room);
        Eventually.until(WAIT, "the node.start notification", () -> bodies(ops, room).stream()
                .anyMatch(b -> b.contains("node node-" + tag + " started")));
        assertThat(n.events(EventType.MATRIX_CONNECTED)).singleElement()
                .satisfies(e -> assertThat(e.message()).contains(RealMatrix.botUser()).contains(room));
        assertThat(n.bot().status().userId()).isEqualTo(RealMatrix.botUser());
    }

    @Test
    void serversFailingTogetherMakeExactlyOneGroupedMessage() throws Exception {
        start("  group-window: 2s");
        String room = n.awaitRoom();
        SynapseUser ops = RealMatrix.ops();
        Eventually.until(WAIT, "the operator's invite", () -> ops.tryJoin(room));

        n.health.values().forEach(h -> h.set(500));
        Eventually.until(WAIT, "three server.down events", () -> n.events(EventType.SERVER_DOWN).size() == 3);
        Eventually.until(WAIT, "the grouped message", () -> !downMessages(ops, room).isEmpty());
        // Twice the group window more: nothing else about these failures may follow.
        Thread.sleep(4_000);

        List<String> down = downMessages(ops, room);
        assertThat(down).hasSize(1);
        assertThat(down.getFirst()).startsWith("🔴 3 × server.down on node-" + tag)
                .contains("web/web1 is DOWN").contains("web/web2 is DOWN").contains("web/web3 is DOWN");
    }

    @Test
    void anOperatorDrainsAServerFromChatAndTheAnswerComesAsAReply() throws Exception {
        start("  group-window: 500ms");
        String room = n.awaitRoom();
        SynapseUser ops = RealMatrix.ops();
        Eventually.until(WAIT, "the operator's invite", () -> ops.tryJoin(room));

        String command = ops.say(room, "!drain web/web2");

        Eventually.until(WAIT, "web2 to drain", () -> n.adminState("web2") == AdminState.DRAIN);
        JsonObject reply = awaitReply(ops, room, command);
        assertThat(reply.getJsonObject("content").getString("msgtype")).isEqualTo("m.notice");
        assertThat(reply.getJsonObject("content").getString("body"))
                .startsWith("web/web2 set to DRAIN (was READY)");
        assertThat(n.events(EventType.SERVER_STATE)).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo(RealMatrix.opsUser());
            assertThat(e.subject()).isEqualTo("web/web2");
        });
    }

    @Test
    void someoneOffTheAllowlistIsRefusedAndTheRefusalIsAnEvent() throws Exception {
        start("  group-window: 500ms");
        String room = n.awaitRoom();
        SynapseUser outsider = RealMatrix.outsider();
        Eventually.until(WAIT, "the outsider's invite", () -> outsider.tryJoin(room));

        String command = outsider.say(room, "!drain web/web1");

        JsonObject reply = awaitReply(outsider, room, command);
        assertThat(reply.getJsonObject("content").getString("body"))
                .startsWith("Refused: " + RealMatrix.outsiderUser() + " may not run !drain web/web1");
        assertThat(n.adminState("web1")).isEqualTo(AdminState.READY);
        assertThat(n.events(EventType.MATRIX_COMMAND_REFUSED)).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo(RealMatrix.outsiderUser());
            assertThat(e.subject()).isEqualTo("web/web1");
        });
        assertThat(n.events(EventType.SERVER_STATE)).isEmpty();
        // Read-only commands are open to anyone in the room.
        String status = outsider.say(room, "!status");
        assertThat(awaitReply(outsider, room, status).getJsonObject("content").getString("body"))
                .startsWith("node-" + tag + ": 1 backend(s), 3 of 3 server(s) UP");
    }

    @Test
    void aRestartedNodeNeitherReplaysOldCommandsNorRunsOnesSentWhileItWasDown() throws Exception {
        start("  group-window: 500ms");
        String room = n.awaitRoom();
        SynapseUser ops = RealMatrix.ops();
        Eventually.until(WAIT, "the operator's invite", () -> ops.tryJoin(room));
        String drain = ops.say(room, "!drain web/web2");
        awaitReply(ops, room, drain);

        n.restart();
        n.awaitRoom();
        String status = ops.say(room, "!status");
        awaitReply(ops, room, status);

        // The new node starts from the config (web2 READY); a replayed !drain would have drained it again.
        assertThat(n.adminState("web2")).isEqualTo(AdminState.READY);
        assertThat(n.events(EventType.SERVER_STATE)).isEmpty();
        assertThat(repliesTo(ops, room, drain)).hasSize(1);

        n.stopNode();
        String whileDown = ops.say(room, "!drain web/web1");
        n.startAgain();
        n.awaitRoom();
        JsonObject notRun = awaitReply(ops, room, whileDown);
        assertThat(notRun.getJsonObject("content").getString("body")).startsWith("Not run: this command was sent at");
        assertThat(n.adminState("web1")).isEqualTo(AdminState.READY);
        assertThat(n.events(EventType.SERVER_STATE)).isEmpty();
    }

    @Test
    void theStateFileHoldsTheRoomAndPositionAndNoSecret() throws Exception {
        start("  group-window: 500ms");
        String room = n.awaitRoom();
        String state = java.nio.file.Files.readString(dir.resolve("data/matrix/state.json"));
        assertThat(new JsonObject(state).getString("room")).isEqualTo(room);
        assertThat(new JsonObject(state).getString("next_batch")).isNotEmpty();
        assertThat(state).doesNotContain(RealMatrix.botPassword()).doesNotContain("access_token");
    }

    private static List<String> bodies(SynapseUser reader, String room) {
        try {
            return reader.bodiesFrom(room, RealMatrix.botUser());
        } catch (Exception e) {
            return List.of();
        }
    }

    private static List<String> downMessages(SynapseUser reader, String room) {
        return bodies(reader, room).stream().filter(b -> b.contains("server.down")).toList();
    }

    /** The bot's replies to event {@code eventId}. */
    static List<JsonObject> repliesTo(SynapseUser reader, String room, String eventId) throws Exception {
        return reader.messages(room).stream().filter(m -> {
            JsonObject rel = m.getJsonObject("content", new JsonObject()).getJsonObject("m.relates_to");
            return rel != null && rel.getJsonObject("m.in_reply_to") != null
                    && eventId.equals(rel.getJsonObject("m.in_reply_to").getString("event_id"));
        }).toList();
    }

    static JsonObject awaitReply(SynapseUser reader, String room, String eventId) throws Exception {
        Eventually.until(WAIT, "the bot's reply to " + eventId, () -> {
            try {
                return !repliesTo(reader, room, eventId).isEmpty();
            } catch (Exception e) {
                return false;
            }
        });
        return repliesTo(reader, room, eventId).getFirst();
    }
}
