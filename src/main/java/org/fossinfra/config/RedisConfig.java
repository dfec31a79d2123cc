package org.fossinfra.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The Redis that every node shares: where rate-limit rules with {@code store: redis} keep their counts. Without this
 * section, counts stay in the process.
 *
 * @param address   where Redis listens
 * @param password  sent with {@code AUTH}; empty for none. Never printed
 * @param timeout   how long a request may wait for Redis's answer to a rate-limit check; beyond, {@code onFailure}
 *                  decides, so that a slow or dead Redis never holds requests longer than this
 * @param onFailure what a rate-limit check does when Redis can't answer in time (refused, erring, too slow)
 * @param keyPrefix put before every key foss-infra writes, so that several installations can share one Redis
 * @param line      line of the section in the config file, for messages
 */
public record RedisConfig(HostPort address, Optional<String> password, Duration timeout, OnFailure onFailure,
                          String keyPrefix, int line) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(50);
    public static final String DEFAULT_KEY_PREFIX = "foss:";

    public RedisConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(onFailure, "onFailure");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
    }

    /** {@code redis://host:port}, never with the password: for logs, events and the API. */
    public String describe() {
        return "redis://" + address;
    }

    @Override
    public String toString() {
        return "RedisConfig[" + describe() + (password.isPresent() ? ", password=***" : "") + ", timeout=" + timeout
                + ", onFailure=" + onFailure + ", keyPrefix=" + keyPrefix + "]";
    }

    /** What a rate-limit check does when its store can't answer. */
    public enum OnFailure {
        /** Let the request through, as if no rule applied: Redis trouble never costs traffic (the default). */
        OPEN,
        /** Refuse the request with 503: no request gets through unchecked. */
        CLOSED;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
