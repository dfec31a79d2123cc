package org.fossinfra.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.fossinfra.app.Node;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventPage;
import org.fossinfra.events.EventQuery;
import org.fossinfra.events.EventType;
import org.fossinfra.events.StoreStatus;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.LogCapture;
import org.fossinfra.testing.services.TestDatabases;
import org.fossinfra.testing.services.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A wrong password, a refused connection, a database without permissions — each gives one clear log line and event,
 * never a crash loop": a whole node against the test run's real PostgreSQL, configured wrongly in each of those ways.
 * The node starts, proxies, keeps the events in its journal, and while it retries (with backoff) says nothing more.
 */
class StoreFailureTest {
    private static final java.util.regex.Pattern STORE = java.util.regex.Pattern.compile(
            "(?i)event store|store -|database|postgres|hikari|flyway");
    @TempDir
    Path dir;
    private Vertx backend;
    private int backendPort;
    private Node node;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void startBackend() throws Exception {
        backend = Vertx.vertx();
        backendPort = backend.createHttpServer().requestHandler(r -> r.response().end("served"))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        backend.close().await(10, TimeUnit.SECONDS);
    }

    private Node start(String url, String password) throws Exception {
        Path config = dir.resolve("node.yaml");
        Files.writeString(config, """
                node: { name: failing-store, data-dir: %s }
                frontends:
                  - { name: http, bind: 127.0.0.1:0, default-backend: web }
                backends:
                  - name: web
                    servers: [ { name: web1, address: "127.0.0.1:%d" } ]
                database:
                  url: %s
                  password: "%s"
                """.formatted(dir.resolve("data"), backendPort, url, password));
        node = Node.start(ConfigLoader.load(config), config);
        return node;
    }

    /**
     * Waits until the node has tried {@code attempts} times (1 s, then 2 s of backoff between them), then checks the
     * outcome every case shares, and returns the reason the node gives.
     */
    private String expectOneFailure(LogCapture logs, String secret) throws Exception {
        Database db = node.database().orElseThrow();
        Eventually.until(Duration.ofSeconds(30), "three attempts to reach PostgreSQL (" + db.attempts() + " so far)",
                () -> db.attempts() >= 3);
        // Traffic flows meanwhile.
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.proxy().boundPort("http") + "/")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("served");
        }
        List<Event> store = node.events().recent(100, null).stream().filter(e -> e.type().startsWith("store.")).toList();
        assertThat(store).as("exactly one store event").hasSize(1);
        assertThat(store.getFirst().type()).isEqualTo(EventType.STORE_UNAVAILABLE);
        StoreStatus status = node.events().storeStatus();
        assertThat(status.state()).isEqualTo(StoreStatus.State.UNAVAILABLE);
        assertThat(store.getFirst().message()).isEqualTo("event store unavailable: " + status.detail());

        // Lines about the store (other tests' leftovers in this JVM may say other things meanwhile).
        List<String> lines = logs.lines(l -> ((l.contains(" WARN ") || l.contains(" ERROR ")) && STORE.matcher(l).find())
                || l.startsWith("\tat org.fossinfra.store") || l.startsWith("\tat org.flywaydb")
                || l.startsWith("\tat com.zaxxer") || l.startsWith("\tat org.postgresql"));
        assertThat(lines).as("one log line for the outage, no stack trace").hasSize(1);
        assertThat(lines.getFirst()).contains("event store unavailable: " + status.detail());
        assertThat(logs.lines(l -> l.contains(secret))).as("the password is never printed").isEmpty();

        // The events wait in the journal, and the API and the dashboard read them from memory meanwhile.
        DurableEventLog.Stats stats = ((DurableEventLog) node.events()).stats();
        assertThat(stats.journaled()).isGreaterThanOrEqualTo(2); // node.start and store.unavailable
        assertThat(stats.written()).isZero();
        assertThat(stats.journalBytes()).isPositive();
        assertThat(Files.list(dir.resolve("data/journal")).toList()).isNotEmpty();
        EventPage page = node.events().query(EventQuery.newest(10, null));
        assertThat(page.source()).isEqualTo(EventPage.Source.MEMORY);
        assertThat(page.events()).extracting(Event::type).contains(EventType.NODE_START, EventType.STORE_UNAVAILABLE);
        return status.detail();
    }

    @Test
    void aWrongPasswordIsOneLineAndOneEvent() throws Exception {
        String user = TestStores.env("FOSS_TEST_PG_USER");
        try (LogCapture logs = new LogCapture()) {
            start("postgresql://" + user + "@" + TestStores.env("FOSS_TEST_PG_HOST") + ":"
                    + TestStores.env("FOSS_TEST_PG_PORT") + "/" + TestStores.env("FOSS_TEST_PG_DATABASE"),
                    "not-the-password-4711");
            String reason = expectOneFailure(logs, "not-the-password-4711");
            assertThat(reason).isEqualTo("PostgreSQL at " + TestStores.env("FOSS_TEST_PG_HOST") + ":"
                    + TestStores.env("FOSS_TEST_PG_PORT") + " refused the password of user '" + user
                    + "'; check database.password (and the environment variable it names)");
        }
    }

    @Test
    void aRefusedConnectionIsOneLineAndOneEvent() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (LogCapture logs = new LogCapture()) {
            start("postgresql://foss@127.0.0.1:" + port + "/foss", "secret-of-the-refused-one");
            String reason = expectOneFailure(logs, "secret-of-the-refused-one");
            assertThat(reason).isEqualTo("PostgreSQL at 127.0.0.1:" + port + " refused the connection (nothing"
                    + " listens there); start PostgreSQL or fix database.url");
        }
    }

    @Test
    void aRoleWithoutPermissionToCreateTablesIsOneLineAndOneEvent() throws Exception {
        String user = TestStores.env("FOSS_TEST_PG_LIMITED_USER");
        String password = TestStores.env("FOSS_TEST_PG_LIMITED_PASSWORD");
        try (TestDatabases db = TestDatabases.create("limited"); LogCapture logs = new LogCapture()) {
            start("postgresql://" + user + "@" + TestStores.env("FOSS_TEST_PG_HOST") + ":"
                    + TestStores.env("FOSS_TEST_PG_PORT") + "/" + db.name, password);
            String reason = expectOneFailure(logs, password);
            assertThat(reason).startsWith("user '" + user + "' lacks a permission in database '" + db.name + "' (")
                    .contains("permission denied for schema public")
                    .endsWith("); connect as the database's owner, or GRANT CREATE ON SCHEMA public TO " + user);
            node.close();
            node = null;
        }
    }
}
