package org.fossinfra.redis;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.fossinfra.ratelimit.Decision;
import org.fossinfra.ratelimit.Limiter;

/**
 * One event loop's connection to Redis for the rate-limit store. Each event loop of the node has its own lane,
 * bound to that loop, so a check made by a request on loop <i>k</i> is written, answered and decided on loop
 * <i>k</i>: no thread hop, no lock. Checks are pipelined: each is written at once, without waiting for the answers
 * before it, and Redis answers them in order.
 *
 * <p>States: CONNECTING (checks wait, up to {@value #MAX_WAITING}), UP (checks are sent, up to
 * {@value #MAX_IN_FLIGHT} unanswered), DOWN (checks are answered {@link Decision.Unavailable} at once; a reconnect is
 * scheduled with exponential backoff from {@value #MIN_BACKOFF_MS} ms to {@value #MAX_BACKOFF_MS} ms, jittered), and
 * CLOSED. A watchdog ticks every half timeout: an answer older than the timeout reports the store unavailable; one
 * older than {@link #hangNanos} means a connection that no longer answers (a black-holed link, a Redis stuck in a
 * long script), which is then closed and reopened, failing the checks still waiting on it.
 *
 * <p>Hazard: everything here runs on the lane's event loop; {@link #submit} is the only entry from other threads.
 */
final class RedisLane {
    private static final int DOWN = 0;
    private static final int CONNECTING = 1;
    private static final int UP = 2;
    private static final int CLOSED = 3;
    /** Checks waiting for the connection to open; more are answered at once. */
    static final int MAX_WAITING = 1024;
    /** Unanswered checks on one connection; more means Redis is far behind, and waiting longer helps nobody. */
    static final int MAX_IN_FLIGHT = 10_000;
    static final long MIN_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;
    /** The scripts' fourth answer: this call made the key. */
    static final int KEY_CREATED = 1;
    /** The scripts' fourth answer: the key is new and the rule holds its size of keys, so nothing was written. */
    static final int KEY_REFUSED = 2;
    /** What {@link #decision} says of a refused key; never given to a caller (the rule's own answer is). */
    static final Decision.Unavailable REFUSED = new Decision.Unavailable("no room for a new key");

    private final RedisRateLimitStore store;
    private final int index;
    final ContextInternal context;
    /** Runs a call on this lane; a field, so that submitting allocates no lambda. */
    private final Handler<Call> sender = this::send;
    private final ArrayDeque<Call> waiting = new ArrayDeque<>();
    /** Sent and not yet answered, oldest first (Redis answers in order). */
    private final ArrayDeque<Call> inFlight = new ArrayDeque<>();
    private int state = DOWN;
    private Redis client;
    private RedisConnection conn;
    private long backoffMillis = MIN_BACKOFF_MS;
    private long watchdog = -1;
    private boolean stallReported;
    private long sequence;
    private Decision.Unavailable down;

    RedisLane(RedisRateLimitStore store, int index, ContextInternal context) {
        this.store = store;
        this.index = index;
        this.context = context;
        this.down = new Decision.Unavailable("not connected to " + store.target() + " yet");
    }

    /** One check: a script call for one key of one rule, answered once. */
    static final class Call {
        final RedisLimiter rule;
        final byte[] key;
        final long tag;
        final Limiter.Answer answer;
        /** Set when sent: the unique member suffix of the sliding window and the watchdog's clock. */
        long sentAt;
        boolean answered;
        boolean retried;

        Call(RedisLimiter rule, byte[] key, long tag, Limiter.Answer answer) {
            this.rule = rule;
            this.key = key;
            this.tag = tag;
            this.answer = answer;
        }
    }

    /** From any thread: runs the call on this lane's loop, inline when already there. */
    void submit(Call call) {
        context.emit(call, sender);
    }

    /** Opens the first connection and starts the watchdog; on the lane's loop. */
    void start() {
        long tick = Math.max(5, store.timeoutMillis() / 2);
        watchdog = context.setPeriodic(tick, id -> watch());
        connect();
    }

