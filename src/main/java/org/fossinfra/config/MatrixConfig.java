package org.fossinfra.config;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Matrix ops room ({@code matrix:}): which homeserver and bot account, which room, who may change things from
 * chat, which events are reported there, and how fast the bot may post.
 *
 * <p>Hazard: {@code password} and {@code accessToken} are secrets; {@link #toString()} never shows them.
 *
 * @param enabled      false keeps the section but starts no bot
 * @param homeserver   the homeserver's base URL ({@code https://matrix.example.org}); the client adds
 *                     {@code /_matrix/client/v3}
 * @param user         the bot's full user id, {@code @foss-bot:example.org}
 * @param password     logs in with it (and again whenever the homeserver forgets the access token)
 * @param accessToken  used instead of logging in; without a password, a refused token stops the bot
 * @param deviceId     the bot's device: stable, so that retried sends are recognised across restarts and logins
 * @param room         a room id ({@code !abc:example.org}) or alias ({@code #ops:example.org}) to join; an alias on
 *                     the bot's own server that does not exist yet is created. Empty: the bot creates a room once and
 *                     remembers it in the data directory
 * @param roomName     the name of a room the bot creates
 * @param roomTopic    the topic of a room the bot creates
 * @param invite       who a room the bot creates invites (the operators are invited too)
 * @param operators    who may run commands that change state ({@code !drain}, {@code !weight}, ...); anyone in the
 *                     room may run the read-only ones
 * @param notifications event type (or {@code prefix.*}) → on/off ({@code notify:}), over {@link #DEFAULT_NOTIFY}
 * @param groupWindow  events of one type within this time of the first become one message
 * @param sendInterval after a burst of {@code sendBurst} messages, at most one message per interval
 * @param sendBurst    messages that may go out back to back
 * @param queueLimit   messages waiting for the homeserver at most; beyond, new notifications are dropped (and that is
 *                     an event)
 * @param maxBackoff   the longest wait between two attempts while the homeserver fails
 */
public record MatrixConfig(boolean enabled, URI homeserver, String user, Optional<String> password,
                           Optional<String> accessToken, String deviceId, Optional<String> room, String roomName,
                           String roomTopic, List<String> invite, List<String> operators, Map<String, Boolean> notifications,
                           Duration groupWindow, Duration sendInterval, int sendBurst, int queueLimit,
                           Duration maxBackoff) {
    /**
     * What is reported when the config says nothing about a type: everything, except routine sign-ins and monthly
     * partition upkeep, and never the bot's own {@code matrix.*} events (it would report on its own reports).
     */
    public static final Map<String, Boolean> DEFAULT_NOTIFY = defaults();
    public static final Duration DEFAULT_GROUP_WINDOW = Duration.ofSeconds(5);
    /**
     * Synapse's default {@code rc_message} is 0.2 messages a second with a burst of 10: one every 6 s after a burst
     * of 5 stays below it with room for an operator's own messages from the same account.
     */
    public static final Duration DEFAULT_SEND_INTERVAL = Duration.ofSeconds(6);
    public static final int DEFAULT_SEND_BURST = 5;
    public static final int DEFAULT_QUEUE_LIMIT = 10_000;
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final String DEFAULT_ROOM_NAME = "foss-infra ops";
    public static final String DEFAULT_ROOM_TOPIC = "foss-infra notifications and commands; type !help";

    public MatrixConfig {
        Objects.requireNonNull(homeserver, "homeserver");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(room, "room");
        invite = List.copyOf(invite);
        operators = List.copyOf(operators);
        notifications = Map.copyOf(notifications);
        if (sendBurst < 1) {
            throw new IllegalArgumentException("sendBurst: " + sendBurst + " (expected: 1 or more)");
        }
        if (queueLimit < 1) {
            throw new IllegalArgumentException("queueLimit: " + queueLimit + " (expected: 1 or more)");
        }
    }

    /** The device id used when the config names none: one per node, stable across restarts. */
    public static String defaultDeviceId(String nodeName) {
        return "FOSS_INFRA_" + nodeName.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /**
     * Whether events of {@code type} are reported: the config's entries first (an exact type, then the longest
     * matching {@code prefix.*}), then the defaults the same way; a type nobody mentions is reported.
     * {@code matrix.*} never is.
     */
    public boolean notifies(String type) {
        if (type.startsWith("matrix.")) {
            return false;
        }
        Boolean own = lookup(notifications, type);
        if (own != null) {
            return own;
        }
        Boolean def = lookup(DEFAULT_NOTIFY, type);
        return def == null || def;
    }

    private static Boolean lookup(Map<String, Boolean> flags, String type) {
        Boolean exact = flags.get(type);
        if (exact != null) {
            return exact;
        }
        for (int dot = type.lastIndexOf('.'); dot > 0; dot = type.lastIndexOf('.', dot - 1)) {
            Boolean wildcard = flags.get(type.substring(0, dot) + ".*");
            if (wildcard != null) {
                return wildcard;
            }
        }
        return flags.get("*");
    }

    private static Map<String, Boolean> defaults() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("auth.login", false);
        m.put("auth.logout", false);
        m.put("store.partitions", false);
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * This bot's connection (homeserver, account, room, pace) with {@code next}'s operators and notification switches:
     * what a reload changes in a running bot (see {@link ConfigDiff}).
     */
    public MatrixConfig withLive(MatrixConfig next) {
        return new MatrixConfig(enabled, homeserver, user, password, accessToken, deviceId, room, roomName, roomTopic,
                invite, next.operators, next.notifications, groupWindow, sendInterval, sendBurst, queueLimit,
                maxBackoff);
    }

    @Override
    public String toString() {
        return "MatrixConfig[enabled=" + enabled + ", homeserver=" + homeserver + ", user=" + user + ", password="
                + (password.isPresent() ? "***" : "none") + ", accessToken=" + (accessToken.isPresent() ? "***" : "none")
                + ", deviceId=" + deviceId + ", room=" + room.orElse("(created)") + ", operators=" + operators + "]";
    }
}
