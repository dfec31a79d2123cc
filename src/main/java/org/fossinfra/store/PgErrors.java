package org.fossinfra.store;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;

/**
 * Turns what JDBC, the pool and the migrations throw into one sentence that says what is wrong and what to do, for
 * the one log line and the one event a failure gets. Never includes a password.
 */
final class PgErrors {
    private PgErrors() {
    }

    /**
     * @param where "PostgreSQL at db.example.org:5432" or "the embedded PostgreSQL"
     * @param user  the user connecting
     * @param db    the database
     */
    static String describe(Throwable t, String where, String user, String db) {
        SQLException sql = find(t, SQLException.class);
        String state = sql == null ? null : sql.getSQLState();
        String detail = sql == null ? rootMessage(t) : firstLine(sql.getMessage());
        if (find(t, ConnectException.class) != null) {
            return where + " refused the connection (nothing listens there); start PostgreSQL or fix database.url";
        }
        if (find(t, UnknownHostException.class) != null) {
            return where + " cannot be reached: unknown host (" + rootMessage(t) + "); fix the host in database.url";
        }
        if (find(t, NoRouteToHostException.class) != null) {
            return where + " cannot be reached: no route to host; check the network or database.url";
        }
        if (find(t, SocketTimeoutException.class) != null && state == null) {
            return where + " did not answer in time (" + detail + "); check that it is up and reachable";
        }
        if (state == null) {
            return where + " failed: " + detail;
        }
        return switch (state) {
            case "28P01", "28000" -> where + " refused the password of user '" + user + "'; check database.password"
                    + " (and the environment variable it names)";
            case "3D000" -> where + " has no database '" + db + "'; create it (CREATE DATABASE " + db + " OWNER " + user
                    + ") or fix database.url";
            case "42501" -> "user '" + user + "' lacks a permission in database '" + db + "' (" + detail
                    + "); connect as the database's owner, or GRANT CREATE ON SCHEMA public TO " + user;
            case "53300" -> where + " has no free connection slot (" + detail
                    + "); raise max_connections there or lower database.pool-size";
            case "57P01", "57P02", "57P03" -> where + " is shutting down or starting up (" + detail + ")";
            case "08001", "08004", "08006", "08003" -> where + " connection failed: " + detail;
            default -> where + " failed: " + detail + " (SQLSTATE " + state + ")";
        };
    }

    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** Whether the failure is the data of one event (a value PostgreSQL refuses), not the database. */
    static boolean isDataError(SQLException e) {
        String s = e.getSQLState();
        return s != null && (s.startsWith("22") || (s.startsWith("23") && !s.equals("23505") && !s.equals("23514")));
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : firstLine(c.getMessage());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
