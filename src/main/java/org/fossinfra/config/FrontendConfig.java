package org.fossinfra.config;

import java.util.List;
import java.util.Map;

/**
 * A listener and how it routes.
 *
 * @param name            unique among frontends
 * @param bind            where it listens
 * @param routes          rules tried in order; the first whose conditions all hold picks the backend
 * @param defaultBackend  used when no rule matches; may be null only if routes exist (then unmatched requests get 503)
 * @param responseHeaders headers set (replacing any the server sent) on every response, e.g. the seed's security headers
 * @param forwardedFor    what the server is told of the client's address (X-Forwarded-For and its relatives)
 * @param forwardedProto  set X-Forwarded-Proto to the scheme the client used (a trusted proxy's value is kept)
 * @param trustedProxies  peers whose X-Forwarded-For (and X-Forwarded-Proto) is believed: for them, the client is the
 *                        right-most address of the list that is not itself a trusted proxy
 * @param limits          request size limits
 * @param timeouts        resolved timeouts (client, httpRequest and keepAlive apply here)
 * @param maxconn         concurrent client connections accepted (0 = unlimited)
 * @param rateLimits      names of the rate-limit rules checked for every request, in order, before routing
 * @param line            line of the frontend in the config file, for messages
 */
public record FrontendConfig(String name, HostPort bind, List<RouteConfig> routes, String defaultBackend,
                             Map<String, String> responseHeaders, ForwardedFor forwardedFor, boolean forwardedProto,
                             List<Cidr> trustedProxies, Limits limits, Timeouts timeouts, int maxconn,
                             List<String> rateLimits, int line) {
    public FrontendConfig {
        java.util.Objects.requireNonNull(forwardedFor, "forwardedFor");
        routes = List.copyOf(routes);
        trustedProxies = List.copyOf(trustedProxies);
        rateLimits = List.copyOf(rateLimits);
        responseHeaders = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(responseHeaders));
    }

    /** What a frontend tells the server about the client's address. */
    public enum ForwardedFor {
        /**
         * Drop every X-Forwarded-For, X-Real-IP and Forwarded field the client sent and send one X-Forwarded-For with
         * the client's address (the believed one, behind a trusted proxy). For an edge frontend: a server that reads
         * any of these fields reads our word, not the client's.
         */
        REPLACE("replace"),
        /**
         * Keep the client's X-Forwarded-For and add the peer's address after it (HAProxy's {@code option forwardfor},
         * nginx's {@code $proxy_add_x_forwarded_for}). For a node behind a trusted proxy whose list the servers read.
         */
        APPEND("append"),
        /** Send the client's fields as they came, and add none. */
        NONE("false");

        private final String configText;

        ForwardedFor(String configText) {
            this.configText = configText;
        }

        /** As written in the config. */
        public String configText() {
            return configText;
        }
    }

    /**
     * @param maxRequestLine longest request line accepted, in bytes (414 beyond)
     * @param maxHeaderBytes longest header section accepted, in bytes (431 beyond)
     * @param maxHeaders     most header fields accepted (431 beyond)
     */
    public record Limits(int maxRequestLine, int maxHeaderBytes, int maxHeaders) {
        public static final Limits DEFAULTS = new Limits(8 * 1024, 32 * 1024, 100);
    }
}
