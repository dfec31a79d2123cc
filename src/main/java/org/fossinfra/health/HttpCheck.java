package org.fossinfra.health;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.fossinfra.config.ServiceConfig;

/**
 * {@code GET url}: passes when the status is one of {@code expect-status} and, if {@code expect-body} is set, the
 * body (its first {@value HttpGet#MAX_BODY} bytes, read as UTF-8) contains that text.
 */
final class HttpCheck implements ServiceCheck {
    private final Vertx vertx;
    private final HttpClient client;
    private final ServiceConfig.Http target;
    private final int timeoutMs;

    HttpCheck(Vertx vertx, HttpClient client, ServiceConfig.Http target, Duration timeout) {
        this.vertx = vertx;
        this.client = client;
        this.target = target;
        this.timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    @Override
    public Future<String> run() {
        return HttpGet.get(vertx, client, target.url(), timeoutMs).map(this::verify);
    }

    private String verify(HttpGet.Answer answer) {
        if (!target.expect().matches(answer.status())) {
            throw new IllegalStateException("HTTP " + answer.status() + " (expected " + target.expect() + ")");
        }
        if (target.expectBody().isPresent()) {
            String body = answer.body().toString(StandardCharsets.UTF_8);
            String wanted = target.expectBody().get();
            if (!body.contains(wanted)) {
                throw new IllegalStateException("HTTP " + answer.status() + " but the body"
                        + (answer.truncated() ? " (first " + HttpGet.MAX_BODY / 1024 + " KiB)" : "")
                        + " does not contain '" + wanted + "'");
            }
        }
        return "HTTP " + answer.status();
    }
}
