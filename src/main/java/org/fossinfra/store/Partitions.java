package org.fossinfra.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The monthly partitions of {@code events}: {@code events_2026_11} holds November 2026, UTC, from the first instant of
 * the month (inclusive) to the first of the next (exclusive). Only partitions named this way are ever dropped, so a
 * table someone attached by hand is left alone.
 */
final class Partitions {
    static final String PARENT = "events";
    private static final Pattern NAME = Pattern.compile("events_(\\d{4})_(\\d{2})");
    /** SQLSTATEs of a concurrent CREATE TABLE IF NOT EXISTS of the same name: duplicate table, or its type. */
    private static final List<String> RACE = List.of("42P07", "23505");

    private Partitions() {
    }

    static String name(YearMonth m) {
        return String.format("events_%04d_%02d", m.getYear(), m.getMonthValue());
    }

    static Optional<YearMonth> month(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? Optional.of(YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
                : Optional.empty();
    }

    static YearMonth monthOf(Instant t) {
        return YearMonth.from(t.atOffset(ZoneOffset.UTC));
    }

    static Instant start(YearMonth m) {
        return m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** The first month that is not entirely older than {@code retention} at {@code now}; earlier ones may go. */
    static YearMonth oldestKept(Instant now, Period retention) {
        Instant cutoff = now.atOffset(ZoneOffset.UTC).minus(retention).toInstant();
        // A month may be dropped once its end (the next month's start) is at or before the cutoff.
        YearMonth m = monthOf(cutoff);
        return start(m.plusMonths(1)).isAfter(cutoff) ? m : m.plusMonths(1);
    }

    /** Creates the partition of month {@code m} unless it exists; returns whether it created it. */
    static boolean ensure(Connection c, YearMonth m) throws SQLException {
        String sql = "CREATE TABLE IF NOT EXISTS " + name(m) + " PARTITION OF " + PARENT + " FOR VALUES FROM ('"
                + start(m) + "') TO ('" + start(m.plusMonths(1)) + "')";
        for (int attempt = 1; ; attempt++) {
            try (Statement s = c.createStatement()) {
                boolean existed = exists(c, m);
                if (existed) {
                    return false;
                }
                s.execute(sql);
                return true;
            } catch (SQLException e) {
                // Another node created it at the same moment: it exists now, which is what was wanted.
                if (attempt < 3 && RACE.contains(e.getSQLState())) {
                    continue;
                }
                throw e;
            }
        }
    }

    static boolean exists(Connection c, YearMonth m) throws SQLException {
        try (var ps = c.prepareStatement("SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = to_regclass(?) AND c.relname = ?")) {
            ps.setString(1, PARENT);
            ps.setString(2, name(m));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The months that have a partition of ours, oldest first. */
    static List<YearMonth> list(Connection c) throws SQLException {
        List<YearMonth> out = new ArrayList<>();
        try (var ps = c.prepareStatement("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = to_regclass(?) ORDER BY c.relname")) {
            ps.setString(1, PARENT);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    month(rs.getString(1)).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    static void drop(Connection c, YearMonth m) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + name(m));
        }
    }
}
