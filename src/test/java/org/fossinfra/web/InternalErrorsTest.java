package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.fossinfra.testing.services.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin listener's 500 answer, mounted on a real router and server as {@link AdminServer} mounts it, with routes
 * that fail the ways a handler can: an exception thrown on the event loop, and a failed future handed to
 * {@code ctx.fail}. (The node has no route that fails on demand, which is the point.)
 */
class InternalErrorsTest {
    private static final String SECRET = "jdbc:postgresql://db1/foss?password=hunter2-do-not-leak";
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void anInternalExceptionsMessageStaysInTheLogUnderTheIdTheAnswerCarries() throws Exception {
        Router r = Router.router(vertx);
        r.get("/api/thrown").handler(ctx -> {
            throw new IllegalStateException("cannot connect to " + SECRET);
        });
        r.get("/api/failed").handler(ctx -> ctx.fail(new RuntimeException("query failed on " + SECRET)));
        r.errorHandler(500, InternalErrors::handle);
        HttpServer server = vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);

        try (LogCapture log = new LogCapture()) {
            for (String path : new String[] {"/api/thrown", "/api/failed"}) {
                HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.actualPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).as(path).isEqualTo(500);
                assertThat(res.body()).as(path).doesNotContain("hunter2").doesNotContain("jdbc")
                        .doesNotContain("Exception");
                JsonObject body = new JsonObject(res.body());
                String id = body.getString("id");
                assertThat(id).matches("[0-9a-f]{8}");
                assertThat(body.getString("error")).isEqualTo("internal error; the node's log has the details under id "
                        + id);
                assertThat(log.lines(l -> l.contains(id))).as("the log line under " + id).singleElement()
                        .satisfies(l -> assertThat(l).contains("GET " + path).contains(SECRET));
            }
        }
    }
}
