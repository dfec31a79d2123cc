package org.fossinfra.config;

import java.util.List;

/**
 * The admin listener: the JSON API and the dashboard on its own address, never on a traffic port.
 * Each token has a name, which becomes the actor of every event caused through it ("api:ops"); each dashboard user
 * likewise ("dashboard:alice").
 */
public record AdminConfig(HostPort bind, List<Token> tokens, List<User> users) {
    public AdminConfig {
        tokens = List.copyOf(tokens);
        users = List.copyOf(users);
    }

    /** An admin listener without dashboard users. */
    public AdminConfig(HostPort bind, List<Token> tokens) {
        this(bind, tokens, List.of());
    }

    /** A bearer token and the name of whoever holds it. */
    public record Token(String name, String secret) {
        @Override
        public String toString() {
            return "Token[name=" + name + ", secret=***]";
        }
    }

    /**
     * A dashboard user: a name and a bcrypt hash of the password ({@code $2a$}, {@code $2b$} or {@code $2y$}, cost
     * 10 or more), as {@code ./foss-infra hash-password} prints it. The password itself is never in the config.
     */
    public record User(String name, String passwordHash) {
        @Override
        public String toString() {
            return "User[name=" + name + ", passwordHash=***]";
        }
    }
}
