package org.fossinfra.config;

import java.util.Objects;
import org.fossinfra.ratelimit.Policy;

/**
 * A rate-limit rule, HAProxy's {@code stick-table} with {@code http-request track-sc0} and {@code http-request deny}
 * in one: requests are counted per key under a policy, and a request over the limit is answered 429 with
 * {@code Retry-After} without reaching a server. Frontends and backends name the rules they apply; a rule named in
 * several places shares its counts between them.
 *
 * @param name   unique among rules; frontends and backends refer to it
 * @param policy the algorithm and its parameters
 * @param key    what a request is counted under
 * @param store  where the counts live
 * @param size   most keys held at once: in the process ({@code store: local}) the least recently used goes first; in
 *               Redis ({@code store: redis}, counted across every node) a new key beyond it is not made, and its
 *               request follows the Redis {@code on-failure}
 * @param line   line of the rule in the config file, for messages
 */
public record RateLimitConfig(String name, Policy policy, Key key, Store store, int size, int line) {
    /** HAProxy's example {@code size 100k}. */
    public static final int DEFAULT_SIZE = 100 * 1024;
    public static final int MAX_SIZE = 16 * 1024 * 1024;

    public RateLimitConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(store, "store");
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size: " + size + " (expected: 1.." + MAX_SIZE + ")");
        }
    }

    /** The same rule, ignoring where it was written: a reload that only moved it keeps its counts. */
    public boolean sameRule(RateLimitConfig other) {
        return name.equals(other.name) && policy.equals(other.policy) && key.equals(other.key)
                && store == other.store && size == other.size;
    }

    /** What a request is counted under. */
    public sealed interface Key permits ClientAddress, Header {
        /** As written in the config: {@code client-address} or {@code header:X-Api-Key}. */
        String configText();
    }

    /**
     * The client's IP address (HAProxy's {@code src}; behind a trusted proxy, the address it vouches for). An IPv6
     * client is counted by its /64: one host or home is routinely given a whole /64 (RFC 6177, SLAAC) and can pick a
     * new address in it for every request, so counting single IPv6 addresses would give it 2^64 budgets.
     */
    public record ClientAddress() implements Key {
        /** Bits of an IPv6 address that name one client: the /64 a host or home gets. */
        public static final int IPV6_CLIENT_PREFIX = 64;

        @Override
        public String configText() {
            return "client-address";
        }

        /**
         * The key a client address is counted under: an IPv4 address as text ({@code 192.0.2.7}), an IPv6 address as
         * its /64 ({@code 2001:db8:1:2::/64}).
         *
         * @param address 4 or 16 bytes, an IPv4-mapped IPv6 address already read as IPv4 ({@link IpLiteral})
         */
        public static String keyOf(byte[] address) {
            if (address.length == 4) {
                return IpLiteral.format(address);
            }
            byte[] block = java.util.Arrays.copyOf(address, 16);
            java.util.Arrays.fill(block, IPV6_CLIENT_PREFIX / 8, 16, (byte) 0);
            return IpLiteral.format(block) + "/" + IPV6_CLIENT_PREFIX;
        }
    }

    /**
     * The value of a request header, e.g. an API key. A request without the header is counted under its client
     * address instead, so leaving the header out is no way around the limit.
     */
    public record Header(String name) implements Key {
        public Header {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String configText() {
            return "header:" + name;
        }
    }

    /** Where counts live. */
    public enum Store {
        /** In this process: exact, no I/O, per node. */
        LOCAL,
        /** In the shared Redis ({@link RedisConfig}): one count for all nodes. */
        REDIS;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
