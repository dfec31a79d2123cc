package org.fossinfra.testing.services;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A person in the ops room, for tests: a plain HTTP client of its own (the JDK's, so the tests do not check the bot
 * with the bot's own client) that signs in, joins, says things and reads the room.
 */
public final class SynapseUser {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String userId;
    private final String token;

    private SynapseUser(String base, String userId, String token) {
        this.base = base;
        this.userId = userId;
        this.token = token;
    }

    public static SynapseUser login(String base, String user, String password) throws Exception {
        JsonObject r = call(base, "POST", "/_matrix/client/v3/login", null, new JsonObject()
                .put("type", "m.login.password")
                .put("identifier", new JsonObject().put("type", "m.id.user").put("user", user))
                .put("password", password));
        return new SynapseUser(base, r.getString("user_id"), r.getString("access_token"));
    }

    /** Registers a user through Synapse's shared-secret admin API (its HMAC-SHA1 scheme). */
    public static void register(String base, String secret, String localpart, String password, boolean admin)
            throws Exception {
        String nonce = call(base, "GET", "/_synapse/admin/v1/register", null, null).getString("nonce");
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String text = nonce + "\0" + localpart + "\0" + password + "\0" + (admin ? "admin" : "notadmin");
        String digest = HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        call(base, "POST", "/_synapse/admin/v1/register", null, new JsonObject().put("nonce", nonce)
                .put("username", localpart).put("password", password).put("admin", admin).put("mac", digest));
    }

    public String userId() {
        return userId;
    }

    /** This session's access token (tests hand it to a bot configured with access-token only). */
    public String accessToken() {
        return token;
    }

    /** POST /logout: the homeserver forgets this session's token (and deletes its device). */
    public void logout() throws Exception {
        call(base, "POST", "/_matrix/client/v3/logout", token, new JsonObject());
    }

    /**
     * As a server admin: deletes {@code user}'s device {@code deviceId} (Synapse admin API), which invalidates every
     * access token of that device, as a user removing a session in Element's settings would.
     */
    public void deleteDevice(String user, String deviceId) throws Exception {
        call(base, "DELETE", "/_synapse/admin/v2/users/" + enc(user) + "/devices/" + enc(deviceId), token, null);
    }

    /** Joins a room (it must have been invited to a private one); the room id. */
    public String join(String roomIdOrAlias) throws Exception {
        return call(base, "POST", "/_matrix/client/v3/join/" + enc(roomIdOrAlias), token, new JsonObject())
                .getString("room_id");
    }

    /** Whether joining works now (the invite has arrived). */
    public boolean tryJoin(String roomId) {
        try {
            join(roomId);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Says {@code text} in the room, as a person would (m.text); the event id. */
    public String say(String roomId, String text) throws Exception {
        return call(base, "PUT", "/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/"
                + UUID.randomUUID(), token, new JsonObject().put("msgtype", "m.text").put("body", text))
                .getString("event_id");
    }

    /** The room's m.room.message events, oldest first (the newest 1000). */
    public List<JsonObject> messages(String roomId) throws Exception {
        JsonObject filter = new JsonObject().put("types", new JsonArray().add("m.room.message"));
        JsonObject r = call(base, "GET", "/_matrix/client/v3/rooms/" + enc(roomId) + "/messages?dir=b&limit=1000&filter="
                + enc(filter.encode()), token, null);
        List<JsonObject> out = new ArrayList<>();
        for (Object o : r.getJsonArray("chunk", new JsonArray())) {
            out.add(0, (JsonObject) o);
        }
        return out;
    }

    /** The bodies of the messages {@code sender} posted in the room, oldest first. */
    public List<String> bodiesFrom(String roomId, String sender) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonObject m : messages(roomId)) {
            if (sender.equals(m.getString("sender"))) {
                out.add(m.getJsonObject("content", new JsonObject()).getString("body", ""));
            }
        }
        return out;
    }

    /** As a server admin: the user's own message rate limit (Synapse admin API "override_ratelimit"). */
    public void overrideRateLimit(String user, int perSecond, int burst) throws Exception {
        call(base, "POST", "/_synapse/admin/v1/users/" + enc(user) + "/override_ratelimit", token,
                new JsonObject().put("messages_per_second", perSecond).put("burst_count", burst));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonObject call(String base, String method, String path, String token, JsonObject body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path.replaceAll("\\?.*", "") + ": HTTP " + r.statusCode()
                    + " " + r.body());
        }
        return new JsonObject(r.body());
    }
}
