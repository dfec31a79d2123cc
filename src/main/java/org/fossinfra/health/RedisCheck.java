package org.fossinfra.health;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.fossinfra.config.ServiceConfig;

/**
 * {@code PING} on a fresh connection with the Vert.x Redis client, after {@code AUTH} when a password is set; the
 * answer must be {@code PONG}. RESP2 without {@code HELLO}, so that servers older than Redis 6 answer too.
 *
 * <p>The client is built per run and closed after it, or when the timeout is up (see {@link ServiceCheck}).
 */
final class RedisCheck implements ServiceCheck {
    private final Vertx vertx;
    private final ServiceConfig.Redis target;
    private final int timeoutMs;
    /** The client of the run in flight, if any; confined to the monitor's context. */
    private Redis inFlight;

    RedisCheck(Vertx vertx, ServiceConfig.Redis target, Duration timeout) {
        this.vertx = vertx;
        this.target = target;
        this.timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    @Override
    public Future<String> run() {
        RedisOptions options = new RedisOptions()
                .setConnectionString("redis://" + target.address())
                .setNetClientOptions(new NetClientOptions().setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)
                        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
                .setProtocolNegotiation(false)
                .setPreferredProtocolVersion(ProtocolVersion.RESP2)
                .setMaxPoolSize(1)
                .setMaxPoolWaiting(0);
        target.password().ifPresent(options::setPassword);
        Redis client = Redis.createClient(vertx, options);
        inFlight = client;
        long timer = vertx.setTimer(timeoutMs, id -> client.close());
        return client.connect()
                .compose(conn -> conn.send(Request.cmd(Command.PING)).andThen(ar -> conn.close()))
                .map(response -> {
                    String text = response == null ? "nothing" : response.toString();
                    if (!"PONG".equals(text)) {
                        throw new IllegalStateException("PING answered '" + text + "', expected PONG");
                    }
                    return "PONG";
                })
                .andThen(ar -> {
                    vertx.cancelTimer(timer);
                    client.close();
                    if (inFlight == client) {
                        inFlight = null;
                    }
                });
    }

    @Override
    public Future<Void> close() {
        Redis client = inFlight;
        inFlight = null;
        return client == null ? Future.succeededFuture() : client.close();
    }
}
