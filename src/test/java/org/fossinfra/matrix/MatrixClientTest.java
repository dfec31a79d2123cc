package org.fossinfra.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the client reads failures. The real Synapse answers 429 with both a {@code Retry-After} header (whole seconds,
 * rounded up) and {@code retry_after_ms} (MatrixOutageSynapseTest meets it); which one wins when they disagree, the
 * HTTP-date form, and a 429 without either, only a scripted server can show, so these use one: a real Vert.x HTTP
 * server in the test, on loopback.
 */
class MatrixClientTest {
    private static final long NOW = 1_800_000_000_000L;
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void theRetryAfterHeaderComesFirstThenTheBodysRetryAfterMs() {
        JsonObject body = new JsonObject().put("errcode", "M_LIMIT_EXCEEDED").put("retry_after_ms", 50);
        assertThat(MatrixClient.retryAfterMs("2", body, NOW)).isEqualTo(2_000);
        assertThat(MatrixClient.retryAfterMs(" 0 ", body, NOW)).isZero();
        assertThat(MatrixClient.retryAfterMs(null, body, NOW)).isEqualTo(50);
        assertThat(MatrixClient.retryAfterMs("", body, NOW)).isEqualTo(50);
        assertThat(MatrixClient.retryAfterMs("soon", body, NOW)).isEqualTo(50);
        assertThat(MatrixClient.retryAfterMs("-5", body, NOW)).isEqualTo(50);
        assertThat(MatrixClient.retryAfterMs(null, new JsonObject(), NOW)).isEqualTo(-1);
        assertThat(MatrixClient.retryAfterMs(null, null, NOW)).isEqualTo(-1);
        // A day at most, whatever a confused server says.
        assertThat(MatrixClient.retryAfterMs("99999999", body, NOW)).isEqualTo(86_400_000);
    }

    @Test
    void anHttpDateRetryAfterIsTheTimeUntilThen() {
        String in3s = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(NOW + 3_000), ZoneOffset.UTC));
        assertThat(MatrixClient.retryAfterMs(in3s, new JsonObject().put("retry_after_ms", 50), NOW)).isEqualTo(3_000);
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(NOW - 60_000), ZoneOffset.UTC));
        assertThat(MatrixClient.retryAfterMs(past, null, NOW)).isZero();
    }

    @Test
    void answersAreClassifiedByWhatToDoNext() {
        assertThat(kind(429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too Many Requests\"}"))
                .isEqualTo(MatrixException.Kind.RATE_LIMITED);
        assertThat(kind(429, "<html>slow down</html>")).isEqualTo(MatrixException.Kind.RATE_LIMITED);
        assertThat(kind(401, "{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Invalid access token passed.\"}"))
                .isEqualTo(MatrixException.Kind.UNKNOWN_TOKEN);
        assertThat(kind(401, "{\"errcode\":\"M_MISSING_TOKEN\"}")).isEqualTo(MatrixException.Kind.UNKNOWN_TOKEN);
        assertThat(kind(403, "{\"errcode\":\"M_FORBIDDEN\"}")).isEqualTo(MatrixException.Kind.REFUSED);
        assertThat(kind(502, "<html>Bad Gateway</html>")).isEqualTo(MatrixException.Kind.UNAVAILABLE);
        assertThat(kind(503, "")).isEqualTo(MatrixException.Kind.UNAVAILABLE);
        assertThat(kind(200, "<html>a captive portal</html>")).isEqualTo(MatrixException.Kind.UNAVAILABLE);
    }

    @Test
    void a429OverTheWireIsWaitedOutAsItsHeaderSaysAndTheTokenTravelsInTheHeaderOnly() throws Exception {
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        HttpServer server = vertx.createHttpServer().requestHandler(r -> {
            seen.add(r.method() + " " + r.uri() + " auth=" + r.getHeader("Authorization"));
            r.response().setStatusCode(429).putHeader("Retry-After", "2").putHeader("Content-Type", "application/json")
                    .end(Buffer.buffer("{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too Many Requests\","
                            + "\"retry_after_ms\":50}"));
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        MatrixClient client = new MatrixClient(vertx, URI.create("http://127.0.0.1:" + server.actualPort()));
        try {
            MatrixException e = catchThrowableOfType(MatrixException.class, () -> client.send("secret-token",
                    "!room:example.org", "fi-n-0123", new JsonObject().put("msgtype", "m.text").put("body", "hi")));

            assertThat(e.kind()).isEqualTo(MatrixException.Kind.RATE_LIMITED);
            assertThat(e.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
            assertThat(e.retryAfterMs()).isEqualTo(2_000);
            assertThat(new Backoff(30_000).delayFor(e)).isEqualTo(2_001);
            assertThat(e.getMessage()).isEqualTo("PUT /rooms/.../send: HTTP 429 M_LIMIT_EXCEEDED: Too Many Requests")
                    .doesNotContain("secret-token");
            assertThat(seen).containsExactly("PUT /_matrix/client/v3/rooms/%21room%3Aexample.org/send/m.room.message/"
                    + "fi-n-0123 auth=Bearer secret-token");
        } finally {
            client.close();
        }
    }

    @Test
    void noAnswerIsUnavailable() throws Exception {
        MatrixClient client = new MatrixClient(vertx, URI.create("http://127.0.0.1:1"));
        try {
            assertThatThrownBy(() -> client.whoami("t")).isInstanceOfSatisfying(MatrixException.class,
                    e -> assertThat(e.kind()).isEqualTo(MatrixException.Kind.UNAVAILABLE));
        } finally {
            client.close();
        }
    }

    private static MatrixException.Kind kind(int status, String body) {
        try {
            MatrixClient.classify("GET /x", new MatrixClient.Answer(status, null, Buffer.buffer(body), false), NOW);
            return null;
        } catch (MatrixException e) {
            return e.kind();
        }
    }
}
