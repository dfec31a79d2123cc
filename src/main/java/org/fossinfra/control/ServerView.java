package org.fossinfra.control;

import org.fossinfra.balance.AdminState;
import org.fossinfra.balance.Server;
import org.fossinfra.health.CheckStatus;

/**
 * A server as operators see it.
 *
 * @param status MAINT, DRAIN, DOWN or UP, in that order of precedence (HAProxy's stats page shows the same)
 * @param check  the latest health check, or null when the backend has none
 */
public record ServerView(String backend, String name, String address, String status, boolean healthy,
                         AdminState admin, int weight, int active, int maxconn, boolean backup, long requests,
                         long errors, long lastChangeMillis, CheckStatus check) {

    static ServerView of(Server s, CheckStatus check) {
        return new ServerView(s.backend(), s.name(), s.host() + ":" + s.port(), status(s), s.healthy(),
                s.adminState(), s.weight(), s.active(), s.maxconn(), s.backup(), s.totalRequests(), s.errors(),
                s.lastChange(), check);
    }

    static String status(Server s) {
        return switch (s.adminState()) {
            case MAINT -> "MAINT";
            case DRAIN -> "DRAIN";
            case READY -> s.healthy() ? "UP" : "DOWN";
        };
    }
}
