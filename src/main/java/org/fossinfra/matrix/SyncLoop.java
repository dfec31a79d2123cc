package org.fossinfra.matrix;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import org.fossinfra.config.MatrixConfig;

/**
 * The bot's receiving side, on a thread of its own: signs in, makes sure of the ops room, then long-polls
 * {@code /sync} and answers the commands it finds.
 *
 * <p><b>No replay.</b> The sync position ({@code next_batch}) is saved after every batch whose commands were all
 * handled, and the next sync starts from it, so a restarted node never sees a handled command again. On the very first
 * start (nothing saved) the first sync only fetches a position and ignores the room's history. After a restart, the
 * first sync asks without waiting ({@code timeout=0}) for what arrived while the node was down: those commands are
 * older than this start and are not run, only answered ("not run, send it again"), since nobody saw them take effect.
 *
 * <p>A crash between handling a command and saving the position would hand that command over once more at the next
 * start; it would then be answered as "not run". State changes are idempotent anyway, and the answer's transaction id
 * is the command's event id, so it could never be posted twice.
 *
 * <p><b>The filter</b> (created once per start with POST /user/{userId}/filter) asks for the ops room only: its
 * {@code m.room.message} timeline and the bot's own membership (an invite, or being removed), nothing else: no
 * presence, no account data, no receipts or typing, no other rooms.
 */
final class SyncLoop implements Runnable {
    /** Long-poll: the homeserver holds the request up to this long when nothing happens. */
    static final long POLL_MS = 30_000;
    /** Commands in one batch; a batch with more is a flood, and only the newest are seen (the timeline is "limited"). */
    static final int TIMELINE_LIMIT = 50;
    /** Messages of the room's history read at each join, for the dashboard: its panel lists about as many. */
    static final int BACKFILL = 30;

    private final MatrixBot bot;
    private final MatrixClient client;
    private final Session session;
    private final OpsRoom opsRoom;
    private final ChatCommands commands;
    private final SyncTokenStore store;
    private final Outbox outbox;
    private final MatrixConfig config;
    private final Instant startedAt = Instant.now();
    /** The position and room now, and as last written to the store. */
    private SyncState state;
    private SyncState saved;
    private String roomId;
    private String filterId;
    private boolean catchUp;

    SyncLoop(MatrixBot bot, MatrixClient client, Session session, OpsRoom opsRoom, ChatCommands commands,
             SyncTokenStore store, Outbox outbox, MatrixConfig config) {
        this.bot = bot;
        this.client = client;
        this.session = session;
        this.opsRoom = opsRoom;
        this.commands = commands;
        this.store = store;
        this.outbox = outbox;
        this.config = config;
    }