    void close() {
        state = CLOSED;
        if (watchdog >= 0) {
            context.owner().cancelTimer(watchdog);
        }
        Decision.Unavailable closed = new Decision.Unavailable("the rate-limit store was closed");
        failWaiting(closed);
        Redis c = client;
        client = null;
        conn = null;
        if (c != null) {
            c.close();
        }
    }

    // ---------------------------------------------------------------- checks

    private void send(Call call) {
        switch (state) {
            case UP -> {
                if (inFlight.size() >= MAX_IN_FLIGHT) {
                    answer(call, store.overloaded());
                    return;
                }
                write(call);
            }
            case CONNECTING -> {
                if (waiting.size() >= MAX_WAITING) {
                    answer(call, down);
                } else {
                    waiting.add(call);
                }
            }
            default -> answer(call, state == CLOSED ? new Decision.Unavailable("the rate-limit store was closed") : down);
        }
    }

    private void write(Call call) {
        call.sentAt = System.nanoTime();
        inFlight.add(call);
        RedisConnection c = conn;
        RedisScript script = call.rule.script;
        Request req;
        if (call.retried) {
            req = Request.cmd(Command.EVAL).arg(script.body());
        } else {
            req = Request.cmd(Command.EVALSHA).arg(script.sha());
        }
        req.arg(2).arg(call.key).arg(call.rule.index).arg(store.clockArgument());
        for (byte[] a : call.rule.args) {
            req.arg(a);
        }
        if (script == RedisScript.SLIDING_WINDOW) {
            // The member suffix: unique across nodes (the store's random id), lanes and calls.
            req.arg(store.nodeId() + "." + index + "." + (++sequence));
        }
        c.send(req).onComplete(ar -> onReply(call, ar));
    }

    private void onReply(Call call, AsyncResult<Response> ar) {
        call.answered = true;
        Call head;
        while ((head = inFlight.peekFirst()) != null && head.answered) {
            inFlight.pollFirst();
        }
        stallReported = false;
        if (ar.succeeded()) {
            Response r = ar.result();
            Decision d = decision(r);
            if (d == null) {
                String what = "unexpected answer from " + call.rule.script.name() + ".lua: " + r;
                store.health().failure(what);
                answer(call, new Decision.Unavailable(what));
                return;
            }
            store.health().success();
            if (d == REFUSED) {
                call.rule.budget.refused();
                answer(call, call.rule.full);
                return;
            }
            if (r.get(3).toInteger() == KEY_CREATED) {
                call.rule.budget.created();
            }
            answer(call, d);
            return;
        }
        String message = message(ar.cause());
        if (message.startsWith("NOSCRIPT") && !call.retried && state == UP) {
            // Redis lost its script cache (restart, SCRIPT FLUSH): EVAL once, which caches the script again.
            Call again = new Call(call.rule, call.key, call.tag, call.answer);
            again.retried = true;
            write(again);
            return;
        }
        store.health().failure(call.rule.script.name() + ": " + message);
        answer(call, new Decision.Unavailable(message));
    }

    /**
     * {@code {1, remaining, 0, key}} or {@code {0, 0, retry-after ms, key}}, where key says what became of the key
     * ({@link #KEY_CREATED}, {@link #KEY_REFUSED}, 0: it existed); {@link #REFUSED} for a refused key (its rule
     * answers it); null for anything else.
     */
    static Decision decision(Response r) {
        if (r == null || r.type() != ResponseType.MULTI || r.size() != 4) {
            return null;
        }
        Long allowed = r.get(0).toLong();
        Long remaining = r.get(1).toLong();
        Long retry = r.get(2).toLong();
        Long key = r.get(3).toLong();
        if (allowed == null || remaining == null || retry == null || key == null || remaining < 0 || retry < 0
                || key < 0 || key > KEY_REFUSED) {
            return null;
        }
        if (key == KEY_REFUSED) {
            return REFUSED;
        }
        return allowed == 1 ? Decision.allowed(remaining) : new Decision.Denied(retry);
    }

    private void answer(Call call, Decision d) {
        call.answer.onDecision(call.tag, d);
    }

    // ---------------------------------------------------------------- connection

