package org.fossinfra.matrix;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.fossinfra.config.MatrixConfig;
import org.fossinfra.control.Control;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Matrix bot: posts the node's events to the ops room ({@link OpsRoomNotifier}) and runs the commands
 * operators type there ({@link ChatCommands}). This class assembles the parts and keeps the bot's state; the work is
 * done by three threads of its own: the notifier (groups events into messages), the sender (posts them, in order,
 * exactly once, see {@link Sender}) and the sync loop (signs in, finds the room, long-polls for commands, see
 * {@link SyncLoop}). HTTP runs on a Vert.x instance of the bot's own with one event loop.
 *
 * <p><b>Isolation.</b> Nothing here can hold up the node: {@link #start} connects to nothing and returns at once;
 * a homeserver that is down, slow or refusing costs the bot's own threads a retry now and then, with one log line
 * per kind of failure a minute and one event per outage ({@code matrix.unavailable}, then {@code matrix.connected}).
 * The data plane never waits for it: the event log hands events over without blocking.
 *
 * <p><b>Durability.</b> Messages wait in the {@link Outbox} on disk, and the sync position in the
 * {@link SyncTokenStore}, both under {@code <data-dir>/matrix/}: a node restarted during an outage still posts what
 * happened before, and never runs a command twice.
 *
 * <p>Hazard: {@link #close()} blocks for up to about {@value #CLOSE_FLUSH_MS} ms to post what is queued (the node's
 * own "stopping" event, say), then a few seconds at most for the threads to end; call it off the event loops.
 */
public final class MatrixBot implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MatrixBot.class);
    /** On close, how long the sender may go on posting what is queued; the rest is posted at the next start. */
    static final long CLOSE_FLUSH_MS = 2_000;
    /** A kind of failure is logged at most once per this period. */
    static final long LOG_PERIOD_MS = 60_000;

    /** The start-up config, with each reload's operators and notification switches (see {@link #onReload}). */
    private volatile MatrixConfig config;
    private final String node;
    private final ChatCommands chat;
    private final EventLog events;
    private final LogLimiter logs = new LogLimiter(log, LOG_PERIOD_MS);
    private final Vertx vertx;
    private final MatrixClient client;
    private final Outbox outbox;
    private final OpsRoomNotifier notifier;
    private final Sender sender;
    private final Thread syncThread;
    private final Thread senderThread;
    private final RoomLog roomLog = new RoomLog(SyncLoop.BACKFILL * 2);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong commands = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean running = true;
    // Guarded by this.
    private MatrixStatus.State state = MatrixStatus.State.STARTING;
    private long sinceMillis = System.currentTimeMillis();
    private String roomId;
    private String deviceId;
    private boolean connectedOnce;
    private String lastError;
    private long lastErrorMillis;

    private MatrixBot(MatrixConfig config, String node, Control control, SyncTokenStore store, Path outboxDir) {
        this.config = config;
        this.node = node;
        this.events = control.events();
        this.deviceId = config.deviceId();
        // One event loop does: two long-lived connections and a message every few seconds.
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1).setPreferNativeTransport(true));
        this.client = new MatrixClient(vertx, config.homeserver());
        Session session = new Session(client, config, this::onSignedInAgain);
        this.outbox = Outbox.open(outboxDir, config.queueLimit(), logs);
        this.notifier = new OpsRoomNotifier(config, node, outbox, events);
        this.sender = new Sender(this, client, session, outbox, config);
        this.chat = new ChatCommands(control, node, config.operators());
        SyncLoop sync = new SyncLoop(this, client, session, new OpsRoom(client, session, config), chat, store, outbox,
                config);
        this.syncThread = daemon(sync, "matrix-sync");
        this.senderThread = daemon(sender, "matrix-sender");
    }

    /** Starts the bot with its state under {@code <dataDir>/matrix/}. Returns at once; connecting is in the background. */
    public static MatrixBot start(MatrixConfig config, String nodeName, Path dataDir, Control control) {
        Path dir = dataDir.resolve("matrix");
        return start(config, nodeName, control, SyncTokenStore.file(dir.resolve("state.json")), dir.resolve("outbox"));
    }

    /** As {@link #start(MatrixConfig, String, Path, Control)}, with the sync state kept in {@code store}. */
    public static MatrixBot start(MatrixConfig config, String nodeName, Control control, SyncTokenStore store,
                                  Path outboxDir) {
        MatrixBot bot = new MatrixBot(config, nodeName, control, store, outboxDir);
        bot.notifier.start();
        bot.syncThread.start();
        bot.senderThread.start();
        return bot;
    }

    /**
     * Takes a reload's operators (a command from someone no longer listed is refused from now on) and notification
     * switches. The homeserver, account, room and pace stay as started: they are the bot's connection, and a reload
     * that changes them says a restart is required.
     */
    public void onReload(MatrixConfig next) {
        MatrixConfig now = config.withLive(next);
        config = now;
        chat.operators(now.operators());
        notifier.onReload(now);
    }

    public synchronized MatrixStatus status() {
        return new MatrixStatus(state, config.homeserver().toString(), config.user(), deviceId,
                Optional.ofNullable(roomId), outbox.size(), sent.get(), commands.get(),
                notifier.dropped() + refused.get(), Optional.ofNullable(lastError), lastErrorMillis, sinceMillis,
                config.operators());
    }

    /** The ops room's newest messages, both directions, newest first (the dashboard's Matrix page). */
    public List<MatrixMessage> roomMessages() {
        return roomLog.newestFirst();
    }

    // ---- what the loops report -------------------------------------------------------------------------------------

    RoomLog roomLog() {
        return roomLog;
    }

    /** The homeserver forgot the token and a password sign-in replaced it: one event and one log line. */
    void onSignedInAgain(MatrixClient.Login refused, MatrixClient.Login fresh, String reason) {
        String message = "the homeserver no longer accepted the Matrix bot's access token (" + reason + "); it signed"
                + " in again with matrix.password as " + fresh.userId() + " on device " + fresh.deviceId();
        synchronized (this) {
            deviceId = fresh.deviceId();
        }
        log.warn("matrix: {}", message);
        events.record(EventType.MATRIX_SIGNED_IN_AGAIN, "matrix", node, message,
                Map.of("device", fresh.deviceId(), "error", reason));
    }

    boolean running() {
        return running;
    }

    LogLimiter logs() {
        return logs;
    }

    /** Whether this run has not been in the room yet (its first sync then catches up on what came while it was down). */
    synchronized boolean firstConnection() {
        return !connectedOnce;
    }

    /** Signed in and in {@code room}. */
    void onConnected(String room, MatrixClient.Login login) {
        String message;
        synchronized (this) {
            boolean again = connectedOnce;
            long downMs = System.currentTimeMillis() - sinceMillis;
            boolean wasRetrying = state == MatrixStatus.State.RETRYING;
            roomId = room;
            deviceId = login.deviceId();
            connectedOnce = true;
            enter(MatrixStatus.State.CONNECTED);
            notifyAll();
            message = again ? "Matrix bot is back in the ops room " + room + (wasRetrying ? " after " + downMs / 1000
                    + " s" : "") : "Matrix bot signed in as " + login.userId() + " (device " + login.deviceId()
                    + ") on " + config.homeserver() + " and is in the ops room " + room;
            message += "; " + outbox.size() + " message(s) waiting";
        }
        log.info("matrix: {}", message);
        events.record(EventType.MATRIX_CONNECTED, "matrix", node, message, Map.of("room", room));
        sender.wake();
    }

    /** A request succeeded: if the bot was retrying, the homeserver is back. */
    void onSuccess() {
        String message;
        synchronized (this) {
            if (state != MatrixStatus.State.RETRYING || roomId == null) {
                return;
            }
            message = "the homeserver " + config.homeserver() + " answers again after "
                    + (System.currentTimeMillis() - sinceMillis) / 1000 + " s; " + outbox.size()
                    + " message(s) waiting are being posted";
            enter(MatrixStatus.State.CONNECTED);
        }
        log.info("matrix: {}", message);
        events.record(EventType.MATRIX_CONNECTED, "matrix", node, message, Map.of());
        sender.wake();
    }

    /** A request failed and will be retried: one log line per kind a minute, one event per outage. */
    void onFailure(String what, MatrixException e) {
        String message = null;
        synchronized (this) {
            lastError = e.getMessage();
            lastErrorMillis = System.currentTimeMillis();
            boolean trouble = e.kind() == MatrixException.Kind.UNAVAILABLE || e.kind() == MatrixException.Kind.REFUSED;
            if (trouble && (state == MatrixStatus.State.CONNECTED || state == MatrixStatus.State.STARTING)) {
                enter(MatrixStatus.State.RETRYING);
                message = (e.kind() == MatrixException.Kind.UNAVAILABLE ? "the homeserver " + config.homeserver()
                        + " is unavailable: " : "the homeserver " + config.homeserver() + " refuses: ")
                        + e.getMessage() + "; retrying with backoff (at most " + config.maxBackoff().toSeconds()
                        + " s apart), " + outbox.size() + " message(s) wait in the outbox";
            }
        }
        logs.warn(what + ":" + e.kind(), what + " failed: " + e.getMessage());
        if (message != null) {
            events.record(EventType.MATRIX_UNAVAILABLE, "matrix", node, message,
                    Map.of("error", e.getMessage(), "kind", e.kind().name()));
        }
    }

    /** The bot is no longer in the ops room (kicked, banned, the room closed): the sync loop will find it again. */
    void roomLost(String room) {
        synchronized (this) {
            roomId = null;
            enter(MatrixStatus.State.RETRYING);
            lastError = "the bot was removed from the ops room " + room;
            lastErrorMillis = System.currentTimeMillis();
        }
        events.record(EventType.MATRIX_UNAVAILABLE, "matrix", node, "the Matrix bot is no longer in the ops room "
                + room + " (kicked, banned or the room was closed); joining it again, or making a new one",
                Map.of("room", room));
    }

    /** The ops room, waiting up to {@code ms} for it to be known; null if it is not by then. */
    synchronized String awaitRoom(long ms) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (roomId == null && running) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
        return roomId;
    }

    void onSent() {
        sent.incrementAndGet();
    }

    void onCommand() {
        commands.incrementAndGet();
    }

    /** The homeserver will never take {@code m} (too large, malformed): it was dropped so the queue can go on. */
    void onRefusedForGood(Outgoing m, MatrixException e) {
        refused.incrementAndGet();
        events.record(EventType.MATRIX_NOTIFICATIONS_DROPPED, "matrix", node, "the homeserver refused a message for"
                        + " good (" + e.getMessage() + "); it was dropped: " + abbreviate(m.body()),
                Map.of("error", e.getMessage()));
    }

    void onReplyDropped(String eventId) {
        refused.incrementAndGet();
        logs.warn("reply-dropped", "the outbox is full (" + outbox.limit() + "): no answer to command " + eventId);
    }

    /** Gives up until a person fixes the config: one event and one log line saying why and what to do. */
    void stop(String reason) {
        synchronized (this) {
            if (state == MatrixStatus.State.STOPPED) {
                return;
            }
            running = false;
            enter(MatrixStatus.State.STOPPED);
            lastError = reason;
            lastErrorMillis = System.currentTimeMillis();
            notifyAll();
        }
        log.error("matrix: the bot stopped: {}", reason);
        events.record(EventType.MATRIX_STOPPED, "matrix", node, "the Matrix bot stopped: " + reason
                + "; messages queued so far are kept for the next start", Map.of("reason", reason));
        // Nothing more is queued; what is queued stays on disk for the next start.
        notifier.close();
        for (Thread t : new Thread[] {syncThread, senderThread}) {
            if (t != Thread.currentThread()) {
                t.interrupt();
            }
        }
    }

    private void enter(MatrixStatus.State next) {
        if (state != next) {
            state = next;
            sinceMillis = System.currentTimeMillis();
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Posts what is grouped and queued (for at most {@value #CLOSE_FLUSH_MS} ms, and only while connected), then stops
     * the threads and the bot's Vert.x. What could not be posted stays in the outbox for the next start.
     */
    @Override
    public void close() {
        notifier.close();
        MatrixStatus.State now;
        synchronized (this) {
            now = state;
        }
        if (now == MatrixStatus.State.CONNECTED) {
            try {
                outbox.awaitEmpty(CLOSE_FLUSH_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            running = false;
            notifyAll();
        }
        for (Thread t : new Thread[] {syncThread, senderThread}) {
            t.interrupt();
        }
        for (Thread t : new Thread[] {syncThread, senderThread}) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        client.close();
        try {
            vertx.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("matrix: closing the bot's Vert.x did not finish within 5 s ({}); going on", e.toString());
        }
    }
}
