package org.fossinfra.proxy;

import java.util.Map;
import org.fossinfra.config.FrontendConfig;

/**
 * One frontend's routing snapshot: config, compiled router, rate-limit rules, prebuilt error responses and response
 * rewrite. Replaced
 * whole on reload; a connection reads the current one at the start of each request, so a reload applies to the next
 * request without touching the ones in flight.
 */
final class FrontendRuntime {
    final FrontendConfig config;
    final Router<BackendRuntime> router;
    final ErrorResponses errors;
    final HeadWriter.ResponseRewrite rewrite;
    /** X-Forwarded-* and trusted proxies: who the client is, and what servers are told. */
    final ForwardedHeaders forwarded;
    /** Checked in order for every request, before routing. */
    final RateLimitRule[] rateLimits;
    final long httpRequestNanos;
    final long keepAliveNanos;
    final long clientNanos;

    FrontendRuntime(FrontendConfig config, Map<String, BackendRuntime> backends, Map<String, RateLimitRule> rules) {
        this.config = config;
        this.router = new Router<>(config, backends);
        this.errors = new ErrorResponses(config.responseHeaders());
        this.rewrite = new HeadWriter.ResponseRewrite(config.responseHeaders());
        this.forwarded = new ForwardedHeaders(config);
        this.rateLimits = config.rateLimits().stream().map(rules::get).toArray(RateLimitRule[]::new);
        this.httpRequestNanos = config.timeouts().httpRequest().toNanos();
        this.keepAliveNanos = config.timeouts().keepAlive().toNanos();
        this.clientNanos = config.timeouts().client().toNanos();
    }
}
