package org.fossinfra.health;

import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;

/**
 * A failed check's cause as one short line for the status and the events: "connection refused",
 * "password authentication failed for user "foss"", "authentication failed: WRONGPASS ...". Never a stack trace, and
 * never the address again (the service's target is shown beside it).
 */
final class Failures {
    private Failures() {
    }

    static String describe(Throwable t) {
        if (t instanceof PgException pg) {
            // The server's own words, e.g. 'password authentication failed for user "foss"', 'database "x" does not exist'.
            return pg.getErrorMessage() == null ? String.valueOf(pg.getMessage()) : pg.getErrorMessage();
        }
        String m = t.getMessage() == null ? "" : t.getMessage();
        if (m.startsWith("WRONGPASS")) {
            return "authentication failed: " + m;
        }
        if (m.startsWith("NOAUTH")) {
            return "authentication required (no password is configured): " + m;
        }
        if (m.contains("Connection refused")) {
            return "connection refused";
        }
        if (t instanceof UnknownHostException || m.contains("Failed to resolve") || m.contains("nodename nor servname")) {
            return "unknown host: " + m;
        }
        if (m.contains("Connection reset")) {
            return "connection reset by the server";
        }
        if (t instanceof ClosedChannelException || m.contains("Connection was closed") || m.contains("closed")) {
            return "connection closed by the server before it answered";
        }
        if (t instanceof ConnectException) {
            return "cannot connect: " + m;
        }
        return m.isEmpty() ? t.getClass().getSimpleName() : m;
    }
}
