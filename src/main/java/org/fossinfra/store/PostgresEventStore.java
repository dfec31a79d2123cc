package org.fossinfra.store;

import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.sql.DataSource;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventPage;
import org.fossinfra.events.EventQuery;
import org.fossinfra.events.EventStore;
import org.fossinfra.events.StoreStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EventStore} on PostgreSQL's partitioned {@code events} table (db/migration/V1__events.sql).
 *
 * <p>Writes: one statement per batch, {@code INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (node, seq,
 * created_at) DO NOTHING}, so a batch is one round trip and an event sent again is skipped. Before a batch, every
 * month it touches gets its partition (the journal may hold events of a month the partition job has not made, or no
 * longer keeps): a month entirely older than the retention is not created, its events are skipped and counted, since
 * the job would drop them anyway. An event PostgreSQL refuses as data (a class 22 or 23 error) is logged and skipped
 * alone, so that one bad value cannot hold back every event behind it.
 *
 * <p>Reads: keyset pages, newest first, ordered by {@code (created_at, id)}: the cursor {@code p<micros>.<id>} names
 * the last row of the previous page, and each page is one index range scan of {@code events_time_idx} or, with a
 * type, {@code events_type_time_idx}, on the newest partitions only (the time bounds prune the others).
 */
final class PostgresEventStore implements EventStore {
    private static final Logger log = LoggerFactory.getLogger("store");
    static final String CURSOR_PREFIX = "p";
    private static final String INSERT = "INSERT INTO events (created_at, node, seq, event_type, actor, subject,"
            + " message, data) SELECT t.created_at::timestamptz, t.node, t.seq, t.event_type, t.actor, t.subject,"
            + " t.message, t.data::jsonb FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[],"
            + " ?::text[], ?::text[], ?::text[]) AS t(created_at, node, seq, event_type, actor, subject, message, data)"
            + " ON CONFLICT (node, seq, created_at) DO NOTHING";
    /** Reads wait at most this long: the API and the dashboard then fall back to memory. */
    static final int QUERY_TIMEOUT_SECONDS = 10;
    /** A write waits at most this long for PostgreSQL; the batch is then sent again (and de-duplicated). */
    static final int INSERT_TIMEOUT_SECONDS = 30;

    private final DataSource pool;
    private final Period retention;
    private final Clock clock;
    private final Function<Throwable, String> describe;
    /** Months known to have a partition (the job never drops a month that is still kept, so this only grows). */
    private final Set<YearMonth> partitions = ConcurrentHashMap.newKeySet();
    private long expired;
    private long rejected;

    /** @param describe turns a failure into the sentence an operator reads (see {@link PgErrors}) */
    PostgresEventStore(DataSource pool, Period retention, Clock clock, Function<Throwable, String> describe) {
        this.pool = pool;
        this.retention = retention;
        this.clock = clock;
        this.describe = describe;
    }

    @Override
    public int insert(List<Event> batch) throws Exception {
        try (Connection c = pool.getConnection()) {
            List<Event> kept = withPartitions(c, batch);
            if (kept.isEmpty()) {
                return 0;
            }
            try {
                return insert(c, kept);
            } catch (SQLException e) {
                if (!PgErrors.isDataError(e) || kept.size() == 1) {
                    if (kept.size() == 1 && PgErrors.isDataError(e)) {
                        reject(kept.getFirst(), e);
                        return 0;
                    }
                    throw e;
                }
                // One value PostgreSQL refuses: find it by writing one at a time.
                int n = 0;
                for (Event ev : kept) {
                    try {
                        n += insert(c, List.of(ev));
                    } catch (SQLException one) {
                        if (!PgErrors.isDataError(one)) {
                            throw one;
                        }
                        reject(ev, one);
                    }
                }
                return n;
            }
        } catch (SQLException e) {
            throw new StoreException(describe.apply(e), e);
        }
    }

    private void reject(Event e, SQLException why) {
        rejected++;
        log.error("event store: PostgreSQL refuses event {} of node {} ({} {} by {}): {}; it is skipped (it stays in"
                + " this node's memory and log)", e.id(), e.node(), e.type(), e.subject(), e.actor(), why.getMessage());
    }

    /** The events whose month has (or now gets) a partition; those of months past the retention are skipped. */
    private List<Event> withPartitions(Connection c, List<Event> batch) throws SQLException {
        TreeSet<YearMonth> months = new TreeSet<>();
        for (Event e : batch) {
            months.add(Partitions.monthOf(e.time()));
        }
        YearMonth oldestKept = Partitions.oldestKept(clock.instant(), retention);
        boolean allKept = true;
        for (YearMonth m : months) {
            if (m.isBefore(oldestKept)) {
                allKept = false;
            } else if (!partitions.contains(m)) {
                Partitions.ensure(c, m);
                partitions.add(m);
            }
        }
        if (allKept) {
            return batch;
        }
        List<Event> kept = new ArrayList<>(batch.size());
        for (Event e : batch) {
            if (Partitions.monthOf(e.time()).isBefore(oldestKept)) {
                expired++;
            } else {
                kept.add(e);
            }
        }
        log.info("event store: {} event(s) older than the retention ({}) skipped; {} so far", batch.size() - kept.size(),
                retention, expired);
        return kept;
    }

