package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.fossinfra.metrics.HostSample;
import org.fossinfra.metrics.Tick;
import org.fossinfra.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The live stream's fan-out: one render per view and tick, the same bytes to every viewer, nothing for nobody. */
class LiveUpdatesTest {
    private final Vertx vertx = Vertx.vertx();
    private final Sessions sessions = new Sessions();
    private final AtomicInteger renders = new AtomicInteger();
    private Function<Integer, Map<String, String>> content = n -> Map.of("a", "tick " + n);
    private LiveUpdates live;
    private int port;
    private final List<Buffer> received = new ArrayList<>();

    private final LivePage page = new LivePage() {
        @Override
        public String name() {
            return "test";
        }

        @Override
        public Map<String, String> parts(Tick tick, String viewKey) {
            renders.incrementAndGet();
            return content.apply((int) tick.epochSecond());
        }
    };

    private void start(Sessions.Session session) throws Exception {
        live = new LiveUpdates(vertx, List.of(page));
        Router r = Router.router(vertx);
        r.get("/stream/:page").handler(ctx -> live.handle(ctx, session));
        HttpServer s = vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        port = s.actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (live != null) {
            live.close();
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static Tick tick(int n) {
        HostSample h = new HostSample(n * 1000L, 0, new double[0], 0, 0, 0, 0, 0, 0, List.of(), List.of());
        Tick.Latency none = new Tick.Latency(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        return new Tick(n, h, new Tick.Jvm(0, 0, 0, 0, 0, 0, 0), new double[0], 0, 0, new double[6], none,
                List.of(), List.of());
    }

    /** Sends tick n and waits until it has been rendered and handed to the viewers (or skipped as unwatched). */
    private void tickAndWait(int n) throws Exception {
        Eventually.until(Duration.ofSeconds(5), "the previous tick", live::idle);
        live.onTick(tick(n));
        Eventually.until(Duration.ofSeconds(5), "tick " + n, live::idle);
    }

    private StringBuilder[] viewers(int count) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(count));
        StringBuilder[] got = new StringBuilder[count];
        int before = live.viewers();
        for (int i = 0; i < count; i++) {
            StringBuilder sb = got[i] = new StringBuilder();
            client.request(HttpMethod.GET, port, "127.0.0.1", "/stream/test")
                    .compose(req -> req.send())
                    .onSuccess(resp -> resp.handler(b -> {
                        synchronized (sb) {
                            sb.append(b.toString(StandardCharsets.UTF_8));
                        }
                    }));
        }
        Eventually.until(Duration.ofSeconds(10), count + " more viewers", () -> live.viewers() == before + count);
        return got;
    }

    private static String text(StringBuilder sb) {
        synchronized (sb) {
            return sb.toString();
        }
    }

    @Test
    void eachTickRendersAViewOnceAndSendsTheSameBytesToEveryViewer() throws Exception {
        start(sessions.create("alice", System.currentTimeMillis()));
        StringBuilder[] got = viewers(50);
        tickAndWait(1);
        for (StringBuilder sb : got) {
            Eventually.until(Duration.ofSeconds(5), "tick 1 at every viewer", () -> text(sb).contains("tick 1"));
        }
        assertThat(renders.get()).isEqualTo(1);
        for (StringBuilder sb : got) {
            assertThat(text(sb)).isEqualTo("retry: 2000\n\nevent: a\ndata: tick 1\n\n");
        }
    }

    @Test
    void partsThatDidNotChangeAreNotSentAgain() throws Exception {
        content = n -> {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("same", "always this");
            m.put("clock", "second " + n);
            return m;
        };
        start(sessions.create("alice", System.currentTimeMillis()));
        StringBuilder[] got = viewers(2);
        tickAndWait(1);
        Eventually.until(Duration.ofSeconds(5), "tick 1", () -> text(got[0]).contains("second 1"));
        tickAndWait(2);
        Eventually.until(Duration.ofSeconds(5), "tick 2", () -> text(got[0]).contains("second 2"));
        assertThat(text(got[0])).isEqualTo("retry: 2000\n\n"
                + "event: same\ndata: always this\n\nevent: clock\ndata: second 1\n\n"
                + "event: clock\ndata: second 2\n\n");
        // A viewer who joins now gets the whole view at once, not only the last change.
        StringBuilder[] late = viewers(1);
        Eventually.until(Duration.ofSeconds(5), "the whole view", () -> text(late[0]).contains("second 2"));
        assertThat(text(late[0])).isEqualTo("retry: 2000\n\n"
                + "event: same\ndata: always this\n\nevent: clock\ndata: second 2\n\n");
    }

    @Test
    void aTickWhereNothingChangedSendsABeatSoThatAQuietPageStaysLive() throws Exception {
        content = n -> Map.of("quiet", "nothing new");
        start(sessions.create("alice", System.currentTimeMillis()));
        StringBuilder[] got = viewers(2);
        tickAndWait(1);
        tickAndWait(2);
        tickAndWait(3);
        for (StringBuilder sb : got) {
            Eventually.until(Duration.ofSeconds(5), "two beats", () -> text(sb).split("event: beat", -1).length == 3);
            assertThat(text(sb)).isEqualTo("retry: 2000\n\n" + "event: quiet\ndata: nothing new\n\n"
                    + "event: beat\ndata: \n\n" + "event: beat\ndata: \n\n");
        }
    }

    @Test
    void aViewNobodyWatchesIsNotRendered() throws Exception {
        start(sessions.create("alice", System.currentTimeMillis()));
        tickAndWait(1);
        assertThat(renders.get()).isZero();
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write("GET /stream/test HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Eventually.until(Duration.ofSeconds(5), "a viewer", () -> live.viewers() == 1);
        tickAndWait(2);
        Eventually.until(Duration.ofSeconds(5), "a render", () -> renders.get() == 1);
        s.close();
        Eventually.until(Duration.ofSeconds(5), "no viewer", () -> live.viewers() == 0);
        tickAndWait(3);
        tickAndWait(4);
        assertThat(renders.get()).isEqualTo(1);
    }

    @Test
    void aViewerWhoseSessionEndedIsDisconnected() throws Exception {
        Sessions.Session session = sessions.create("alice", System.currentTimeMillis());
        start(session);
        viewers(1);
        sessions.end(session);
        tickAndWait(1);
        Eventually.until(Duration.ofSeconds(5), "the viewer to be dropped", () -> live.viewers() == 0);
    }

    @Test
    void aViewerThatDoesNotReadSkipsUpdatesInsteadOfPilingThemUp() throws Exception {
        String big = "x".repeat(256 * 1024);
        content = n -> Map.of("big", n + big);
        start(sessions.create("alice", System.currentTimeMillis()));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setReceiveBufferSize(4096);
            OutputStream out = s.getOutputStream();
            out.write("GET /stream/test HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Eventually.until(Duration.ofSeconds(5), "a viewer", () -> live.viewers() == 1);
            for (int n = 1; n <= 40 && live.skipped() == 0; n++) {
                tickAndWait(n);
                Thread.sleep(20); // the writes happen on the event loop after the render
            }
            assertThat(live.skipped()).as("updates skipped for the stalled viewer").isPositive();
        }
    }

    @Test
    void everyLineOfAPartBecomesADataLineAndAnEmptyPartStillSwaps() {
        assertThat(LiveUpdates.event("cards", "<div>\n\n   <b>1</b>\n</div>\n"))
                .isEqualTo("event: cards\ndata: <div>\ndata: <b>1</b>\ndata: </div>\n\n");
        assertThat(LiveUpdates.event("rows", "")).isEqualTo("event: rows\ndata: \n\n");
    }
}
