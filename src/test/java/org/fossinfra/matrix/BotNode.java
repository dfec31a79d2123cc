package org.fossinfra.matrix;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.fossinfra.app.Node;
import org.fossinfra.balance.AdminState;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.control.NotFoundException;
import org.fossinfra.events.Event;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.RealMatrix;

/**
 * A whole node with a Matrix bot, for tests against the real Synapse: backend {@code web} with three real HTTP servers
 * (web1..web3) whose health answers the test can switch, checked every 200 ms, and a {@code matrix:} section whose
 * extra settings the test gives. The servers outlive {@link #restart}, which stops the node and starts a new one on the
 * same data directory, as a restarted process would.
 */
final class BotNode implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    final Vertx backends = Vertx.vertx();
    final Map<String, AtomicInteger> health = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Path dir;
    private final String name;
    private final String matrixYaml;
    private final String user;
    private final String authYaml;
    private final Map<String, String> env;
    Node node;

    private BotNode(Path dir, String name, String matrixYaml, String user, String authYaml, Map<String, String> env) {
        this.dir = dir;
        this.name = name;
        this.matrixYaml = matrixYaml;
        this.user = user;
        this.authYaml = authYaml;
        this.env = env;
    }

    /**
     * A node whose bot is the test run's bot user.
     *
     * @param matrixYaml the lines of the matrix section after homeserver, user and password, indented by two spaces
     */
    static BotNode start(Path dir, String name, String matrixYaml) throws Exception {
        return start(dir, name, matrixYaml, RealMatrix.botUser(), RealMatrix.botPassword());
    }

    /** A node whose bot signs in as {@code user}. */
    static BotNode start(Path dir, String name, String matrixYaml, String user, String password) throws Exception {
        return start(dir, name, matrixYaml, user, "password: ${BOT_PASSWORD}", Map.of("BOT_PASSWORD", password));
    }

    /**
     * A node whose bot signs in as {@code user} with {@code authYaml} (e.g. {@code access-token: ${BOT_TOKEN}}), its
     * variables from {@code env}.
     */
    static BotNode start(Path dir, String name, String matrixYaml, String user, String authYaml,
                         Map<String, String> env) throws Exception {
        BotNode n = new BotNode(dir, name, matrixYaml, user, authYaml, env);
        try {
            for (String server : List.of("web1", "web2", "web3")) {
                AtomicInteger status = new AtomicInteger(200);
                n.health.put(server, status);
                HttpServer s = n.backends.createHttpServer().requestHandler(r -> r.response()
                        .setStatusCode(r.path().equals("/health") ? status.get() : 200).end(server))
                        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
                n.ports.put(server, s.actualPort());
            }
            n.node = n.startNode();
        } catch (Exception | Error e) {
            n.close();
            throw e;
        }
        return n;
    }

    private Node startNode() throws Exception {
        Path config = dir.resolve("node.yaml");
        Files.writeString(config, """
                node:
                  name: %s
                  data-dir: %s
                database:
                  enabled: false
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: web
                backends:
                  - name: web
                    health-check: { path: /health, interval: 200ms, timeout: 150ms, rise: 1, fall: 2 }
                    servers:
                      - { name: web1, address: "127.0.0.1:%d" }
                      - { name: web2, address: "127.0.0.1:%d" }
                      - { name: web3, address: "127.0.0.1:%d" }
                matrix:
                  homeserver: ${FOSS_TEST_MATRIX_URL}
                  user: "%s"
                  %s
                %s
                """.formatted(name, dir.resolve("data"), ports.get("web1"), ports.get("web2"), ports.get("web3"),
                user, authYaml, matrixYaml.stripTrailing()));
        Map<String, String> vars = new java.util.HashMap<>(env);
        vars.put("FOSS_TEST_MATRIX_URL", RealMatrix.url());
        return Node.start(ConfigLoader.parse(Files.readString(config), config.toString(), vars), config);
    }

    /** Stops the node (the bot posts what it has queued, for 2 s at most) and starts a new one on the same data. */
    void restart() throws Exception {
        node.close();
        node = null;
        node = startNode();
    }

    void stopNode() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    void startAgain() throws Exception {
        node = startNode();
    }

    MatrixBot bot() {
        return node.matrix().orElseThrow();
    }

    /** Waits until the bot is in the ops room; its id. */
    String awaitRoom() throws InterruptedException {
        Eventually.until(WAIT, "the bot to be in the ops room (status: " + bot().status() + ")",
                () -> bot().status().state() == MatrixStatus.State.CONNECTED && bot().status().roomId().isPresent());
        return bot().status().roomId().orElseThrow();
    }

    /** What an operator asked of server {@code server} of backend web. */
    AdminState adminState(String server) {
        try {
            return node.control().server("web", server).admin();
        } catch (NotFoundException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** The node's events of {@code type}, oldest first. */
    List<Event> events(String type) {
        return node.events().recent(10_000, type).reversed();
    }

    @Override
    public void close() {
        stopNode();
        try {
            backends.close().await(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // test teardown
        }
    }
}
