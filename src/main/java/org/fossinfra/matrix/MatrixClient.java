package org.fossinfra.matrix;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Matrix client-server API, v3 paths only (the seed's {@code /_matrix/client/r0} was retired by the spec), with
 * the access token in an {@code Authorization: Bearer} header, never in the query string where proxies and access
 * logs would keep it.
 *
 * <p>Calls block the calling thread (one of the bot's own threads, never an event loop) until the answer or the
 * timeout; the I/O itself runs on the bot's Vert.x instance. Every failure becomes a {@link MatrixException} whose
 * kind says what to do next; an answer body is read up to {@value #MAX_BODY} bytes, so a confused server cannot make
 * the node buffer without bound.
 */
final class MatrixClient {
    static final String API = "/_matrix/client/v3";
    /** A filtered sync of one room is a few KiB; a whole unfiltered initial sync of a busy account can be megabytes. */
    static final int MAX_BODY = 16 * 1024 * 1024;
    /** For every request but sync: a homeserver that takes longer is as good as away. */
    static final long REQUEST_TIMEOUT_MS = 30_000;
    /** Sync answers within its long-poll timeout; this much more covers a slow network before we call it lost. */
    static final long SYNC_GRACE_MS = 15_000;
    private static final long CONNECT_TIMEOUT_MS = 10_000;

    /** A signed-in session: the access token, whose it is, and its device. */
    record Login(String accessToken, String userId, String deviceId) {
        @Override
        public String toString() {
            return "Login[userId=" + userId + ", deviceId=" + deviceId + ", accessToken=***]";
        }
    }

    private final HttpClient http;
    private final String base;

    MatrixClient(Vertx vertx, URI homeserver) {
        // Two long-lived connections do: the sync long-poll and the sender; a third for the occasional other call.
        this.http = vertx.createHttpClient(new HttpClientOptions().setMaxRedirects(0).setKeepAliveTimeout(30)
                .setConnectTimeout((int) CONNECT_TIMEOUT_MS), new PoolOptions().setHttp1MaxSize(4));
        this.base = homeserver.toString();
    }

    /** POST /login with {@code m.login.password} and an {@code m.id.user} identifier, on a fixed device. */
    Login login(String user, String password, String deviceId) throws MatrixException, InterruptedException {
        JsonObject body = new JsonObject()
                .put("type", "m.login.password")
                .put("identifier", new JsonObject().put("type", "m.id.user").put("user", user))
                .put("password", password)
                .put("device_id", deviceId)
                .put("initial_device_display_name", "foss-infra");
        JsonObject r = call(HttpMethod.POST, "/login", body, null, REQUEST_TIMEOUT_MS);
        return new Login(text(r, "access_token", "POST /login"), text(r, "user_id", "POST /login"),
                r.getString("device_id", deviceId));
    }

    /** GET /account/whoami: whose token this is, and its device. */
    Login whoami(String token) throws MatrixException, InterruptedException {
        JsonObject r = call(HttpMethod.GET, "/account/whoami", null, token, REQUEST_TIMEOUT_MS);
        return new Login(token, text(r, "user_id", "GET /account/whoami"), r.getString("device_id", ""));
    }

    /** POST /user/{userId}/filter: the filter's id, for sync's {@code filter} parameter. */
    String createFilter(String token, String userId, JsonObject filter) throws MatrixException, InterruptedException {
        JsonObject r = call(HttpMethod.POST, "/user/" + seg(userId) + "/filter", filter, token, REQUEST_TIMEOUT_MS);
        return text(r, "filter_id", "POST /user/.../filter");
    }

    /** GET /sync, long-polling up to {@code timeoutMs} for something new. */
    JsonObject sync(String token, String since, String filter, long timeoutMs)
            throws MatrixException, InterruptedException {
        StringBuilder q = new StringBuilder("/sync?timeout=").append(timeoutMs);
        if (since != null) {
            q.append("&since=").append(URLEncoder.encode(since, StandardCharsets.UTF_8));
        }
        if (filter != null) {
            q.append("&filter=").append(URLEncoder.encode(filter, StandardCharsets.UTF_8));
        }
        JsonObject r = call(HttpMethod.GET, q.toString(), null, token, timeoutMs + SYNC_GRACE_MS);
        text(r, "next_batch", "GET /sync");
        return r;
    }

    /**
     * PUT /rooms/{roomId}/send/m.room.message/{txnId}. The homeserver answers a repeated transaction id of the same
     * device with the first event's id instead of posting again, which is what makes a retry safe.
     */
    String send(String token, String roomId, String txnId, JsonObject content)
            throws MatrixException, InterruptedException {
        JsonObject r = call(HttpMethod.PUT, "/rooms/" + seg(roomId) + "/send/m.room.message/" + seg(txnId), content,
                token, REQUEST_TIMEOUT_MS);
        return text(r, "event_id", "PUT /rooms/.../send");
    }

    /** POST /createRoom: the new room's id. */
    String createRoom(String token, JsonObject request) throws MatrixException, InterruptedException {
        return text(call(HttpMethod.POST, "/createRoom", request, token, REQUEST_TIMEOUT_MS), "room_id",
                "POST /createRoom");
    }

    /** POST /join/{roomIdOrAlias}: the room's id. Joining a room one is in already succeeds. */
    String join(String token, String roomIdOrAlias) throws MatrixException, InterruptedException {
        return text(call(HttpMethod.POST, "/join/" + seg(roomIdOrAlias), new JsonObject(), token,
                REQUEST_TIMEOUT_MS), "room_id", "POST /join");
    }

    /** GET /rooms/{roomId}/messages, backwards from now: the room's newest {@code m.room.message} events, newest first. */
    List<JsonObject> recentMessages(String token, String roomId, int limit) throws MatrixException, InterruptedException {
        String filter = new JsonObject().put("types", new JsonArray().add("m.room.message")).encode();
        JsonObject r = call(HttpMethod.GET, "/rooms/" + seg(roomId) + "/messages?dir=b&limit=" + limit + "&filter="
                + URLEncoder.encode(filter, StandardCharsets.UTF_8), null, token, REQUEST_TIMEOUT_MS);
        List<JsonObject> out = new ArrayList<>();
        for (Object o : r.getJsonArray("chunk", new JsonArray())) {
            if (o instanceof JsonObject event) {
                out.add(event);
            }
        }
        return out;
    }

    /** GET /joined_rooms. */
    List<String> joinedRooms(String token) throws MatrixException, InterruptedException {
        JsonObject r = call(HttpMethod.GET, "/joined_rooms", null, token, REQUEST_TIMEOUT_MS);
        List<String> rooms = new ArrayList<>();
        JsonArray a = r.getJsonArray("joined_rooms", new JsonArray());
        for (Object o : a) {
            if (o instanceof String s) {
                rooms.add(s);
            }
        }
        return rooms;
    }

    /** GET /directory/room/{alias}: the room an alias points to, or empty when the alias does not exist. */
    Optional<String> resolveAlias(String token, String alias) throws MatrixException, InterruptedException {
        try {
            return Optional.of(text(call(HttpMethod.GET, "/directory/room/" + seg(alias), null, token,
                    REQUEST_TIMEOUT_MS), "room_id", "GET /directory/room"));
        } catch (MatrixException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The homeserver's answer as JSON, or the failure classified. {@code token} may be null (login). */
    JsonObject call(HttpMethod method, String pathAndQuery, JsonObject body, String token, long timeoutMs)
            throws MatrixException, InterruptedException {
        String what = method + " " + label(pathAndQuery);
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setAbsoluteURI(base + API + pathAndQuery)
                .setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setIdleTimeout(timeoutMs)
                .putHeader("Accept", "application/json")
                .putHeader("User-Agent", "foss-infra");
        if (token != null) {
            options.putHeader("Authorization", "Bearer " + token);
        }
        Future<Answer> answer = http.request(options).compose(req -> {
            if (body == null) {
                return req.send();
            }
            return req.putHeader("Content-Type", "application/json").send(body.toBuffer());
        }).compose(MatrixClient::read);
        Answer a;
        try {
            a = answer.toCompletionStage().toCompletableFuture().get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw MatrixException.unavailable(what + ": no answer within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw MatrixException.unavailable(what + ": " + m);
        }
        return classify(what, a, System.currentTimeMillis());
    }

    /** Status, {@code Retry-After} header and body of an answer. */
    record Answer(int status, String retryAfter, Buffer body, boolean truncated) {
    }

    static JsonObject classify(String what, Answer a, long nowMillis) throws MatrixException {
        JsonObject json = null;
        if (!a.truncated()) {
            try {
                json = a.body().length() == 0 ? null : new JsonObject(a.body());
            } catch (DecodeException | ClassCastException e) {
                json = null;
            }
        }
        if (a.status() >= 200 && a.status() < 300) {
            if (json == null) {
                throw MatrixException.unavailable(what + ": HTTP " + a.status() + " but the answer is "
                        + (a.truncated() ? "larger than " + MAX_BODY / (1024 * 1024) + " MiB" : "not a JSON object")
                        + ", so not a homeserver's (a proxy's page?)");
            }
            return json;
        }
        String errcode = json == null ? "" : json.getString("errcode", "");
        String error = json == null ? "" : json.getString("error", "");
        String message = what + ": HTTP " + a.status() + (errcode.isEmpty() ? "" : " " + errcode)
                + (error.isEmpty() ? "" : ": " + error);
        if (a.status() == 429 || errcode.equals("M_LIMIT_EXCEEDED")) {
            throw new MatrixException(MatrixException.Kind.RATE_LIMITED, a.status(), errcode,
                    retryAfterMs(a.retryAfter(), json, nowMillis), message);
        }
        if (errcode.equals("M_UNKNOWN_TOKEN") || errcode.equals("M_MISSING_TOKEN")) {
            throw new MatrixException(MatrixException.Kind.UNKNOWN_TOKEN, a.status(), errcode, -1, message);
        }
        MatrixException.Kind kind = a.status() >= 500 || a.status() < 400 ? MatrixException.Kind.UNAVAILABLE
                : MatrixException.Kind.REFUSED;
        throw new MatrixException(kind, a.status(), errcode, -1, message);
    }

    /**
     * How long a 429 asks us to wait: the {@code Retry-After} header first (RFC 9110 §10.2.3: seconds, or an HTTP
     * date), then the body's {@code retry_after_ms} (the Matrix spec's field, deprecated since v1.10 in favour of the
     * header); -1 when neither says.
     */
    static long retryAfterMs(String header, JsonObject body, long nowMillis) {
        if (header != null && !header.isBlank()) {
            String h = header.strip();
            try {
                long seconds = Long.parseLong(h);
                if (seconds >= 0) {
                    return Math.min(seconds, 86_400) * 1000;
                }
            } catch (NumberFormatException notSeconds) {
                try {
                    Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    return Math.max(0, at.toEpochMilli() - nowMillis);
                } catch (DateTimeParseException notADate) {
                    // fall through to the body
                }
            }
        }
        if (body != null && body.getValue("retry_after_ms") instanceof Number n && n.longValue() >= 0) {
            return n.longValue();
        }
        return -1;
    }

    private static Future<Answer> read(HttpClientResponse response) {
        Promise<Answer> answer = Promise.promise();
        Buffer body = Buffer.buffer();
        response.exceptionHandler(answer::tryFail);
        response.handler(chunk -> {
            if (body.length() + chunk.length() <= MAX_BODY) {
                body.appendBuffer(chunk);
            } else if (answer.tryComplete(new Answer(response.statusCode(), response.getHeader("Retry-After"), body,
                    true))) {
                response.request().reset();
            }
        });
        response.endHandler(v -> answer.tryComplete(new Answer(response.statusCode(),
                response.getHeader("Retry-After"), body, false)));
        return answer.future();
    }

    /** One path segment, percent-encoded: room ids hold '!' and ':', aliases '#', event ids '$'. */
    static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The path without its query (which may hold a sync token) and without ids, for messages. */
    private static String label(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        if (path.startsWith("/rooms/")) {
            return path.contains("/send/") ? "/rooms/.../send" : "/rooms/...";
        }
        if (path.startsWith("/user/")) {
            return "/user/.../filter";
        }
        if (path.startsWith("/join/")) {
            return "/join";
        }
        if (path.startsWith("/directory/room/")) {
            return "/directory/room";
        }
        return path;
    }

    private static String text(JsonObject r, String key, String what) throws MatrixException {
        if (!(r.getValue(key) instanceof String s) || s.isEmpty()) {
            throw MatrixException.unavailable(what + ": the answer has no '" + key + "', so not a homeserver's");
        }
        return s;
    }

    void close() {
        http.close();
    }
}
