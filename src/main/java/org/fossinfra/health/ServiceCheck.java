package org.fossinfra.health;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.net.NetClient;
import java.time.Duration;
import org.fossinfra.config.ServiceConfig;

/**
 * One probe of one service, e.g. {@code SELECT 1} on a fresh PostgreSQL connection. A run succeeds with what it saw
 * ("PONG", "HTTP 200") or fails with why; whether it was in time, slow or failed is the caller's business
 * ({@link ServiceMonitor}).
 *
 * <p>Every run opens its own connection and closes it, like HAProxy's checks: it proves that a new client could get
 * in now, and leaves no pooled state to go stale between checks. Hazard: a server that accepts and then never answers
 * would keep a socket per check open, so each implementation closes what it opened when {@code timeout} is up, even
 * though the caller has given up on the run by then.
 *
 * <p>Runs are non-blocking and must be started on the owning monitor's Vert.x context.
 */
interface ServiceCheck {
    /** Runs one probe; completes within about the timeout given at creation. */
    Future<String> run();

    /**
     * Drops a run in flight, at shutdown: its connection is closed now rather than by its timer, which a closing
     * Vert.x cancels. Hazard: Vert.x 5.0.7 never finishes closing while a PostgreSQL client still waits for a server
     * that accepted the connection and never answered, so this must complete before the Vert.x instance closes.
     */
    default Future<Void> close() {
        return Future.succeededFuture();
    }

    /**
     * The check for {@code target}. {@code http} serves the matrix and http checks, {@code net} the tcp check and the
     * postgres check's probe;
     * both belong to the caller, which closes them.
     */
    static ServiceCheck of(Vertx vertx, HttpClient http, NetClient net, ServiceConfig.Target target, Duration timeout) {
        return switch (target) {
            case ServiceConfig.Postgres p -> new PostgresCheck(vertx, net, p, timeout);
            case ServiceConfig.Redis r -> new RedisCheck(vertx, r, timeout);
            case ServiceConfig.Matrix m -> new MatrixCheck(vertx, http, m, timeout);
            case ServiceConfig.Http h -> new HttpCheck(vertx, http, h, timeout);
            case ServiceConfig.Tcp t -> new TcpCheck(net, t, timeout);
        };
    }
}
