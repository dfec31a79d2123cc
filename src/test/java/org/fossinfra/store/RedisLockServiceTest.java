package org.fossinfra.store;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import org.fossinfra.testing.services.RealRedis;

/** The lock contract against the real Redis of the test run: two services stand for two nodes. */
class RedisLockServiceTest extends LockServiceContract {
    private final String prefix = RealRedis.prefix("lock");

    @Override
    LockService service(Vertx vertx, LockService other) {
        return new RedisLockService(vertx, RealRedis.config(prefix));
    }

    @Override
    void takeAway(String name) throws Exception {
        RealRedis.command(vertx, Command.DEL, prefix + "lock:" + name);
    }
}
