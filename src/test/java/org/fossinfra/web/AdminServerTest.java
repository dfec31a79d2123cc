package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.fossinfra.app.Node;
import org.fossinfra.balance.AdminState;
import org.fossinfra.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API on a whole node: tokens, state and weight changes as events naming who, reloads. */
class AdminServerTest {
    private static final String TOKEN = "test-token-0123456789";
    private static final String OTHER_TOKEN = "second-token-abcdefghij";

    @TempDir
    Path dir;
    private Path configFile;
    private Vertx backendVertx;
    private int backendPort;
    private Node node;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private String config(String extraServer) {
        return """
                # About the API, not the event store: no embedded PostgreSQL whose first start (initdb) could
                # outlive a short test on a busy machine.
                database: { enabled: false }
                node:
                  name: test-node
                admin:
                  bind: 127.0.0.1:0
                  tokens:
                    - name: ops
                      secret: %s
                    - name: alice
                      secret: %s
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: web
                backends:
                  - name: web
                    servers:
                      - name: web1
                        address: 127.0.0.1:%d
                %s
                """.formatted(TOKEN, OTHER_TOKEN, backendPort, extraServer);
    }

    @BeforeEach
    void start() throws Exception {
        backendVertx = Vertx.vertx();
        HttpServer s = backendVertx.createHttpServer().requestHandler(r -> r.response().end("ok"))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        backendPort = s.actualPort();
        configFile = dir.resolve("node.yaml");
        Files.writeString(configFile, config(""));
        node = Node.start(ConfigLoader.load(configFile), configFile);
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        backendVertx.close().await(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.admin().orElseThrow().port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyApiPathNeedsAToken() throws Exception {
        for (String path : new String[] {"/api/backends", "/api/frontends", "/api/events", "/api/backends/web"}) {
            HttpResponse<String> r = call("GET", path, null, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"foss-infra\"");
            assertThat(r.body()).doesNotContain("web1");
        }
        assertThat(call("GET", "/api/backends", "wrong-token-000000000", null).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/api/reload", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void backendsListServersWithStateWeightAndCounts() throws Exception {
        HttpResponse<String> r = call("GET", "/api/backends", TOKEN, null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject web = new JsonArray(r.body()).getJsonObject(0);
        assertThat(web.getString("name")).isEqualTo("web");
        JsonObject s = web.getJsonArray("servers").getJsonObject(0);
        assertThat(s.getString("name")).isEqualTo("web1");
        assertThat(s.getString("status")).isEqualTo("UP");
        assertThat(s.getInteger("weight")).isEqualTo(1);
        assertThat(s.getString("address")).isEqualTo("127.0.0.1:" + backendPort);
    }

    @Test
    void drainIsAnEventNamingTheTokenHolder() throws Exception {
        HttpResponse<String> r = call("PUT", "/api/backends/web/servers/web1/state", OTHER_TOKEN, "{\"state\":\"drain\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getString("status")).isEqualTo("DRAIN");
        assertThat(node.proxy().backends().get("web").servers().server("web1").orElseThrow().adminState())
                .isEqualTo(AdminState.DRAIN);
        JsonArray events = new JsonArray(call("GET", "/api/events?type=server.state", TOKEN, null).body());
        assertThat(events.size()).isEqualTo(1);
        assertThat(events.getJsonObject(0).getString("actor")).isEqualTo("api:alice");
        assertThat(events.getJsonObject(0).getString("subject")).isEqualTo("web/web1");
        assertThat(events.getJsonObject(0).getJsonObject("data").getString("to")).isEqualTo("DRAIN");
    }

    @Test
    void settingTheSameStateTwiceRecordsOneEvent() throws Exception {
        call("PUT", "/api/backends/web/servers/web1/state", TOKEN, "{\"state\":\"maint\"}");
        call("PUT", "/api/backends/web/servers/web1/state", TOKEN, "{\"state\":\"maint\"}");
        assertThat(new JsonArray(call("GET", "/api/events?type=server.state", TOKEN, null).body()).size()).isEqualTo(1);
    }

    @Test
    void badStateOrUnknownServerGetsAClearError() throws Exception {
        HttpResponse<String> bad = call("PUT", "/api/backends/web/servers/web1/state", TOKEN, "{\"state\":\"sleep\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(bad.body()).getString("error"))
                .isEqualTo("state: sleep (expected: \"ready\", \"drain\" or \"maint\")");
        HttpResponse<String> missing = call("PUT", "/api/backends/web/servers/nope/state", TOKEN, "{\"state\":\"drain\"}");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(missing.body()).getString("error"))
                .isEqualTo("no server 'nope' in backend 'web'; servers: web1");
        HttpResponse<String> notJson = call("PUT", "/api/backends/web/servers/web1/state", TOKEN, "drain");
        assertThat(notJson.statusCode()).isEqualTo(400);
    }

    @Test
    void weightIsCheckedAndChangedWithAnEvent() throws Exception {
        HttpResponse<String> tooBig = call("PUT", "/api/backends/web/servers/web1/weight", TOKEN, "{\"weight\":300}");
        assertThat(tooBig.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(tooBig.body()).getString("error")).isEqualTo("weight: 300 (expected: 0..256)");
        HttpResponse<String> ok = call("PUT", "/api/backends/web/servers/web1/weight", TOKEN, "{\"weight\":50}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ok.body()).getInteger("weight")).isEqualTo(50);
        JsonObject e = new JsonArray(call("GET", "/api/events?type=server.weight", TOKEN, null).body()).getJsonObject(0);
        assertThat(e.getString("actor")).isEqualTo("api:ops");
        assertThat(e.getString("message")).isEqualTo("web/web1 weight set to 50 (was 1) by api:ops");
    }

    @Test
    void reloadOfABrokenFileChangesNothingAndSaysWhy() throws Exception {
        Files.writeString(configFile, config("      - name: web2\n        address: 127.0.0.1:1\n        wieght: 5\n"));
        HttpResponse<String> r = call("POST", "/api/reload", TOKEN, null);
        assertThat(r.statusCode()).isEqualTo(422);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getBoolean("applied")).isFalse();
        assertThat(body.getJsonArray("errors").getString(0)).startsWith(configFile + ":").contains("wieght")
                .contains("did you mean 'weight'?");
        assertThat(node.proxy().backends().get("web").servers().servers()).hasSize(1);
        JsonObject e = new JsonArray(call("GET", "/api/events?type=config.reload.failed", TOKEN, null).body()).getJsonObject(0);
        assertThat(e.getString("actor")).isEqualTo("api:ops");
    }

    @Test
    void reloadOfAGoodFileAppliesAndListsTheChanges() throws Exception {
        Files.writeString(configFile, config("      - name: web2\n        address: 127.0.0.1:1\n"));
        HttpResponse<String> r = call("POST", "/api/reload", OTHER_TOKEN, null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getBoolean("applied")).isTrue();
        assertThat(body.getJsonArray("changes").getList()).containsExactly("backend web changed");
        assertThat(node.proxy().backends().get("web").servers().servers()).hasSize(2);
        JsonObject e = new JsonArray(call("GET", "/api/events?type=config.reload", TOKEN, null).body()).getJsonObject(0);
        assertThat(e.getString("actor")).isEqualTo("api:alice");
    }

    @Test
    void unknownEndpointsAndBadLimitsAreClientErrors() throws Exception {
        assertThat(call("GET", "/api/nothing", TOKEN, null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/events?limit=0", TOKEN, null).statusCode()).isEqualTo(400);
        assertThat(call("GET", "/api/events?limit=abc", TOKEN, null).statusCode()).isEqualTo(400);
    }
}
