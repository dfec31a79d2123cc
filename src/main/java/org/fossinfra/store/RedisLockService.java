package org.fossinfra.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.fossinfra.config.RedisConfig;

/**
 * Locks in the Redis every node shares (the pattern of the Redis docs' single-instance lock, the seed's
 * {@code acquire_lock}/{@code renew_lock}/{@code release_lock}): {@code SET key token NX PX ttl} to take, a Lua
 * compare-token-and-{@code PEXPIRE} to renew, a Lua compare-and-{@code DEL} to release, so that only the holder can
 * extend or delete it. Keys: {@code <key-prefix>lock:<name>}.
 *
 * <p>One Redis, not Redlock: a Redis that loses its data (a restart without persistence, a failover to a replica
 * that had not seen the write) may let a second node take a held lock. Lock-protected work must stay safe to repeat.
 */
final class RedisLockService implements LockService, HeldLock.Leases {
    /** Lock calls are off the hot path, so they may take longer than a rate-limit check. */
    static final long MIN_CALL_TIMEOUT_MS = 1_000;

    private final Vertx vertx;
    private final Redis client;
    private final String prefix;
    private final long callTimeoutMs;
    private final SecureRandom random = new SecureRandom();
    private final Set<HeldLock> held = ConcurrentHashMap.newKeySet();

    RedisLockService(Vertx vertx, RedisConfig config) {
        this.vertx = vertx;
        this.client = Redis.createClient(vertx,
                RedisRateLimitStore.options(config, RedisRateLimitStore.CONNECT_TIMEOUT_MS, 256).setMaxPoolSize(4));
        this.prefix = config.keyPrefix() + "lock:";
        this.callTimeoutMs = Math.max(MIN_CALL_TIMEOUT_MS, config.timeout().toMillis());
    }

    @Override
    public Future<Optional<Lock>> tryAcquire(String name, Duration ttl) {
        LockService.requireTtl(ttl);
        byte[] t = new byte[16];
        random.nextBytes(t);
        String token = HexFormat.of().formatHex(t);
        long sentAt = System.nanoTime();
        Request set = Request.cmd(Command.SET).arg(prefix + name).arg(token).arg("NX").arg("PX").arg(ttl.toMillis());
        return call(set).map(r -> {
            if (r == null || !"OK".equals(r.toString())) {
                return Optional.empty();
            }
            HeldLock lock = new HeldLock(vertx, this, name, token, ttl, sentAt, System::nanoTime);
            held.add(lock);
            return Optional.of(lock);
        });
    }

    @Override
    public Future<Boolean> renew(String name, String token, Duration ttl) {
        return script(RedisScript.LOCK_RENEW, name, token, Long.toString(ttl.toMillis()))
                .map(r -> r != null && r.toInteger() == 1);
    }

    @Override
    public Future<Boolean> release(String name, String token) {
        return script(RedisScript.LOCK_RELEASE, name, token).map(r -> r != null && r.toInteger() == 1);
    }

    @Override
    public void forget(HeldLock lock) {
        held.remove(lock);
    }

    @Override
    public void close() {
        List<Future<Boolean>> releases = new ArrayList<>();
        for (HeldLock l : Set.copyOf(held)) {
            releases.add(l.release());
        }
        Future.join(releases).onComplete(ar -> client.close());
    }

    /** {@code EVALSHA}, and {@code EVAL} once when Redis answers {@code NOSCRIPT} (restarted, or its cache flushed). */
    private Future<Response> script(RedisScript s, String name, String... args) {
        Request sha = Request.cmd(Command.EVALSHA).arg(s.sha()).arg(1).arg(prefix + name);
        Request eval = Request.cmd(Command.EVAL).arg(s.body()).arg(1).arg(prefix + name);
        for (String a : args) {
            sha.arg(a);
            eval.arg(a);
        }
        return call(sha).recover(t -> t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT")
                ? call(eval) : Future.failedFuture(t));
    }

    private Future<Response> call(Request r) {
        return client.send(r).timeout(callTimeoutMs, TimeUnit.MILLISECONDS);
    }
}
