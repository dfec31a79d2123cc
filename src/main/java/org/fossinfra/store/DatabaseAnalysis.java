package org.fossinfra.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's "PostgreSQL performance analysis queries", corrected:
 * <ul>
 *   <li>pg_stat_user_tables and pg_stat_user_indexes have {@code relname} and {@code indexrelname}, not
 *       {@code tablename}/{@code indexname}; sizes are taken by oid ({@code relid}), not by pasting unquoted names;</li>
 *   <li>{@code 100 * n_dead_tup / (...)} is integer division (always 0 below 1%); here it is numeric, and
 *       {@code table_percent} no longer divides by zero for an empty table;</li>
 *   <li>every table is listed, with the dead ratio flagged, instead of only those above 10%;</li>
 *   <li>an index that was never scanned but enforces a primary key or unique constraint is not "unused";</li>
 *   <li>the partitions' indexes of a partitioned table are summed under the parent's index;</li>
 *   <li>pg_stat_statements' times are {@code total_exec_time} ... since PostgreSQL 13 ({@code total_time} before);
 *       rows of other databases are left out; when the extension is missing or not preloaded the page says so.</li>
 * </ul>
 */
final class DatabaseAnalysis {
    static final int MAX_TABLES = 60;
    static final int MAX_INDEXES = 60;
    static final int SLOW_QUERIES = 20;

    private DatabaseAnalysis() {
    }

    static DatabaseReport read(Connection c) throws SQLException {
        String server;
        String database;
        long dbBytes;
        int versionNum;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version(), current_database(),"
                + " pg_database_size(current_database()), current_setting('server_version_num')::int")) {
            rs.next();
            server = rs.getString(1);
            database = rs.getString(2);
            dbBytes = rs.getLong(3);
            versionNum = rs.getInt(4);
        }
        return new DatabaseReport(Instant.now(), server, database, dbBytes, tables(c), indexes(c),
                slow(c, database, versionNum));
    }

    static List<DatabaseReport.Table> tables(Connection c) throws SQLException {
        String sql = """
                SELECT s.relid::regclass::text AS name,
                       (SELECT p.inhparent::regclass::text FROM pg_inherits p WHERE p.inhrelid = s.relid LIMIT 1),
                       pg_total_relation_size(s.relid) AS total_bytes,
                       pg_relation_size(s.relid) AS table_bytes,
                       pg_indexes_size(s.relid) AS index_bytes,
                       s.n_live_tup, s.n_dead_tup,
                       round(100.0 * s.n_dead_tup / NULLIF(s.n_live_tup + s.n_dead_tup, 0), 2) AS dead_percent,
                       s.last_autovacuum
                FROM pg_stat_user_tables s
                ORDER BY pg_total_relation_size(s.relid) DESC, 1
                LIMIT ?""";
        List<DatabaseReport.Table> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, MAX_TABLES);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double dead = rs.getDouble(8);
                    Double deadPercent = rs.wasNull() ? null : dead;
                    Timestamp vac = rs.getTimestamp(9);
                    out.add(new DatabaseReport.Table(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), deadPercent,
                            vac == null ? null : vac.toInstant()));
                }
            }
        }
        return out;
    }

    static List<DatabaseReport.Index> indexes(Connection c) throws SQLException {
        String sql = """
                SELECT coalesce(pg_partition_root(i.relid), i.relid)::regclass::text AS table_name,
                       coalesce(pg_partition_root(i.indexrelid), i.indexrelid)::regclass::text AS index_name,
                       count(*) AS parts,
                       sum(i.idx_scan) AS scans,
                       sum(pg_relation_size(i.indexrelid)) AS bytes,
                       bool_or(x.indisunique OR x.indisprimary) AS enforces
                FROM pg_stat_user_indexes i JOIN pg_index x ON x.indexrelid = i.indexrelid
                GROUP BY 1, 2
                ORDER BY 4, 5 DESC, 2
                LIMIT ?""";
        List<DatabaseReport.Index> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, MAX_INDEXES);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long scans = rs.getLong(4);
                    boolean enforces = rs.getBoolean(6);
                    DatabaseReport.Usage u = scans > 0 ? DatabaseReport.Usage.USED
                            : enforces ? DatabaseReport.Usage.CONSTRAINT : DatabaseReport.Usage.UNUSED;
                    out.add(new DatabaseReport.Index(rs.getString(1), rs.getString(2), rs.getInt(3), scans,
                            rs.getLong(5), u));
                }
            }
        }
        return out;
    }

    static DatabaseReport.SlowQueries slow(Connection c, String database, int versionNum) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements'")) {
            if (!rs.next()) {
                return new DatabaseReport.NotAvailable("the extension pg_stat_statements is not installed in database '"
                        + database + "'; enable it with shared_preload_libraries = 'pg_stat_statements' in"
                        + " postgresql.conf, restart PostgreSQL, then CREATE EXTENSION pg_stat_statements (as a"
                        + " superuser) in '" + database + "'");
            }
        }
        String t = versionNum >= 130000 ? "_exec_time" : "_time";
        String sql = "SELECT query, calls, total" + t + ", mean" + t + ", stddev" + t + ", min" + t + ", max" + t
                + ", rows FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname ="
                + " current_database()) AND query NOT LIKE '%pg_stat_statements%' ORDER BY mean" + t
                + " DESC LIMIT " + SLOW_QUERIES;
        List<DatabaseReport.SlowQuery> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(new DatabaseReport.SlowQuery(rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getDouble(4),
                        rs.getDouble(5), rs.getDouble(6), rs.getDouble(7), rs.getLong(8)));
            }
        } catch (SQLException e) {
            if ("55000".equals(e.getSQLState())) {
                return new DatabaseReport.NotAvailable("pg_stat_statements is installed in database '" + database
                        + "' but the server has not loaded it; enable it with shared_preload_libraries ="
                        + " 'pg_stat_statements' in postgresql.conf and restart PostgreSQL");
            }
            if ("42501".equals(e.getSQLState())) {
                return new DatabaseReport.NotAvailable("this user may not read pg_stat_statements; enable it with"
                        + " GRANT pg_read_all_stats TO the user of database.url");
            }
            throw e;
        }
        return new DatabaseReport.Slowest(out);
    }
}