    private void connect() {
        if (state == CLOSED) {
            return;
        }
        state = CONNECTING;
        Redis c = Redis.createClient(context.owner(), store.options());
        client = c;
        // The client's connect timeout covers TCP only; a server that accepts and never answers the handshake would
        // keep the lane CONNECTING forever.
        c.connect().timeout(RedisRateLimitStore.CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
            if (client != c) {
                c.close(); // closed or replaced meanwhile
                return;
            }
            if (ar.failed()) {
                onConnectFailed("cannot connect: " + message(ar.cause()));
                return;
            }
            RedisConnection rc = ar.result();
            rc.exceptionHandler(t -> onConnectionLost(rc, "connection failed: " + message(t)));
            rc.endHandler(v -> onConnectionLost(rc, "Redis closed the connection"));
            loadScripts(rc).onComplete(loaded -> {
                if (client != c) {
                    return;
                }
                if (loaded.failed()) {
                    onConnectFailed(message(loaded.cause()));
                    return;
                }
                conn = rc;
                state = UP;
                backoffMillis = MIN_BACKOFF_MS;
                store.health().success();
                Call w;
                while (state == UP && (w = waiting.pollFirst()) != null) {
                    send(w);
                }
            });
        });
    }

    /** {@code SCRIPT LOAD} of every rate-limit script, checking that Redis names each by the SHA-1 we call it by. */
    private Future<Void> loadScripts(RedisConnection rc) {
        List<Future<Response>> loads = new ArrayList<>();
        for (RedisScript s : RedisRateLimitStore.SCRIPTS) {
            loads.add(rc.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(s.body())).map(r -> {
                if (r == null || !s.sha().equals(r.toString())) {
                    throw new IllegalStateException("SCRIPT LOAD " + s.name() + " answered " + r + ", expected "
                            + s.sha());
                }
                return r;
            }));
        }
        // A server that accepts and never answers must not keep the lane CONNECTING (and its checks waiting) forever.
        return Future.all(loads).timeout(RedisRateLimitStore.CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .recover(t -> Future.failedFuture(t instanceof java.util.concurrent.TimeoutException
                        ? "SCRIPT LOAD got no answer within " + RedisRateLimitStore.CONNECT_TIMEOUT_MS + " ms"
                        : message(t)))
                .mapEmpty();
    }

    private void onConnectFailed(String reason) {
        store.health().failure(reason);
        goDown(reason);
    }

    private void onConnectionLost(RedisConnection rc, String reason) {
        if (conn != rc || state != UP) {
            return;
        }
        store.health().failure(reason);
        goDown(reason);
    }

    /** Drops the connection (its unanswered checks fail) and schedules the next attempt. */
    private void goDown(String reason) {
        if (state == CLOSED) {
            return;
        }
        state = DOWN;
        down = new Decision.Unavailable(reason);
        conn = null;
        Redis c = client;
        client = null;
        if (c != null) {
            c.close();
        }
        failWaiting(down);
        long delay = backoffMillis;
        backoffMillis = Math.min(MAX_BACKOFF_MS, backoffMillis * 2);
        // Jitter (±20%) keeps the lanes of a node, and the nodes of a cluster, from reconnecting in step.
        delay = Math.max(1, delay + ThreadLocalRandom.current().nextLong(-delay / 5, delay / 5 + 1));
        context.setTimer(delay, id -> connect());
    }

    private void failWaiting(Decision.Unavailable why) {
        Call w;
        while ((w = waiting.pollFirst()) != null) {
            answer(w, why);
        }
    }

    /** The watchdog: reports answers overdue, and replaces a connection that stopped answering. */
    private void watch() {
        Call oldest = inFlight.peekFirst();
        if (oldest == null || state != UP) {
            return;
        }
        long age = System.nanoTime() - oldest.sentAt;
        if (age > store.timeoutNanos() && !stallReported) {
            stallReported = true;
            store.health().failure("no answer within " + store.timeoutMillis() + " ms");
        }
        if (age > store.hangNanos()) {
            String reason = "no answer for " + age / 1_000_000 + " ms; reconnecting";
            store.health().failure(reason);
            inFlight.clear();
            goDown(reason);
        }
    }

    private static String message(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
