package org.fossinfra.web;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener's answer to a failure nobody handled (a 500): a generic message and an id; the detail, with the
 * stack trace, goes to the log under that id, so that an operator holding the answer can find it there.
 *
 * <p>Why not the exception's message: it is written for whoever reads the log, and may hold a JDBC URL, a file path, a
 * query, a header value, or a secret handed to a constructor; the client (who may have no token at all, for the
 * dashboard's routes) has no use for it.
 */
final class InternalErrors {
    private static final Logger log = LoggerFactory.getLogger(InternalErrors.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private InternalErrors() {
    }

    /** The 500 handler of the admin listener's router. */
    static void handle(RoutingContext ctx) {
        String id = id();
        Throwable failure = ctx.failure();
        log.error("admin listener: internal error {} on {} {}: {}", id, ctx.request().method(), ctx.request().path(),
                failure == null ? "(no exception)" : failure.toString(), failure);
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(new JsonObject().put("error", "internal error; the node's log has the details under id " + id)
                        .put("id", id).encodePrettily() + "\n");
    }

    /** Eight random hex digits: unique enough to find one line in a log, and no counter an outsider could read. */
    private static String id() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
