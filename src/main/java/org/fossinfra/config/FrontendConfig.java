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
 * @param forwardedFor    add the client address to X-Forwarded-For
 * @param forwardedProto  set X-Forwarded-Proto to the scheme the client used
 * @param limits          request size limits
 * @param timeouts        resolved timeouts (client, httpRequest and keepAlive apply here)
 * @param maxconn         concurrent client connections accepted (0 = unlimited)
 * @param rateLimits      names of the rate-limit rules checked for every request, in order, before routing
 * @param line            line of the frontend in the config file, for messages
 */
public record FrontendConfig(String name, HostPort bind, List<RouteConfig> routes, String defaultBackend,
                             Map<String, String> responseHeaders, boolean forwardedFor, boolean forwardedProto,
                             Limits limits, Timeouts timeouts, int maxconn, List<String> rateLimits, int line) {
    public FrontendConfig {
        routes = List.copyOf(routes);
        rateLimits = List.copyOf(rateLimits);
        responseHeaders = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(responseHeaders));
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
