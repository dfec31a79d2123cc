package org.fossinfra.web;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.fossinfra.metrics.Tick;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's live stream (Server-Sent Events). Once a tick, for each view that has at least one viewer, the
 * page renders its parts once; the parts that changed since the last tick become one {@link Buffer}, and that same
 * Buffer is written to every viewer of the view, each on its own connection's event loop. So the cost of a tick grows
 * with the number of distinct views, not of viewers, and a view nobody watches costs nothing.
 *
 * <p>Slow viewers: a viewer whose connection's write queue is full when an update comes skips it (nothing is queued
 * for it beyond Netty's high-water mark); its next update is then the whole view rather than the changes, so it never
 * misses a part for good. After {@link #MAX_SKIPS} skips in a row the connection is closed and the browser's
 * EventSource reconnects. A viewer is dropped when its connection closes or its session ends.
 *
 * <p>Rendering runs on a thread of its own ("dashboard-live"), never on an event loop or the sampler; if one tick's
 * rendering is still running when the next comes, the new tick is skipped.
 */
final class LiveUpdates implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("dashboard");
    /** 30 skipped updates, 30 seconds at one a second: the browser gets a fresh connection instead. */
    static final int MAX_SKIPS = 30;
    /** Tells EventSource to reconnect 2 s after a drop (the default, 3 s, leaves the page stale longer). */
    private static final Buffer HELLO = Buffer.buffer("retry: 2000\n\n");
    /**
     * Sent on a tick where no part of a view changed, so that a quiet page (a filter nothing matches) still shows its
     * stream as live: the indicator goes stale after 3 s without a message, as it should when the node is gone.
     */
    static final Buffer BEAT = Buffer.buffer("event: beat\ndata: \n\n");

    private final Map<String, LivePage> pages = new HashMap<>();
    private final Map<String, View> views = new ConcurrentHashMap<>();
    private final ExecutorService renderer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dashboard-live");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean rendering = new AtomicBoolean();
    private final LongAdder skipped = new LongAdder();
    private final Vertx vertx;

    LiveUpdates(Vertx vertx, Iterable<LivePage> livePages) {
        this.vertx = vertx;
        livePages.forEach(p -> pages.put(p.name(), p));
    }

    /** The parts of one view and the viewers watching it. */
    private static final class View {
        final LivePage page;
        final String key;
        final Set<Viewer> viewers = ConcurrentHashMap.newKeySet();
        Map<String, String> last = Map.of();
        volatile Buffer whole;

        View(LivePage page, String key) {
            this.page = page;
            this.key = key;
        }
    }

    /** One browser tab's stream. Fields other than the final ones are touched only on its event loop. */
    private final class Viewer {
        final Context context;
        final HttpServerResponse response;
        final Sessions.Session session;
        View view;
        boolean stale;
        int skips;
        boolean closed;

        Viewer(Context context, HttpServerResponse response, Sessions.Session session) {
            this.context = context;
            this.response = response;
            this.session = session;
        }

        /** Closes the connection (the browser reconnects, or is sent to sign in) and forgets the viewer. */
        void drop() {
            closed = true;
            view.viewers.remove(this);
            response.reset();
        }

        void send(Buffer changes, Buffer whole, long now) {
            context.runOnContext(v -> {
                if (closed) {
                    return;
                }
                if (!session.valid(now)) {
                    drop();
                    return;
                }
                session.touch(now); // someone is watching: the session is not idle
                if (response.writeQueueFull()) {
                    skipped.increment();
                    stale = true;
                    if (++skips >= MAX_SKIPS) {
                        drop();
                    }
                    return;
                }
                response.write(stale ? whole : changes);
                stale = false;
                skips = 0;
            });
        }
    }

    /** GET /stream/:page for a signed-in session: keeps the response open and adds it to its view. */
    void handle(RoutingContext ctx, Sessions.Session session) {
        LivePage page = pages.get(ctx.pathParam("page"));
        if (page == null) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("no such stream\n");
            return;
        }
        String key = page.name() + "?" + page.viewKey(ctx.queryParams());
        HttpServerResponse r = ctx.response();
        r.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no");
        Viewer viewer = new Viewer(vertx.getOrCreateContext(), r, session);
        // Added under the map's lock for the key, so the render thread cannot drop the view in between.
        View view = views.compute(key, (k, v) -> {
            View w = v != null ? v : new View(page, k.substring(k.indexOf('?') + 1));
            w.viewers.add(viewer);
            viewer.view = w;
            return w;
        });
        r.closeHandler(v -> {
            viewer.closed = true;
            view.viewers.remove(viewer);
        });
        r.write(HELLO);
        Buffer whole = view.whole;
        if (whole != null) {
            r.write(whole);
        }
    }

    /** Called by the sampler once a second; hands the work to the render thread. */
    void onTick(Tick tick) {
        if (!rendering.compareAndSet(false, true)) {
            return;
        }
        renderer.execute(() -> {
            try {
                broadcast(tick);
            } catch (RuntimeException e) {
                log.warn("live update failed: {}", e.toString());
            } finally {
                rendering.set(false);
            }
        });
    }

    private void broadcast(Tick tick) {
        long now = System.currentTimeMillis();
        for (View view : views.values()) {
            if (views.computeIfPresent(view.page.name() + "?" + view.key, (k, v) -> v.viewers.isEmpty() ? null : v)
                    == null) {
                continue; // nobody watches: not rendered
            }
            Map<String, String> parts = view.page.parts(tick, view.key);
            StringBuilder changes = new StringBuilder();
            StringBuilder whole = new StringBuilder();
            for (Map.Entry<String, String> p : parts.entrySet()) {
                String event = event(p.getKey(), p.getValue());
                whole.append(event);
                if (!p.getValue().equals(view.last.get(p.getKey()))) {
                    changes.append(event);
                }
            }
            view.last = parts;
            view.whole = Buffer.buffer(whole.toString().getBytes(StandardCharsets.UTF_8));
            // One buffer for all viewers: Vert.x writes a duplicate of it to each connection.
            Buffer b = changes.isEmpty() ? BEAT : Buffer.buffer(changes.toString().getBytes(StandardCharsets.UTF_8));
            for (Viewer v : view.viewers) {
                v.send(b, view.whole, now);
            }
        }
    }

    /** One SSE event: each line of the payload becomes a {@code data:} line (blank lines would end the event). */
    static String event(String name, String payload) {
        StringBuilder sb = new StringBuilder(payload.length() + 64).append("event: ").append(name).append('\n');
        int start = 0;
        while (start <= payload.length()) {
            int nl = payload.indexOf('\n', start);
            int end = nl < 0 ? payload.length() : nl;
            String line = payload.substring(start, end).strip();
            if (!line.isEmpty()) {
                sb.append("data: ").append(line).append('\n');
            }
            if (nl < 0) {
                break;
            }
            start = nl + 1;
        }
        if (sb.indexOf("\ndata:") < 0) {
            sb.append("data: \n"); // an event without data is never dispatched: an empty part must still swap
        }
        return sb.append('\n').toString();
    }

    /** Whether no tick is being rendered now (tests wait for it). */
    boolean idle() {
        return !rendering.get();
    }

    /** Viewers connected now, over all views. */
    int viewers() {
        return views.values().stream().mapToInt(v -> v.viewers.size()).sum();
    }

    /** Updates skipped for slow viewers since start. */
    long skipped() {
        return skipped.sum();
    }

    @Override
    public void close() {
        renderer.shutdownNow();
        for (View view : views.values()) {
            for (Viewer v : view.viewers) {
                v.context.runOnContext(x -> {
                    if (!v.closed) {
                        v.closed = true;
                        v.response.end();
                    }
                });
            }
        }
        views.clear();
    }
}
