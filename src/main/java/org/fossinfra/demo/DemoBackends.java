package org.fossinfra.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Three small HTTP servers that behave like real backends do on a bad day, so the demo has something to show:
 * <ul>
 *   <li>{@code fast}: answers at once;</li>
 *   <li>{@code slow}: answers after 200–800 ms (least-connections steers away from it);</li>
 *   <li>{@code flaky}: answers 500 to 15% of requests and fails 30% of its health checks, so it goes down and comes
 *       back now and then (watch the events).</li>
 * </ul>
 * Each answers {@code /health}, echoes WebSocket messages on {@code /socket} and {@code /live}, and says who it is
 * in an {@code X-Demo-Server} header and in the body.
 */
public final class DemoBackends {
    /** A demo server's name, behaviour and port. */
    public record Backend(String name, String behaviour, int port) {
    }

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<Backend> backends = new ArrayList<>();

    private DemoBackends() {
    }

    /** Starts the three servers on {@code host}, ports {@code basePort}, +1, +2 (or free ports when 0). */
    public static Future<DemoBackends> start(Vertx vertx, String host, int basePort) {
        DemoBackends d = new DemoBackends();
        Future<?> f = Future.succeededFuture();
        String[][] specs = {{"fast", "answers at once"}, {"slow", "answers in 200-800 ms"},
            {"flaky", "15% of answers are 500, 30% of health checks fail"}};
        for (int i = 0; i < specs.length; i++) {
            String name = specs[i][0];
            int port = basePort == 0 ? 0 : basePort + i;
            Backend b = new Backend(name, specs[i][1], port);
            f = f.compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                    .webSocketHandler(ws -> echo(b, ws))
                    .requestHandler(req -> handle(vertx, b, req))
                    .listen()
                    .map(s -> {
                        d.servers.add(s);
                        d.backends.add(new Backend(b.name(), b.behaviour(), s.actualPort()));
                        return s;
                    }));
        }
        return f.map(v -> d).recover(err -> d.close().transform(x -> Future.failedFuture(
                "demo backends: cannot listen on " + host + ":" + basePort + ".." + (basePort + 2) + ": "
                        + err.getMessage() + "; free those ports (the demo needs 18081-18083)")));
    }

    public List<Backend> backends() {
        return List.copyOf(backends);
    }

    public Future<Void> close() {
        List<Future<Void>> closing = new ArrayList<>();
        servers.forEach(s -> closing.add(s.close()));
        return Future.all(closing).mapEmpty();
    }

    private static void handle(Vertx vertx, Backend b, HttpServerRequest req) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (req.path().equals("/health")) {
            boolean fail = b.name().equals("flaky") && rnd.nextInt(100) < 30;
            req.response().setStatusCode(fail ? 503 : 200).putHeader("Content-Type", "text/plain")
                    .end(fail ? "unhealthy\n" : "ok\n");
            return;
        }
        long delay = b.name().equals("slow") ? 200 + rnd.nextInt(600) : 0;
        Runnable answer = () -> {
            if (b.name().equals("flaky") && rnd.nextInt(100) < 15) {
                req.response().setStatusCode(500).putHeader("X-Demo-Server", b.name())
                        .putHeader("Content-Type", "text/plain").end("flaky failed this one\n");
                return;
            }
            req.response().putHeader("X-Demo-Server", b.name());
            if (req.path().startsWith("/api")) {
                req.response().putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("server", b.name()).put("method", req.method().name())
                                .put("path", req.path())
                                .put("forwardedFor", req.getHeader("X-Forwarded-For"))
                                .put("time", System.currentTimeMillis()).encode() + "\n");
            } else {
                req.response().putHeader("Content-Type", "text/html; charset=utf-8")
                        .end("<!doctype html><title>foss-infra demo</title><h1>Hello from " + b.name() + "</h1>"
                                + "<p>" + b.behaviour() + ". Reload to see the balancing.</p>\n");
            }
        };
        // Drain the request body before answering (uploads through the proxy are part of the demo too).
        req.end().onComplete(v -> {
            if (delay > 0) {
                vertx.setTimer(delay, id -> answer.run());
            } else {
                answer.run();
            }
        });
    }

    private static void echo(Backend b, ServerWebSocket ws) {
        if (!ws.path().startsWith("/socket") && !ws.path().startsWith("/live")) {
            ws.close((short) 1008, "no WebSocket here");
            return;
        }
        ws.writeTextMessage("hello from " + b.name());
        ws.textMessageHandler(m -> ws.writeTextMessage(b.name() + " echoes: " + m));
    }
}
