package org.fossinfra.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.config.HostPort;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventPage;
import org.fossinfra.events.EventQuery;
import org.fossinfra.events.EventStore;
import org.fossinfra.events.StoreStatus;
import org.fossinfra.events.WriteBehindConfig;

/**
 * The driver of bench/event-store.sh: measures the product's own classes against a PostgreSQL named by BENCH_PG_HOST,
 * BENCH_PG_PORT, BENCH_PG_DATABASE, BENCH_PG_USER, BENCH_PG_PASSWORD. Not part of the product nor of its tests: the
 * script compiles this file against target/classes and target/lib. It is in package org.fossinfra.store because it
 * times {@link PostgresEventStore}'s own statements, which are package-private; EventStoreBenchSourceTest compiles
 * it with every test run, so that a change to them that breaks it is seen at once.
 *
 * <pre>
 *   write --seconds S --rounds R --warmup W --batch-size B --journal DIR
 *       The node's write path: {@link EventLog#writeBehind} (memory ring, journal on disk, writer thread) with the
 *       {@link Database} started as the node starts it (migrations, partition job, then {@link PostgresEventStore}
 *       attached). One producer records events as fast as the log drains them (it waits while more than
 *       buffer - 2 batches are on their way, so that nothing is dropped): the writer always has a full batch to send,
 *       which gives the sustained write rate. Every insert call (one batch, one round trip, one commit) is timed
 *       through a wrapper around the attached store. After W seconds of warm-up, R windows of S seconds are
 *       measured, one RESULT line each.
 *   read --reps N --out DIR
 *       The GET /api/events queries, as {@link PostgresEventStore#query} runs them (the same SQL, JDBC and decoding),
 *       each N times in a row on the pooled connection: the median and the first run in ms, and
 *       EXPLAIN (ANALYZE, BUFFERS) of the same statement with the same parameters into DIR/explain-NAME.txt.
 * </pre>
 * Output: lines starting with RESULT, key=value, for the script.
 */