    private static int insert(Connection c, List<Event> events) throws SQLException {
        int n = events.size();
        String[] times = new String[n];
        String[] nodes = new String[n];
        Long[] seqs = new Long[n];
        String[] types = new String[n];
        String[] actors = new String[n];
        String[] subjects = new String[n];
        String[] messages = new String[n];
        String[] data = new String[n];
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
            times[i] = e.time().toString();
            nodes[i] = text(e.node());
            seqs[i] = e.id();
            types[i] = text(e.type());
            actors[i] = text(e.actor());
            subjects[i] = text(e.subject());
            messages[i] = text(e.message());
            Map<String, String> d = new LinkedHashMap<>();
            e.data().forEach((k, v) -> d.put(text(k), text(v)));
            data[i] = new JsonObject(new LinkedHashMap<>(d)).encode();
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setQueryTimeout(INSERT_TIMEOUT_SECONDS);
            Object[][] columns = {times, nodes, seqs, types, actors, subjects, messages, data};
            List<Array> arrays = new ArrayList<>();
            for (int i = 0; i < columns.length; i++) {
                Array a = c.createArrayOf(i == 2 ? "bigint" : "text", columns[i]);
                arrays.add(a);
                ps.setArray(i + 1, a);
            }
            try {
                return ps.executeUpdate();
            } finally {
                for (Array a : arrays) {
                    a.free();
                }
            }
        }
    }

    /** PostgreSQL's text cannot hold U+0000; it becomes U+FFFD rather than failing the batch. */
    private static String text(String s) {
        return s == null ? "" : s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    /** The statement of one page and its parameters (also what the benchmark EXPLAINs). */
    record Select(String sql, List<Object> args) {
    }

    static Select select(EventQuery q) {
        Cursor cursor = q.before() == null ? null : Cursor.parse(q.before());
        StringBuilder sql = new StringBuilder("SELECT id, created_at, node, seq, event_type, actor, subject, message,"
                + " data::text FROM events WHERE true");
        List<Object> args = new ArrayList<>();
        if (q.type() != null) {
            sql.append(" AND event_type = ?");
            args.add(q.type());
        }
        if (q.since() != null) {
            sql.append(" AND created_at >= ?");
            args.add(q.since().atOffset(ZoneOffset.UTC));
        }
        if (q.until() != null) {
            sql.append(" AND created_at < ?");
            args.add(q.until().atOffset(ZoneOffset.UTC));
        }
        if (q.search() != null) {
            // A substring of any text column, ignoring case: the newest rows are scanned in index order until the
            // page is full (or the query timeout ends a search for something rare over a large table).
            sql.append(" AND (event_type ILIKE ? OR actor ILIKE ? OR subject ILIKE ? OR message ILIKE ?)");
            String pattern = "%" + likeEscape(q.search()) + "%";
            for (int i = 0; i < 4; i++) {
                args.add(pattern);
            }
        }
        if (cursor != null) {
            // The plain bound lets the planner prune partitions; the row comparison is the keyset condition.
            sql.append(" AND created_at <= ? AND (created_at, id) < (?, ?)");
            OffsetDateTime t = cursor.time().atOffset(ZoneOffset.UTC);
            args.add(t);
            args.add(t);
            args.add(cursor.id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        args.add(q.limit() + 1);
        return new Select(sql.toString(), args);
    }

    @Override
    public EventPage query(EventQuery q, StoreStatus status) throws Exception {
        Select select = select(q);
        List<Object> args = select.args();
        List<Event> out = new ArrayList<>();
        long lastId = 0;
        long prevId = 0;
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(select.sql())) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    prevId = lastId;
                    lastId = rs.getLong(1);
                    Instant time = rs.getObject(2, OffsetDateTime.class).toInstant();
                    Map<String, String> data = new LinkedHashMap<>();
                    new JsonObject(rs.getString(9)).forEach(en -> data.put(en.getKey(), String.valueOf(en.getValue())));
                    out.add(new Event(rs.getLong(4), time, rs.getString(5), rs.getString(6), rs.getString(7),
                            rs.getString(8), data, rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            if ("57014".equals(e.getSQLState()) && q.search() != null) {
                // Not the store's fault: a text no recent event holds makes the search scan back through everything.
                throw new IllegalArgumentException("q: searching for '" + q.search() + "' did not fill a page within "
                        + QUERY_TIMEOUT_SECONDS + " s; narrow it with a type or a time range");
            }
            throw new StoreException(describe.apply(e), e);
        }
        Optional<String> next = Optional.empty();
        if (out.size() > q.limit()) {
            out.removeLast();
            next = Optional.of(new Cursor(out.getLast().time(), prevId).toString());
        }
        return new EventPage(out, next, EventPage.Source.STORE, status);
    }

    /** LIKE's wildcards and its escape character (backslash, the default) taken literally. */
    static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    long expired() {
        return expired;
    }

    long rejected() {
        return rejected;
    }

    /** The last row of a page: its time (microseconds) and the table's id. */
    record Cursor(Instant time, long id) {
        static Cursor parse(String text) {
            int dot = text.indexOf('.');
            if (text.startsWith(CURSOR_PREFIX) && dot > 1) {
                try {
                    long micros = Long.parseLong(text.substring(1, dot));
                    long id = Long.parseLong(text.substring(dot + 1));
                    return new Cursor(Instant.EPOCH.plusNanos(Math.multiplyExact(micros, 1000L)), id);
                } catch (NumberFormatException | ArithmeticException e) {
                    // reported below
                }
            }
            throw new IllegalArgumentException("before: '" + text + "' is not a cursor of the event store (it comes"
                    + " from another page source, or was altered); start again without before");
        }

        @Override
        public String toString() {
            long micros = time.getEpochSecond() * 1_000_000L + time.getNano() / 1000;
            return CURSOR_PREFIX + micros + "." + id;
        }
    }
}
