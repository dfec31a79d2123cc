package org.fossinfra.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fossinfra.events.EventType;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.RealMatrix;
import org.fossinfra.testing.services.SynapseUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Synapse forgetting the bot's access token (M_UNKNOWN_TOKEN), made to happen the way it happens in life: an
 * admin deletes the bot's device, or its session is logged out. With a password the bot signs in again and goes on;
 * with only an access token it stops, with one event that says why, and the node goes on serving.
 */
class MatrixSessionSynapseTest {
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

    private String matrixYaml(String room) {
        return """
                  room: "#%s-%s:%s"
                  operators: ["%s"]
                  group-window: 100ms
                  send-interval: 50ms
                  send-burst: 20
                  max-backoff: 2s
                """.formatted(room, tag, RealMatrix.serverName(), RealMatrix.opsUser());
    }

    @Test
    void aDeletedDeviceMakesTheBotSignInAgainWithItsPasswordAndGoOnPosting() throws Exception {
        n = BotNode.start(dir, "node-" + tag, matrixYaml("relogin"));
        String room = n.awaitRoom();
        SynapseUser ops = RealMatrix.ops();
        Eventually.until(WAIT, "the operator's invite", () -> ops.tryJoin(room));
        n.node.events().record("test.note", "test", "before", "before-" + tag);
        Eventually.until(WAIT, "the first note", () -> bodies(ops, room).stream().anyMatch(b -> b.contains("before-" + tag)));
        String device = n.bot().status().deviceId();

        ops.deleteDevice(RealMatrix.botUser(), device);
        n.node.events().record("test.note", "test", "after", "after-" + tag);

        Eventually.until(WAIT, "the note recorded after the device was deleted",
                () -> bodies(ops, room).stream().anyMatch(b -> b.contains("after-" + tag)));
        assertThat(n.events(EventType.MATRIX_SIGNED_IN_AGAIN)).singleElement().satisfies(e -> assertThat(e.message())
                .contains("M_UNKNOWN_TOKEN").contains("signed in again with matrix.password").contains(device));
        assertThat(n.events(EventType.MATRIX_STOPPED)).isEmpty();
        assertThat(n.bot().status().deviceId()).isEqualTo(device);
        assertThat(bodies(ops, room).stream().filter(b -> b.contains("after-" + tag))).hasSize(1);
        // Commands still work on the new session.
        String status = ops.say(room, "!status");
        assertThat(MatrixBotSynapseTest.awaitReply(ops, room, status).getJsonObject("content").getString("body"))
                .contains("alerts: no alerting configured");
    }

    @Test
    void aRefusedAccessTokenWithoutAPasswordStopsTheBotWithOneClearEventAndTheNodeServesOn() throws Exception {
        SynapseUser botSession = SynapseUser.login(RealMatrix.url(), RealMatrix.botUser(), RealMatrix.botPassword());
        n = BotNode.start(dir, "node-" + tag, matrixYaml("token"), RealMatrix.botUser(),
                "access-token: ${BOT_TOKEN}", Map.of("BOT_TOKEN", botSession.accessToken()));
        n.awaitRoom();

        botSession.logout();
        n.node.events().record("test.note", "test", "after", "after-" + tag);

        Eventually.until(WAIT, "the bot to stop (status: " + n.bot().status() + ")",
                () -> n.bot().status().state() == MatrixStatus.State.STOPPED);
        assertThat(n.events(EventType.MATRIX_STOPPED)).singleElement().satisfies(e -> assertThat(e.message())
                .contains("M_UNKNOWN_TOKEN").contains("no matrix.password is configured"));
        assertThat(n.events(EventType.MATRIX_SIGNED_IN_AGAIN)).isEmpty();
        assertThat(n.bot().status().lastError()).hasValueSatisfying(m -> assertThat(m).contains("matrix.access-token"));
        // The proxy does not care.
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + n.node.proxy().boundPort("http") + "/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    private static List<String> bodies(SynapseUser reader, String room) {
        try {
            return reader.bodiesFrom(room, RealMatrix.botUser());
        } catch (Exception e) {
            return List.of();
        }
    }
}
