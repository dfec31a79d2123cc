package org.fossinfra.health;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.fossinfra.config.ServiceConfig;

/**
 * {@code GET <base>/_matrix/client/versions} (Matrix client-server API, "GET /_matrix/client/versions": no
 * authentication, every homeserver serves it): passes on 200 with a JSON object whose {@code versions} is a non-empty
 * list of strings. A reverse proxy's 200 page or a web server that is not a homeserver therefore fails the check.
 */
final class MatrixCheck implements ServiceCheck {
    private final Vertx vertx;
    private final HttpClient client;
    private final ServiceConfig.Matrix target;
    private final int timeoutMs;

    MatrixCheck(Vertx vertx, HttpClient client, ServiceConfig.Matrix target, Duration timeout) {
        this.vertx = vertx;
        this.client = client;
        this.target = target;
        this.timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    @Override
    public Future<String> run() {
        return HttpGet.get(vertx, client, target.versionsUrl(), timeoutMs).map(MatrixCheck::verify);
    }

    private static String verify(HttpGet.Answer answer) {
        if (answer.status() != 200) {
            throw new IllegalStateException("HTTP " + answer.status() + " from " + ServiceConfig.Matrix.VERSIONS_PATH
                    + " (expected 200)");
        }
        if (answer.truncated()) {
            throw new IllegalStateException("the versions answer is larger than " + HttpGet.MAX_BODY / 1024
                    + " KiB, so not a homeserver's");
        }
        JsonObject json;
        try {
            json = answer.body().toJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalStateException("HTTP 200 but the answer is not a JSON object, so not a homeserver's");
        }
        if (!(json.getValue("versions") instanceof JsonArray versions) || versions.isEmpty()
                || !versions.stream().allMatch(v -> v instanceof String)) {
            throw new IllegalStateException("HTTP 200 but the answer has no 'versions' list of strings");
        }
        return "HTTP 200, versions " + versions.getString(0)
                + (versions.size() > 1 ? " .. " + versions.getString(versions.size() - 1) : "");
    }
}
