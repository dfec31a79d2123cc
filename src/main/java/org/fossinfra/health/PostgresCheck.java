package org.fossinfra.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.spi.ConnectionFactory;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.fossinfra.config.ServiceConfig;

/**
 * {@code SELECT 1} on a fresh connection with the Vert.x PostgreSQL client (non-blocking; SCRAM-SHA-256, MD5 or trust
 * authentication as the server asks), then the connection is closed. The server must answer exactly one row holding 1.
 *
 * <p>Each run starts with a probe on a plain socket: a GSSENCRequest (PostgreSQL protocol, "GSSAPI session
 * encryption", what libpq sends first by default), to which any PostgreSQL 12 or later answers one byte, 'G' or 'N';
 * the socket is then closed, which the server does not log (it takes an early EOF as a monitoring probe). Only a
 * server that answered gets the real login. Why: the Vert.x client closes a connection gracefully, by sending
 * Terminate and waiting for the server to close its side, and Vert.x 5.0.7 passes it no connect or idle timeout; a
 * server that accepts and never answers (a hung host, a wrong port) would keep every check's connection, and its
 * client, forever, one more per interval. The probe's own socket is ours to close at the timeout. A server that
 * answers the probe and then stalls the login is bounded by its own {@code authentication_timeout} (1 minute by
 * default), after which it closes and the client is released.
 *
 * <p>The client is the driver's connection factory, not a {@code PgBuilder} pool: a pool's close waits for its
 * pending connects first. It is closed after every run, and at the latest when the timeout is up.
 *
 * <p>Hazard: SCRAM costs a few milliseconds of CPU per run on the checks' event loop, which is why intervals below a
 * second are not a good idea for a PostgreSQL check.
 */
final class PostgresCheck implements ServiceCheck {
    /** GSSENCRequest: length 8, then the code 1234 << 16 | 5680 (PostgreSQL protocol, "Message Formats"). */
    private static final int GSSENC_REQUEST_CODE = 80877104;

    private final Vertx vertx;
    private final NetClient net;
    private final ServiceConfig.Postgres target;
    private final int timeoutMs;
    /** The connection factory of the run in flight, if any; confined to the monitor's context. */
    private ConnectionFactory<PgConnectOptions> inFlight;

    PostgresCheck(Vertx vertx, NetClient net, ServiceConfig.Postgres target, Duration timeout) {
        this.vertx = vertx;
        this.net = net;
        this.target = target;
        this.timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    @Override
    public Future<String> run() {
        long start = System.nanoTime();
        return probe().compose(v -> {
            long left = timeoutMs - (System.nanoTime() - start) / 1_000_000;
            return left <= 0 ? Future.failedFuture(new TimeoutException()) : selectOne((int) left);
        });
    }

    /** Succeeds when the server answers a GSSENCRequest as a PostgreSQL does; the socket is closed either way. */
    private Future<Void> probe() {
        ConnectOptions connect = new ConnectOptions().setHost(target.address().host()).setPort(target.address().port())
                .setTimeout(timeoutMs);
        return net.connect(connect).compose(socket -> {
            Promise<Void> answered = Promise.promise();
            long timer = vertx.setTimer(timeoutMs, id -> {
                answered.tryFail(new TimeoutException());
                socket.close();
            });
            socket.handler(data -> {
                byte first = data.getByte(0);
                // 'G' or 'N': the negotiation answer; 'E': a server before 12 refusing the request, PostgreSQL still.
                if (first == 'G' || first == 'N' || first == 'E') {
                    answered.tryComplete();
                } else {
                    answered.tryFail(new IllegalStateException(String.format(
                            "the server does not speak the PostgreSQL protocol (it answered 0x%02x)", first & 0xff)));
                }
                socket.close();
            });
            socket.closeHandler(v -> answered.tryFail(
                    new IllegalStateException("connection closed by the server before it answered")));
            socket.exceptionHandler(answered::tryFail);
            socket.write(Buffer.buffer(8).appendInt(8).appendInt(GSSENC_REQUEST_CODE));
            return answered.future().andThen(ar -> vertx.cancelTimer(timer));
        });
    }

    private Future<String> selectOne(int budgetMs) {
        PgConnectOptions options = new PgConnectOptions()
                .setHost(target.address().host())
                .setPort(target.address().port())
                .setDatabase(target.database())
                .setUser(target.user())
                // Empty when none is configured: a server that asks for one then says authentication failed.
                .setPassword(target.password().orElse(""))
                .setReconnectAttempts(0)
                .setCachePreparedStatements(false)
                .addProperty("application_name", "foss-infra-health-check");
        // Vert.x 5.0.7's driver ignores these options; they are passed for the versions that do not.
        ConnectionFactory<PgConnectOptions> factory = PgDriver.INSTANCE.createConnectionFactory(vertx,
                new NetClientOptions().setConnectTimeout(budgetMs));
        inFlight = factory;
        long timer = vertx.setTimer(budgetMs, id -> close(factory));
        return factory.connect(vertx.getOrCreateContext(), options)
                .compose(conn -> conn.query("SELECT 1").execute().andThen(ar -> conn.close()))
                .map(PostgresCheck::verify)
                .andThen(ar -> {
                    vertx.cancelTimer(timer);
                    close(factory);
                });
    }

    @Override
    public Future<Void> close() {
        ConnectionFactory<PgConnectOptions> factory = inFlight;
        return factory == null ? Future.succeededFuture() : close(factory);
    }

    private Future<Void> close(ConnectionFactory<PgConnectOptions> factory) {
        if (inFlight == factory) {
            inFlight = null;
        }
        Promise<Void> closed = Promise.promise();
        factory.close(closed);
        return closed.future();
    }

    private static String verify(RowSet<Row> rows) {
        if (rows.size() != 1 || rows.columnsNames().size() != 1) {
            throw new IllegalStateException("SELECT 1 answered " + rows.size() + " row(s) of "
                    + rows.columnsNames().size() + " column(s), expected one value");
        }
        Object value = rows.iterator().next().getValue(0);
        if (!(value instanceof Number n) || n.intValue() != 1) {
            throw new IllegalStateException("SELECT 1 answered " + value + ", expected 1");
        }
        return "SELECT 1";
    }
}
