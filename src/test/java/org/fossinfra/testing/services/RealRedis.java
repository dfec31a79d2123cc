package org.fossinfra.testing.services;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.fossinfra.config.HostPort;
import org.fossinfra.config.RedisConfig;

/**
 * The real Redis servers of this test run: scripts/test-services.sh (sourced by ./run-tests) starts one without and
 * one with a password on loopback and exports FOSS_TEST_REDIS_*. A test that needs one and finds no variable fails,
 * never skips: the message says to run ./run-tests.
 */
public final class RealRedis {
    private RealRedis() {
    }

    public static String require(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            fail(name + " is not set: this test needs the real Redis that scripts/test-services.sh starts and"
                    + " describes in FOSS_TEST_REDIS_* variables; run it with ./run-tests (e.g. ./run-tests"
                    + " -Dtest='org.fossinfra.redis.**'), not with mvn alone");
        }
        return value;
    }

    /** The Redis without a password. */
    public static HostPort address() {
        return HostPort.parse(require("FOSS_TEST_REDIS_ADDRESS"));
    }

    public static HostPort authAddress() {
        return HostPort.parse(require("FOSS_TEST_REDIS_AUTH_ADDRESS"));
    }

    public static String password() {
        return require("FOSS_TEST_REDIS_PASSWORD");
    }

    public static RedisConfig config(HostPort address, Optional<String> password, Duration timeout,
                              RedisConfig.OnFailure onFailure, String prefix) {
        return new RedisConfig(address, password, timeout, onFailure, prefix, 1);
    }

    /** The password-less Redis, a 200 ms timeout (generous for a shared machine), keys under {@code prefix}. */
    public static RedisConfig config(String prefix) {
        return config(address(), Optional.empty(), Duration.ofMillis(200), RedisConfig.OnFailure.OPEN, prefix);
    }

    /** A unique key prefix, so that tests never meet each other's keys. */
    public static String prefix(String test) {
        return "test:" + test + ":" + System.nanoTime() + ":";
    }

    /** Runs one command on the password-less Redis, for setting up and inspecting. */
    public static Response command(Vertx vertx, Command cmd, Object... args) throws Exception {
        Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://" + address()));
        try {
            return client.send(Request.cmd(cmd, args)).await(5, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }

    /** A port on 127.0.0.1 where nothing listens (bound, then released). */
    public static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
