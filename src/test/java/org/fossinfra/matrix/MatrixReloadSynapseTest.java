package org.fossinfra.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.fossinfra.app.Node;
import org.fossinfra.balance.AdminState;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.config.Passwords;
import org.fossinfra.control.NotFoundException;
import org.fossinfra.events.EventType;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.RealMatrix;
import org.fossinfra.testing.services.SynapseUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot and the node's other surfaces against the real Synapse: operators follow {@code POST /api/reload} through
 * the admin API, and failed dashboard sign-ins reach the ops room without the typed user name. The config is written
 * with literal values (no {@code ${VAR}}), because a reload re-reads the file with the process environment.
 */
class MatrixReloadSynapseTest {
    private static final Duration WAIT = BotNode.WAIT;
    private static final String TOKEN = "reload-test-token-0123456789";
    private static final String USER_PASSWORD = "alice-password-1";
    private static String hash;

    @TempDir
    Path dir;
    private Node node;
    private Path file;
    private final String tag = Long.toString(System.nanoTime(), 36);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private String config(String operator) {
        if (hash == null) {
            hash = Passwords.hash(USER_PASSWORD.toCharArray());
        }
        return """
                database: { enabled: false }
                node:
                  name: node-%1$s
                  data-dir: %2$s
                admin:
                  bind: 127.0.0.1:0
                  tokens: [{ name: ops, secret: %3$s }]
                  users: [{ name: alice, password-hash: "%4$s" }]
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: web
                backends:
                  - name: web
                    servers:
                      - { name: web1, address: "127.0.0.1:1" }
                      - { name: web2, address: "127.0.0.1:2" }
                matrix:
                  homeserver: %5$s
                  user: "%6$s"
                  password: "%7$s"
                  room: "#reload-%1$s:%8$s"
                  operators: ["%9$s"]
                  invite: ["%10$s", "%11$s"]
                  group-window: 500ms
                  send-interval: 50ms
                  send-burst: 20
                """.formatted(tag, dir.resolve("data"), TOKEN, hash, RealMatrix.url(), RealMatrix.botUser(),
                RealMatrix.botPassword(), RealMatrix.serverName(), operator, RealMatrix.opsUser(),
                RealMatrix.outsiderUser());
    }

    private String start(String operator) throws Exception {
        file = dir.resolve("node.yaml");
        Files.writeString(file, config(operator));
        node = Node.start(ConfigLoader.load(file), file);
        MatrixBot bot = node.matrix().orElseThrow();
        Eventually.until(WAIT, "the bot to be in the ops room (status: " + bot.status() + ")",
                () -> bot.status().state() == MatrixStatus.State.CONNECTED && bot.status().roomId().isPresent());
        return bot.status().roomId().orElseThrow();
    }

    private String admin(String path) {
        return "http://127.0.0.1:" + node.admin().orElseThrow().port() + path;
    }

    private AdminState state(String server) throws NotFoundException {
        return node.control().server("web", server).admin();
    }

    @Test
    void aReloadThatChangesTheOperatorsRefusesTheRemovedOneAndObeysTheNewOne() throws Exception {
        String room = start(RealMatrix.opsUser());
        SynapseUser ops = RealMatrix.ops();
        SynapseUser outsider = RealMatrix.outsider();
        Eventually.until(WAIT, "the invites", () -> ops.tryJoin(room) && outsider.tryJoin(room));

        Files.writeString(file, config(RealMatrix.outsiderUser()));
        HttpResponse<String> reload = http.send(HttpRequest.newBuilder(URI.create(admin("/api/reload")))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        assertThat(new JsonObject(reload.body()).getJsonArray("changes").getList())
                .containsExactly("matrix.operators changed");
        assertThat(node.matrix().orElseThrow().status().operators()).containsExactly(RealMatrix.outsiderUser());

        String removed = ops.say(room, "!drain web/web1");
        JsonObject refusal = MatrixBotSynapseTest.awaitReply(ops, room, removed);
        assertThat(refusal.getJsonObject("content").getString("body"))
                .startsWith("Refused: " + RealMatrix.opsUser() + " may not run !drain web/web1");
        assertThat(state("web1")).isEqualTo(AdminState.READY);
        assertThat(node.events().recent(10, EventType.MATRIX_COMMAND_REFUSED)).singleElement()
                .satisfies(e -> assertThat(e.actor()).isEqualTo(RealMatrix.opsUser()));

        String added = outsider.say(room, "!drain web/web2");
        MatrixBotSynapseTest.awaitReply(outsider, room, added);
        assertThat(state("web2")).isEqualTo(AdminState.DRAIN);
    }

    @Test
    void failedSignInsReachTheOpsRoomWithoutATypedNameThatIsNoUser() throws Exception {
        String room = start(RealMatrix.opsUser());
        SynapseUser ops = RealMatrix.ops();
        Eventually.until(WAIT, "the operator's invite", () -> ops.tryJoin(room));
        String typed = "Tr0ub4dor-" + tag;

        assertThat(signIn(typed, "whatever")).isEqualTo(401);
        assertThat(signIn("alice", "wrong-password")).isEqualTo(401);

        // Both failures are reported (grouped or not); the configured user's name is in the report, the typed one not.
        Eventually.until(WAIT, "the ops room to hear of both failed sign-ins", () -> {
            String all = String.join("\n", bodies(ops, room));
            return all.contains("failed sign-in as 'alice'") && all.contains("user name that is not configured");
        });
        for (String body : bodies(ops, room)) {
            assertThat(body).doesNotContain("Tr0ub4dor");
        }
        for (JsonObject m : ops.messages(room)) {
            assertThat(m.encode()).doesNotContain("Tr0ub4dor");
        }
    }

    private int signIn(String user, String password) throws Exception {
        String form = "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&next=%2F";
        return http.send(HttpRequest.newBuilder(URI.create(admin("/login"))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static List<String> bodies(SynapseUser reader, String room) {
        try {
            return reader.bodiesFrom(room, RealMatrix.botUser());
        } catch (Exception e) {
            return List.of();
        }
    }
}
