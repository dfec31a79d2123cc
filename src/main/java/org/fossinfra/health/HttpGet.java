package org.fossinfra.health;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The GET of the http and matrix checks: a fresh connection ({@code Connection: close}), the status and at most the
 * first {@value #MAX_BODY} bytes of the body. The rest of a longer body is not read: the request is reset instead,
 * so a check never buffers an unbounded answer.
 *
 * <p>When the timeout is up the request is reset, so a server that trickles its answer cannot hold the connection.
 */
final class HttpGet {
    /** Enough for any health page or a Matrix versions answer (about 1 KiB); bodies are only searched this far. */
    static final int MAX_BODY = 64 * 1024;

    /** The status and the first {@value #MAX_BODY} bytes of the body ({@code truncated} when there was more). */
    record Answer(int status, Buffer body, boolean truncated) {
    }

    private HttpGet() {
    }

    static Future<Answer> get(Vertx vertx, HttpClient client, URI url, int timeoutMs) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url.toString())
                .setConnectTimeout(timeoutMs)
                .setIdleTimeout(timeoutMs)
                .putHeader("User-Agent", "foss-infra-service-check")
                .putHeader("Connection", "close");
        AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        long timer = vertx.setTimer(timeoutMs, id -> {
            HttpClientRequest r = request.get();
            if (r != null) {
                r.reset();
            }
        });
        return client.request(options)
                .compose(req -> {
                    request.set(req);
                    return req.send();
                })
                .compose(HttpGet::readBounded)
                .andThen(ar -> vertx.cancelTimer(timer));
    }

    private static Future<Answer> readBounded(HttpClientResponse response) {
        Promise<Answer> answer = Promise.promise();
        Buffer body = Buffer.buffer();
        response.exceptionHandler(answer::tryFail);
        response.handler(chunk -> {
            int room = MAX_BODY - body.length();
            if (chunk.length() <= room) {
                body.appendBuffer(chunk);
                return;
            }
            body.appendBuffer(chunk, 0, room);
            if (answer.tryComplete(new Answer(response.statusCode(), body, true))) {
                response.request().reset();
            }
        });
        response.endHandler(v -> answer.tryComplete(new Answer(response.statusCode(), body, false)));
        return answer.future();
    }
}
