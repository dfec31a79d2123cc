package org.fossinfra.config;

import java.util.List;

/**
 * The admin listener: JSON API (and later the dashboard) on its own address, never on a traffic port.
 * Each token has a name, which becomes the actor of every event caused through it.
 */
public record AdminConfig(HostPort bind, List<Token> tokens) {
    public AdminConfig {
        tokens = List.copyOf(tokens);
    }

    /** A bearer token and the name of whoever holds it. */
    public record Token(String name, String secret) {
        @Override
        public String toString() {
            return "Token[name=" + name + ", secret=***]";
        }
    }
}
