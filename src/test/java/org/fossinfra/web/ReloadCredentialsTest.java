package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.fossinfra.app.Node;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.config.Passwords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/reload} and credentials, through the real admin API of a whole node: a token removed from the file
 * stops working at once, sessions of removed users (or of users with a new password) end, and what only a restart can
 * change is named in the answer and the event instead of being reported as applied.
 */
class ReloadCredentialsTest {
    private static final String OPS = "ops-token-0123456789abcdef";
    private static final String LEAKED = "leaked-token-0123456789abc";
    private static final String ROTATED = "rotated-token-9876543210zyx";
    private static String oldHash;
    private static String newHash;

    @TempDir
    Path dir;
    private Path file;
    private Node node;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void hashes() {
        oldHash = Passwords.hash("old-password-1".toCharArray());
        newHash = Passwords.hash("new-password-2".toCharArray());
    }

    private String config(String tokens, String users, String bind, String homeserver) {
        return """
                database: { enabled: false }
                node:
                  name: reload-node
                  data-dir: %s
                admin:
                  bind: %s
                  tokens:
                %s
                  users:
                %s
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: web
                backends:
                  - name: web
                    servers:
                      - { name: web1, address: "127.0.0.1:1" }
                matrix:
                  enabled: false
                  homeserver: %s
                  user: "@bot:example.org"
                  password: not-used-while-disabled
                """.formatted(dir.resolve("data"), bind, tokens, users, homeserver);
    }

    private static String token(String name, String secret) {
        return "    - { name: " + name + ", secret: " + secret + " }";
    }

    private static String user(String name, String hash) {
        return "    - { name: " + name + ", password-hash: \"" + hash + "\" }";
    }

    private void start(String yaml) throws Exception {
        file = dir.resolve("node.yaml");
        Files.writeString(file, yaml);
        node = Node.start(ConfigLoader.load(file), file);
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private String base() {
        return "http://127.0.0.1:" + node.admin().orElseThrow().port();
    }

    private int get(String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/api/backends")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonObject reload(String yaml) throws Exception {
        Files.writeString(file, yaml);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/reload"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + OPS)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    @Test
    void aTokenRemovedFromTheFileStopsWorkingAtOnceAndAChangedOneTakesTheNewSecret() throws Exception {
        String users = user("alice", oldHash);
        start(config(token("ops", OPS) + "\n" + token("leaked", LEAKED) + "\n" + token("ci", ROTATED.replace('9', '1')),
                users, "127.0.0.1:0", "https://matrix.example.org"));
        assertThat(get(LEAKED)).isEqualTo(200);
        String oldCi = ROTATED.replace('9', '1');
        assertThat(get(oldCi)).isEqualTo(200);

        JsonObject answer = reload(config(token("ops", OPS) + "\n" + token("ci", ROTATED), users, "127.0.0.1:0",
                "https://matrix.example.org"));

        assertThat(answer.getJsonArray("changes").getList()).containsExactly("admin.tokens ci changed",
                "admin.tokens leaked removed");
        assertThat(answer.getJsonArray("restartRequired").getList()).isEmpty();
        assertThat(answer.encode()).doesNotContain(LEAKED).doesNotContain(ROTATED);
        assertThat(get(LEAKED)).as("the removed token").isEqualTo(401);
        assertThat(get(oldCi)).as("the changed token's old secret").isEqualTo(401);
        assertThat(get(ROTATED)).as("its new secret").isEqualTo(200);
        assertThat(get(OPS)).isEqualTo(200);
    }

    @Test
    void sessionsOfARemovedUserAndOfAUserWithANewPasswordEndOthersStay() throws Exception {
        String tokens = token("ops", OPS);
        start(config(tokens, user("alice", oldHash) + "\n" + user("bob", oldHash) + "\n" + user("carol", oldHash),
                "127.0.0.1:0", "https://matrix.example.org"));
        DashboardClient c = new DashboardClient(base());
        String alice = c.session("alice", "old-password-1");
        String bob = c.session("bob", "old-password-1");
        String carol = c.session("carol", "old-password-1");
        assertThat(c.get("/", bob).statusCode()).isEqualTo(200);

        JsonObject answer = reload(config(tokens, user("alice", newHash) + "\n" + user("carol", oldHash),
                "127.0.0.1:0", "https://matrix.example.org"));

        assertThat(answer.getJsonArray("changes").getList()).containsExactly("admin.users alice changed",
                "admin.users bob removed");
        assertThat(c.get("/", bob).statusCode()).as("removed user's session").isEqualTo(302);
        assertThat(c.get("/", bob).headers().firstValue("Location").orElseThrow()).startsWith("/login");
        assertThat(c.get("/", alice).statusCode()).as("session from before the password change").isEqualTo(302);
        assertThat(c.get("/", carol).statusCode()).as("an unchanged user").isEqualTo(200);
        assertThat(c.login("bob", "old-password-1").statusCode()).isEqualTo(401);
        assertThat(c.login("alice", "old-password-1").statusCode()).isEqualTo(401);
        assertThat(c.login("alice", "new-password-2").statusCode()).isEqualTo(303);
    }

    @Test
    void whatOnlyARestartCanChangeIsNamedInTheAnswerAndTheEventAndKeepsItsRunningValue() throws Exception {
        String tokens = token("ops", OPS) + "\n" + token("leaked", LEAKED);
        String users = user("alice", oldHash);
        start(config(tokens, users, "127.0.0.1:0", "https://matrix.example.org"));
        int port = node.admin().orElseThrow().port();

        // A new admin address and homeserver need a restart; the token removal beside them is applied all the same.
        JsonObject answer = reload(config(token("ops", OPS), users, "127.0.0.1:1", "https://other.example.org"));

        assertThat(answer.getBoolean("applied")).isTrue();
        assertThat(answer.getJsonArray("changes").getList()).containsExactly("admin.tokens leaked removed");
        assertThat(answer.getJsonArray("restartRequired").getList()).containsExactly(
                "admin.bind changed (restart required)", "matrix.homeserver changed (restart required)");
        assertThat(node.admin().orElseThrow().port()).as("still listening where it started").isEqualTo(port);
        assertThat(get(LEAKED)).isEqualTo(401);
        JsonObject event = new JsonArray(http.send(HttpRequest.newBuilder(URI.create(base()
                        + "/api/events?type=config.reload")).header("Authorization", "Bearer " + OPS).build(),
                HttpResponse.BodyHandlers.ofString()).body()).getJsonObject(0);
        assertThat(event.getString("message")).isEqualTo("configuration reloaded by api:ops: admin.tokens leaked"
                + " removed; not applied until the node restarts: admin.bind changed (restart required);"
                + " matrix.homeserver changed (restart required)");

        // Until the restart, every reload says so again: the running value is still the old one.
        JsonObject again = reload(config(token("ops", OPS), users, "127.0.0.1:1", "https://other.example.org"));
        assertThat(again.getJsonArray("changes").getList()).isEmpty();
        assertThat(again.getJsonArray("restartRequired").getList()).hasSize(2);
    }
}
