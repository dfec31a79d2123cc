package org.fossinfra.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads {@code matrix:}: the homeserver and the bot's account, the ops room, the operators, the per-type notification
 * flags and the send pace. User ids and room ids or aliases are checked for their shape (a typo such as a missing
 * server part would otherwise surface only as a refusal from the homeserver, minutes later, in a log).
 *
 * <p>Hazard: {@code password} and {@code access-token} are secrets; no message here repeats them.
 */
final class MatrixReader {
    static final List<String> KEYS = List.of("enabled", "homeserver", "user", "password", "access-token", "device-id",
            "room", "room-name", "room-topic", "invite", "operators", "notify", "group-window", "send-interval",
            "send-burst", "queue-limit", "max-backoff");
    /** {@code @localpart:server} (Matrix spec, appendix "User Identifiers"; historical localparts allowed). */
    private static final Pattern USER_ID = Pattern.compile("@[^:\\s]+:[^\\s]+");
    private static final Pattern ROOM = Pattern.compile("[!#][^:\\s]+:[^\\s]+");
    /** An event type as foss-infra writes them ({@code server.down}), or a prefix with {@code .*}, or {@code *}. */
    private static final Pattern NOTIFY_KEY = Pattern.compile("\\*|[a-z0-9_-]+(\\.[a-z0-9_-]+)*(\\.\\*)?");
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private MatrixReader() {
    }

    /** The section, or empty when absent or when something in it was reported. */
    static Optional<MatrixConfig> read(Context ctx, Section s, String nodeName) {
        if (!s.present()) {
            return Optional.empty();
        }
        s.allowOnly(KEYS);
        boolean enabled = s.bool("enabled", true);
        URI homeserver = s.required("homeserver", "add homeserver: https://matrix.example.org (its base URL)",
                "a URL", ServiceReader::matrixUrl).orElse(null);
        String user = s.required("user", "add user: \"@foss-bot:example.org\" (the bot's account)", "a user id",
                MatrixReader::userId).orElse(null);
        Optional<String> passwordText = s.secretText("password");
        Optional<String> tokenText = s.secretText("access-token");
        Optional<String> password = passwordText.filter(p -> !p.isEmpty());
        Optional<String> token = tokenText.filter(t -> !t.isEmpty());
        // A key that is there but read as nothing was reported already (e.g. a secret with a default).
        boolean reported = s.has("password") && passwordText.isEmpty() || s.has("access-token") && tokenText.isEmpty();
        if (enabled && password.isEmpty() && token.isEmpty() && !reported) {
            String key = s.has("password") ? "password" : s.has("access-token") ? "access-token" : null;
            String problem = key == null ? "neither password nor access-token is set, so the bot cannot sign in"
                    : "is empty, and so is the other way to sign in";
            ctx.error(key == null ? s.line() : s.line(key), key == null ? s.path() : s.field(key), problem,
                    "add password: ${FOSS_MATRIX_PASSWORD} (or access-token: ${FOSS_MATRIX_TOKEN}), or enabled: false");
        }
        String deviceId = s.parse("device-id", "a device id", text -> {
            if (!DEVICE_ID.matcher(text).matches()) {
                throw new Invalid("'" + text + "' is not a usable device id",
                        "use 1 to 64 letters, digits, '_', '.' or '-', or remove it to use "
                                + MatrixConfig.defaultDeviceId(nodeName));
            }
            return text;
        }).orElse(MatrixConfig.defaultDeviceId(nodeName));
        Optional<String> room = s.parse("room", "a room id or alias", MatrixReader::room);
        String roomName = s.text("room-name").filter(t -> !t.isBlank()).orElse(MatrixConfig.DEFAULT_ROOM_NAME);
        String roomTopic = s.text("room-topic").orElse(MatrixConfig.DEFAULT_ROOM_TOPIC);
        List<String> invite = userIds(ctx, s, "invite");
        List<String> operators = userIds(ctx, s, "operators");
        Map<String, Boolean> notify = notify(ctx, s.section("notify"));
        Duration groupWindow = s.duration("group-window", MatrixConfig.DEFAULT_GROUP_WINDOW, Duration.ofMillis(100));
        Duration sendInterval = s.duration("send-interval", MatrixConfig.DEFAULT_SEND_INTERVAL, Duration.ofMillis(10));
        int sendBurst = s.integer("send-burst", MatrixConfig.DEFAULT_SEND_BURST, 1, 100);
        int queueLimit = s.integer("queue-limit", MatrixConfig.DEFAULT_QUEUE_LIMIT, 100, 1_000_000);
        Duration maxBackoff = s.duration("max-backoff", MatrixConfig.DEFAULT_MAX_BACKOFF, Duration.ofSeconds(1));
        if (homeserver == null || user == null) {
            return Optional.empty();
        }
        return Optional.of(new MatrixConfig(enabled, homeserver, user, password, token, deviceId, room, roomName,
                roomTopic, invite, operators, notify, groupWindow, sendInterval, sendBurst, queueLimit, maxBackoff));
    }

    static String userId(String text) {
        if (!USER_ID.matcher(text).matches()) {
            throw new Invalid("'" + text + "' is not a Matrix user id",
                    "write the full id, @name:server, e.g. \"@alice:example.org\" (quote it: YAML reads a leading @ as reserved)");
        }
        return text;
    }

    static String room(String text) {
        if (!ROOM.matcher(text).matches()) {
            throw new Invalid("'" + text + "' is neither a room id (!id:server) nor an alias (#name:server)",
                    "write e.g. \"#ops:example.org\" (quoted: YAML reads # as a comment), or remove it to let the bot"
                            + " create a room");
        }
        return text;
    }

    private static List<String> userIds(Context ctx, Section s, String key) {
        List<String> ids = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (Section.Item item : s.textList(key)) {
            try {
                String id = userId(item.text());
                Integer first = seen.putIfAbsent(id, item.line());
                if (first != null) {
                    ctx.error(item.line(), item.field(), "'" + id + "' is listed twice (first at line " + first + ")",
                            "remove one of them");
                } else {
                    ids.add(id);
                }
            } catch (Invalid e) {
                ctx.error(item.line(), item.field(), e);
            }
        }
        return ids;
    }

    private static Map<String, Boolean> notify(Context ctx, Section s) {
        Map<String, Boolean> flags = new LinkedHashMap<>();
        if (!s.present()) {
            return flags;
        }
        s.allowAny();
        for (String type : s.keys()) {
            if (!NOTIFY_KEY.matcher(type).matches()) {
                ctx.error(s.keyLine(type), s.field(type), "'" + type + "' is not an event type",
                        "write a type such as server.down, a prefix such as service.*, or * for all");
                continue;
            }
            if (type.equals("matrix.*") || type.startsWith("matrix.")) {
                ctx.error(s.keyLine(type), s.field(type), "matrix.* events are never posted to the room",
                        "remove it: the bot would report on its own reports (they are in the event log)");
                continue;
            }
            if (s.has(type)) {
                flags.put(type, s.bool(type, true));
            }
        }
        return flags;
    }
}