public final class EventStoreBench {
    private EventStoreBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        switch (args.length == 0 ? "" : args[0]) {
            case "write" -> write(opt);
            case "read" -> read(opt);
            default -> throw new IllegalArgumentException("usage: write|read [--option value ...]");
        }
        System.exit(0);
    }

    private static DatabaseConfig config(int batchSize, int buffer, Path journal) {
        String password = System.getenv("BENCH_PG_PASSWORD");
        DatabaseConfig.External target = new DatabaseConfig.External(
                new HostPort(env("BENCH_PG_HOST"), Integer.parseInt(env("BENCH_PG_PORT"))), env("BENCH_PG_DATABASE"),
                env("BENCH_PG_USER"), Optional.ofNullable(password).filter(p -> !p.isEmpty()));
        return new DatabaseConfig(target, DatabaseConfig.DEFAULT_POOL_SIZE, DatabaseConfig.DEFAULT_RETENTION, batchSize,
                buffer, journal);
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException(name + " is not set");
        }
        return v;
    }

    // ---------------------------------------------------------------- write

    private static void write(Map<String, String> opt) throws Exception {
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "30"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "10"));
        int batchSize = Integer.parseInt(opt.getOrDefault("batch-size", String.valueOf(DatabaseConfig.DEFAULT_BATCH_SIZE)));
        int buffer = Math.max(DatabaseConfig.DEFAULT_BUFFER, batchSize);
        Path journal = Path.of(opt.getOrDefault("journal", "bench-journal"));
        DatabaseConfig cfg = config(batchSize, buffer, journal);
        // As Node.start makes it: the node's name, 10,000 recent events in memory, a 5 s close.
        DurableEventLog inner = EventLog.writeBehind(new WriteBehindConfig("bench-writer", 10_000, journal, buffer,
                batchSize, Duration.ofSeconds(5)));
        TimedLog log = new TimedLog(inner);
        Database db = Database.start(cfg, "bench-writer", log);
        if (!db.awaitReady(Duration.ofSeconds(120))) {
            throw new IllegalStateException("the database did not come up: " + log.storeStatus().detail());
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put("backend", "app");
        data.put("address", "10.0.3.17:8080");
        Thread producer = Thread.ofPlatform().name("bench-producer").start(() -> {
            long n = 0;
            while (!Thread.currentThread().isInterrupted()) {
                DurableEventLog.Stats st = log.stats();
                if (st.recorded() - st.written() > buffer - 2L * batchSize) {
                    try {
                        Thread.sleep(0, 200_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                for (int i = 0; i < 100; i++, n++) {
                    log.record("server.down", "health-check", "app/s" + (n % 50),
                            "server app/s" + (n % 50) + " is DOWN: connection refused after 3 failed checks (rise 2)",
                            data);
                }
            }
        });
        Thread.sleep(warmup * 1000L);
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "1"));
        for (int r = 1; r <= rounds; r++) {
            DurableEventLog.Stats s0 = log.stats();
            long t0 = System.nanoTime();
            int from;
            synchronized (log.timings) {
                from = log.timings.size();
            }
            Thread.sleep(seconds * 1000L);
            DurableEventLog.Stats s1 = log.stats();
            long t1 = System.nanoTime();
            List<long[]> batches;
            synchronized (log.timings) {
                batches = new ArrayList<>(log.timings.subList(from, log.timings.size()));
            }
            double secs = (t1 - t0) / 1e9;
            long written = s1.written() - s0.written();
            long[] nanos = batches.stream().mapToLong(b -> b[0]).sorted().toArray();
            long events = batches.stream().mapToLong(b -> b[1]).sum();
            System.out.printf("RESULT mode=write round=%d seconds=%.1f batch_size=%d events=%d events_per_s=%.0f"
                            + " batches=%d mean_batch=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f dropped=%d"
                            + " inserted=%d%n",
                    r, secs, batchSize, written, written / secs, nanos.length,
                    nanos.length == 0 ? 0.0 : (double) events / nanos.length, pct(nanos, 50), pct(nanos, 90),
                    pct(nanos, 99), nanos.length == 0 ? 0.0 : nanos[nanos.length - 1] / 1e6, s1.dropped(),
                    s1.inserted() - s0.inserted());
        }
        producer.interrupt();
        producer.join();
        log.close();
        db.close();
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** The node's log, with the attached store wrapped so that every insert (batch) is timed. */
    private static final class TimedLog implements DurableEventLog {
        final DurableEventLog inner;
        /** Per insert call: {nanos, events}. */
        final List<long[]> timings = new ArrayList<>();

        TimedLog(DurableEventLog inner) {
            this.inner = inner;
        }

        @Override
        public void attach(EventStore store, String description) {
            inner.attach(new EventStore() {
                @Override
                public int insert(List<Event> batch) throws Exception {
                    long t0 = System.nanoTime();
                    int n = store.insert(batch);
                    long d = System.nanoTime() - t0;
                    synchronized (timings) {
                        timings.add(new long[] {d, batch.size()});
                    }
                    return n;
                }

                @Override
                public EventPage query(EventQuery query, StoreStatus status) throws Exception {
                    return store.query(query, status);
                }
            }, description);
        }

        @Override
        public void storeUnavailable(String reason) {
            inner.storeUnavailable(reason);
        }

        @Override
        public Stats stats() {
            return inner.stats();
        }

        @Override
        public void close() {
            inner.close();
        }

        @Override
        public Event record(String type, String actor, String subject, String message, Map<String, String> data) {
            return inner.record(type, actor, subject, message, data);
        }

        @Override
        public org.fossinfra.events.Recorded recordDurably(String type, String actor, String subject, String message,
                                                           Map<String, String> data) {
            return inner.recordDurably(type, actor, subject, message, data);
        }

        @Override
        public List<Event> recent(int limit, String type) {
            return inner.recent(limit, type);
        }

        @Override
        public AutoCloseable subscribe(Consumer<Event> listener) {
            return inner.subscribe(listener);
        }

        @Override
        public EventPage query(EventQuery query) {
            return inner.query(query);
        }

        @Override
        public StoreStatus storeStatus() {
            return inner.storeStatus();
        }
    }

    // ---------------------------------------------------------------- read

    private static void read(Map<String, String> opt) throws Exception {
        int reps = Integer.parseInt(opt.getOrDefault("reps", "20"));
        Path out = Path.of(opt.getOrDefault("out", "."));
        Path journal = out.resolve("read-journal");
        DurableEventLog log = EventLog.writeBehind(new WriteBehindConfig("bench-reader", 100, journal, 10_000, 500,
                Duration.ofSeconds(1)));
        Database db = Database.start(config(500, 10_000, journal), "bench-reader", log);
        if (!db.awaitReady(Duration.ofSeconds(120))) {
            throw new IllegalStateException("the database did not come up: " + log.storeStatus().detail());
        }
        DataSource pool = db.dataSource().orElseThrow();
        PostgresEventStore store = new PostgresEventStore(pool, DatabaseConfig.DEFAULT_RETENTION,
                java.time.Clock.systemUTC(), Throwable::toString);
        // Where the data is: the newest row, a row half-way down, a day in the oldest month, the rare type.
        Instant newest;
        Instant oldest;
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT max(created_at), min(created_at) FROM events")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                newest = rs.getObject(1, OffsetDateTime.class).toInstant();
                oldest = rs.getObject(2, OffsetDateTime.class).toInstant();
            }
        }
        Instant middle = oldest.plus(Duration.between(oldest, newest).dividedBy(2));
        String deep = cursorAt(pool, middle, null);
        String deepType = cursorAt(pool, middle, "server.down");
        Instant dayStart = oldest.plus(Duration.ofDays(10));
        Instant dayEnd = dayStart.plus(Duration.ofDays(1));
        // page 2 of the newest: the cursor the first page hands out
        String page2 = store.query(EventQuery.newest(100, null), StoreStatus.disabled()).next().orElseThrow();
        String page2Type = store.query(EventQuery.newest(100, "node.start"), StoreStatus.disabled()).next()
                .orElse(null); // none when the rare type has 100 rows or fewer (a small --rows)

        Map<String, EventQuery> queries = new LinkedHashMap<>();
        queries.put("first-page", new EventQuery(null, null, null, null, 100));
        queries.put("second-page", new EventQuery(null, null, null, page2, 100));
        queries.put("deep-page", new EventQuery(null, null, null, deep, 100));
        queries.put("type-common", new EventQuery("server.down", null, null, null, 100));
        queries.put("type-rare", new EventQuery("node.start", null, null, null, 100));
        if (page2Type != null) {
            queries.put("type-rare-page2", new EventQuery("node.start", null, null, page2Type, 100));
        }
        queries.put("type-deep-page", new EventQuery("server.down", null, null, deepType, 100));
        queries.put("time-range", new EventQuery(null, dayStart, dayEnd, null, 100));
        queries.put("time-range-type", new EventQuery("config.reload", dayStart, dayEnd, null, 100));
        queries.put("time-range-type-rare", new EventQuery("node.start", dayStart, dayEnd, null, 100));
        for (Map.Entry<String, EventQuery> q : queries.entrySet()) {
            double[] ms = new double[reps];
            int rows = 0;
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                EventPage page = store.query(q.getValue(), StoreStatus.disabled());
                ms[i] = (System.nanoTime() - t0) / 1e6;
                rows = page.events().size();
            }
            double first = ms[0];
            Arrays.sort(ms);
            double median = reps % 2 == 1 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
            String plan = explain(pool, PostgresEventStore.select(q.getValue()));
            java.nio.file.Files.writeString(out.resolve("explain-" + q.getKey() + ".txt"),
                    "-- " + q.getValue() + "\n-- " + PostgresEventStore.select(q.getValue()) + "\n" + plan);
            System.out.printf("RESULT mode=read query=%s rows=%d reps=%d median_ms=%.2f min_ms=%.2f max_ms=%.2f"
                            + " first_ms=%.2f index=%s exec_ms=%s%n", q.getKey(), rows, reps, median, ms[0],
                    ms[reps - 1], first, indexes(plan), execMs(plan));
        }
        log.close();
        db.close();
    }

    /** The cursor of the newest row at or before {@code t} (of {@code type}, or any): a page that deep. */
    private static String cursorAt(DataSource pool, Instant t, String type) throws Exception {
        String sql = "SELECT created_at, id FROM events WHERE created_at <= ?" + (type == null ? ""
                : " AND event_type = ?") + " ORDER BY created_at DESC, id DESC LIMIT 1";
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, t.atOffset(java.time.ZoneOffset.UTC));
            if (type != null) {
                ps.setString(2, type);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new PostgresEventStore.Cursor(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getLong(2))
                        .toString();
            }
        }
    }

    private static String explain(DataSource pool, PostgresEventStore.Select select) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + select.sql())) {
            for (int i = 0; i < select.args().size(); i++) {
                ps.setObject(i + 1, select.args().get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sb.append(rs.getString(1)).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** The distinct index names the plan scans, comma-joined ("none" for none). */
    private static String indexes(String plan) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Index (?:Only )?Scan(?: Backward)? using (\\S+)")
                .matcher(plan);
        while (m.find()) {
            names.add(m.group(1).replaceFirst("^events_\\d{4}_\\d{2}_", "events_<month>_"));
        }
        boolean seq = plan.contains("Seq Scan");
        String s = names.isEmpty() ? "none" : String.join(",", names);
        return seq ? s + "+SEQSCAN" : s;
    }

    private static String execMs(String plan) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Execution Time: ([0-9.]+) ms").matcher(plan);
        return m.find() ? m.group(1) : "?";
    }
}