    @Override
    public void run() {
        Backoff backoff = new Backoff(config.maxBackoff().toMillis());
        while (bot.running()) {
            try {
                if (roomId == null) {
                    connect();
                }
                String since = state.nextBatch().orElseThrow();
                JsonObject batch = session.call(t -> client.sync(t, since, filterId, catchUp ? 0 : POLL_MS));
                bot.onSuccess();
                handle(batch);
                catchUp = false;
                save(state.withNextBatch(batch.getString("next_batch")));
                backoff.reset();
            } catch (MatrixException e) {
                if (e.kind() == MatrixException.Kind.FATAL) {
                    bot.stop(e.getMessage());
                    return;
                }
                bot.onFailure("sync", e);
                try {
                    Thread.sleep(backoff.delayFor(e));
                } catch (InterruptedException stop) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A bug of ours or an answer of a shape nobody expected: the loop must outlive it, or commands stop.
                bot.logs().warn("sync-bug", "sync: unexpected " + e + "; going on after a backoff");
                try {
                    Thread.sleep(backoff.next());
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Signs in, finds the room, creates the filter, and finds where to start: after this, {@link #roomId} is set. */
    private void connect() throws MatrixException, InterruptedException {
        MatrixClient.Login login = session.signIn();
        String homeserver = config.homeserver().toString();
        // After losing the room, go on from where this run is; at start, from what the last run saved.
        SyncState known = (state != null ? Optional.of(state) : load())
                .filter(s -> s.belongsTo(homeserver, login.userId()))
                .orElse(SyncState.fresh(homeserver, login.userId()));
        String room = opsRoom.ensure(known.roomId());
        filterId = session.call(t -> client.createFilter(t, login.userId(), filter(room)));
        SyncState next = known.withRoom(room);
        if (next.nextBatch().isEmpty()) {
            // First start for this account: where the room is now, and nothing of its past.
            String first = session.call(t -> client.sync(t, null, filterId, 0)).getString("next_batch");
            next = next.withNextBatch(first);
            catchUp = false;
        } else {
            catchUp = bot.firstConnection();
        }
        save(next);
        backfill(room, login.userId());
        roomId = room;
        bot.onConnected(room, login);
    }

    /** Handles one sync answer: commands in the ops room's timeline, and the bot's own membership changes. */
    private void handle(JsonObject batch) throws MatrixException, InterruptedException {
        JsonObject rooms = batch.getJsonObject("rooms", new JsonObject());
        if (rooms.getJsonObject("invite", new JsonObject()).containsKey(roomId)) {
            session.call(t -> client.join(t, roomId));
        }
        JsonObject joined = rooms.getJsonObject("join", new JsonObject()).getJsonObject(roomId);
        if (joined != null) {
            JsonArray events = joined.getJsonObject("timeline", new JsonObject()).getJsonArray("events", new JsonArray());
            for (Object o : events) {
                if (o instanceof JsonObject event) {
                    bot.roomLog().add(event, config.user());
                    onMessage(event);
                }
            }
        }
        if (rooms.getJsonObject("leave", new JsonObject()).containsKey(roomId)) {
            // Kicked or banned: find the room again (rejoin, or a new one), with backoff if that fails.
            bot.roomLost(roomId);
            roomId = null;
        }
    }

    private void onMessage(JsonObject event) {
        String sender = event.getString("sender", "");
        JsonObject content = event.getJsonObject("content", new JsonObject());
        String eventId = event.getString("event_id");
        if (!"m.room.message".equals(event.getString("type")) || eventId == null
                || sender.equals(config.user())
                // Only people's text: notices are what bots post (ours included), so bots never answer each other.
                || !"m.text".equals(content.getString("msgtype")) || !(content.getValue("body") instanceof String body)) {
            return;
        }
        Optional<ChatCommand> command = ChatCommand.parse(body);
        if (command.isEmpty()) {
            return;
        }
        Messages.Reply reply;
        if (catchUp) {
            long ts = event.getLong("origin_server_ts", 0L);
            reply = Messages.Reply.plain("Not run: this command was sent at " + Messages.time(Instant.ofEpochMilli(ts))
                    + " UTC, while foss-infra was not running (it started at " + Messages.time(startedAt)
                    + " UTC). Send it again if it still applies.");
        } else {
            try {
                reply = commands.handle(sender, command.get());
            } catch (RuntimeException e) {
                // A bug of ours, not the sender's: a short answer in the room, the details in the log once.
                bot.logs().warn("command", "command '" + abbreviate(body) + "' from " + sender + " failed: " + e);
                reply = Messages.Reply.plain("That command failed inside foss-infra (" + e.getClass().getSimpleName()
                        + "); nothing more is known here. The node's log has the details.");
            }
            bot.onCommand();
        }
        if (!outbox.offer(Messages.reply(roomId, eventId, sender, reply))) {
            bot.onReplyDropped(eventId);
        }
    }

    /**
     * The room's newest messages into the bot's {@link RoomLog}, so that the dashboard shows the conversation from the
     * start rather than only what comes after. Only for show: a failure here is logged and does not hold up the bot.
     */
    private void backfill(String room, String botUserId) throws InterruptedException {
        try {
            java.util.List<JsonObject> newest = session.call(t -> client.recentMessages(t, room, BACKFILL));
            for (JsonObject event : newest.reversed()) {
                bot.roomLog().add(event, botUserId);
            }
        } catch (MatrixException e) {
            bot.logs().warn("backfill", "cannot read the ops room's recent messages for the dashboard ("
                    + e.getMessage() + "); it shows new ones only");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    private Optional<SyncState> load() {
        try {
            return store.load();
        } catch (IOException e) {
            bot.logs().warn("state", "cannot read the saved sync state (" + e.getMessage() + "); starting afresh,"
                    + " without replaying the room's history");
            return Optional.empty();
        }
    }

    private void save(SyncState next) {
        state = next;
        if (next.equals(saved)) {
            return;
        }
        try {
            store.save(next);
            saved = next;
        } catch (IOException e) {
            bot.logs().warn("state", "cannot save the sync state to " + store + " (" + e + "); a restart may answer"
                    + " recent commands again as 'not run'");
        }
    }

    /** The sync filter: the ops room's messages and the bot's membership in it, nothing else. */
    static JsonObject filter(String roomId) {
        JsonObject none = new JsonObject().put("not_types", new JsonArray().add("*"));
        return new JsonObject()
                .put("presence", none.copy())
                .put("account_data", none.copy())
                .put("room", new JsonObject()
                        .put("rooms", new JsonArray().add(roomId))
                        .put("timeline", new JsonObject().put("types", new JsonArray().add("m.room.message"))
                                .put("limit", TIMELINE_LIMIT))
                        .put("state", new JsonObject().put("types", new JsonArray().add("m.room.member"))
                                .put("lazy_load_members", true))
                        .put("ephemeral", none.copy())
                        .put("account_data", none.copy()));
    }
}
