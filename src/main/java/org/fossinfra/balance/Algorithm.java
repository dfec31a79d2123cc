package org.fossinfra.balance;

import java.util.Optional;

/**
 * The balancing algorithms a backend can be configured with, by their configuration name.
 *
 * <p>An algorithm declares the inputs it needs ({@link #needsClientAddress()}) so that config validation can reject a
 * combination that cannot work, as HAProxy does with {@code BE_LB_NEED_ADDR}.
 */
public enum Algorithm {
    ROUND_ROBIN("roundrobin", false),
    WEIGHTED_ROUND_ROBIN("weighted-roundrobin", false),
    LEAST_CONNECTIONS("leastconn", false),
    /** Maglev consistent hashing of the client address. */
    SOURCE("source", true),
    /** Power of two random choices. */
    RANDOM("random", false);

    private final String configName;
    private final boolean needsClientAddress;

    Algorithm(String configName, boolean needsClientAddress) {
        this.configName = configName;
        this.needsClientAddress = needsClientAddress;
    }

    /** The name used in configuration files, e.g. {@code "leastconn"}. */
    public String configName() {
        return configName;
    }

    /** Whether {@code pick} needs a key derived from the client address ({@link KeyHash#ofAddress(byte[])}). */
    public boolean needsClientAddress() {
        return needsClientAddress;
    }

    /** The algorithm with this configuration name, matched exactly; empty if there is none. */
    public static Optional<Algorithm> fromConfigName(String name) {
        for (Algorithm a : values()) {
            if (a.configName.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
