package org.fossinfra.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.StoreStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's PostgreSQL, embedded or external, brought up in the background so that it never delays the node's
 * start: the proxy serves first, events wait in the journal meanwhile. Then, on the thread "database-start": start the
 * embedded server (first time: initdb, seconds), open the pool, apply the migrations (Flyway; its own lock makes this
 * safe on every node at once), run the {@link PartitionJob}, and attach the {@link PostgresEventStore} to the event
 * log. A failure on the way is one log line and one {@code store.unavailable} event with the reason, and the whole
 * sequence is tried again after a backoff (1 s doubling to a minute): never a crash loop, never a stalled node.
 *
 * <p>The partition job then runs every hour; the analysis for the Database page is read on demand, at most every
 * {@link #REPORT_MAX_AGE}, on a thread of its own.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("store");
    static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /**
     * How often the partition job runs after the first run at start: hourly, so that a node that was down at a month's
     * turn, or a partition dropped by hand, is put right within the hour, while a run that changes nothing costs one
     * lock and one catalogue query. Partitions exist 12 months ahead, so even a job that fails for weeks loses
     * nothing (inserts also make the partition they need).
     */
    static final Duration JOB_INTERVAL = Duration.ofHours(1);
    /** The Database page's analysis is read again when older than this: fresh enough to watch, and a few catalogue
     * queries every few seconds at most, however many people watch. */
    static final Duration REPORT_MAX_AGE = Duration.ofSeconds(5);
    /**
     * How long close waits for a start in progress. An initdb is not cut short (that would leave a broken cluster), and
     * a server being started is stopped by the starter itself once it is up; close waits for that, since the starter is
     * a daemon thread that a JVM on its way out would otherwise abandon, leaving the embedded server running with no
     * node (seen on a loaded machine when a node was stopped in its first seconds). The bound is for a start that
     * hangs; an external database's connect attempt has its own, shorter timeouts.
     */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    static final Duration CLOSE_WAIT_EMBEDDED_START = Duration.ofSeconds(60);

    private final DatabaseConfig config;
    private final String node;
    private final DurableEventLog events;
    private final Clock clock;
    private final Duration jobInterval;
    private final Thread starter;
    private final ScheduledExecutorService jobs = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("database-jobs").daemon(true).unstarted(r));
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile boolean closed;
    private volatile EmbeddedPostgresServer server;
    private volatile HikariDataSource pool;
    private volatile PartitionJob job;
    private volatile String description;
    private volatile DatabaseReport report;
    private volatile String reportError;
    private final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();

    private Database(DatabaseConfig config, String node, DurableEventLog events, Clock clock, Duration jobInterval) {
        this.config = config;
        this.jobInterval = jobInterval;
        this.node = node;
        this.events = events;
        this.clock = clock;
        this.description = switch (config.target()) {
            case DatabaseConfig.Embedded e -> "embedded PostgreSQL in " + e.directory();
            case DatabaseConfig.External x -> "PostgreSQL at " + x.address() + ", database " + x.database()
                    + ", user " + x.user();
            case DatabaseConfig.Disabled d -> "none";
        };
        this.starter = Thread.ofPlatform().name("database-start").daemon(true).unstarted(this::bringUp);
    }

    /**
     * Starts bringing the database up in the background and returns at once.
     *
     * @throws IllegalArgumentException when the config has the store disabled
     */
    public static Database start(DatabaseConfig config, String node, DurableEventLog events) {
        return start(config, node, events, Clock.systemUTC(), JOB_INTERVAL);
    }

    static Database start(DatabaseConfig config, String node, DurableEventLog events, Clock clock,
                          Duration jobInterval) {
        if (config.target() instanceof DatabaseConfig.Disabled) {
            throw new IllegalArgumentException("database: disabled in the config; no Database to start");
        }
        Database d = new Database(config, node, events, clock, jobInterval);
        d.starter.start();
        return d;
    }

    private void bringUp() {
        long backoff = MIN_BACKOFF.toMillis();
        while (!closed) {
            try {
                attempts.incrementAndGet();
                connect();
                return;
            } catch (Exception e) {
                closePool();
                if (closed) {
                    return;
                }
                events.storeUnavailable(describe(e));
                log.debug("database start failed", e);
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    private void connect() throws Exception {
        String url;
        String user;
        String password;
        switch (config.target()) {
            case DatabaseConfig.Embedded e -> {
                if (server == null) {
                    long t0 = System.nanoTime();
                    EmbeddedPostgresServer started = EmbeddedPostgresServer.start(e.directory());
                    if (closed) {
                        started.close(); // the node stopped while this one was starting
                        return;
                    }
                    server = started;
                    log.info("embedded PostgreSQL started in {} ms on 127.0.0.1:{} (data in {})",
                            (System.nanoTime() - t0) / 1_000_000, server.port(), e.directory().resolve("data"));
                }
                if (closed) {
                    return;
                }
                url = server.jdbcUrl();
                user = EmbeddedPostgresServer.USER;
                password = server.password();
            }
            case DatabaseConfig.External x -> {
                String host = x.address().host().contains(":") ? "[" + x.address().host() + "]" : x.address().host();
                url = "jdbc:postgresql://" + host + ":" + x.address().port() + "/" + x.database();
                user = x.user();
                password = x.password().orElse(null);
            }
            case DatabaseConfig.Disabled d -> throw new IllegalStateException("disabled");
        }
        // One plain connection first: its failure (refused, wrong password, no such database) is ours to describe in
        // one line, where the pool would log a stack trace per attempt.
        org.postgresql.ds.PGSimpleDataSource probe = new org.postgresql.ds.PGSimpleDataSource();
        probe.setURL(url);
        probe.setUser(user);
        probe.setPassword(password);
        probe.setConnectTimeout(5);
        probe.setSocketTimeout(30);
        probe.getConnection().close();
        HikariConfig hc = new HikariConfig();
        hc.setInitializationFailTimeout(-1);
        hc.setPoolName("foss-events");
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(5_000);
        hc.setValidationTimeout(2_000);
        hc.addDataSourceProperty("connectTimeout", "5");
        hc.addDataSourceProperty("socketTimeout", "60");
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("ApplicationName", "foss-infra " + node);
        pool = new HikariDataSource(hc);
        Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        String version;
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            if (server != null) {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            }
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version')")) {
                rs.next();
                version = rs.getString(1);
            }
        }
        if (server != null) {
            description = "embedded PostgreSQL " + version + " on 127.0.0.1:" + server.port() + ", data in "
                    + server.directory().resolve("data");
        } else {
            description = description.replaceFirst("^PostgreSQL", "PostgreSQL " + version);
        }
        job = new PartitionJob(pool, JobLock.advisory(pool), config.retention(), clock, events, node);
        runJob();
        long every = jobInterval.toMillis();
        jobs.scheduleAtFixedRate(this::runJob, every, every, TimeUnit.MILLISECONDS);
        events.attach(new PostgresEventStore(pool, config.retention(), clock, this::describe), description);
        ready.countDown();
    }

    private void runJob() {
        PartitionJob j = job;
        if (j == null || closed) {
            return;
        }
        try {
            j.run();
        } catch (Exception e) {
            log.warn("partition job failed: {}; it runs again in an hour (inserts make the partition they need"
                    + " meanwhile)", describe(e));
        }
    }

    /** The sentence for a failure, naming this database. */
    String describe(Throwable e) {
        if (e instanceof StoreException) {
            return e.getMessage();
        }
        return switch (config.target()) {
            case DatabaseConfig.Embedded em -> e instanceof java.io.IOException ? e.getMessage()
                    : PgErrors.describe(e, "the embedded PostgreSQL" + (server == null ? "" : " (127.0.0.1:"
                    + server.port() + ")"), EmbeddedPostgresServer.USER, EmbeddedPostgresServer.DATABASE);
            case DatabaseConfig.External x -> PgErrors.describe(e, "PostgreSQL at " + x.address(), x.user(),
                    x.database());
            case DatabaseConfig.Disabled d -> String.valueOf(e.getMessage());
        };
    }

    /** Which PostgreSQL this is, for people. */
    public String description() {
        return description;
    }

    public boolean embedded() {
        return config.target() instanceof DatabaseConfig.Embedded;
    }

    public StoreStatus status() {
        return events.storeStatus();
    }

    public DurableEventLog.Stats stats() {
        return events.stats();
    }

    public DatabaseConfig config() {
        return config;
    }

    /** How many times the node has tried to bring the database up (1 when the first try worked). */
    int attempts() {
        return attempts.get();
    }

    /** Waits until the store is attached; false on timeout. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The pool, once connected (tests, the benchmark). */
    public Optional<DataSource> dataSource() {
        return Optional.ofNullable(pool);
    }

    /** Runs the partition job now (tests and operators); empty before the database is up. */
    public Optional<PartitionJob.Result> runPartitionJob() throws Exception {
        PartitionJob j = job;
        return j == null ? Optional.empty() : Optional.of(j.run());
    }

    /**
     * The latest analysis for the Database page, without waiting: empty until the first one is read. A report older
     * than {@link #REPORT_MAX_AGE} is refreshed in the background, so a slow database never holds up a page.
     */
    public Optional<DatabaseReport> report() {
        DatabaseReport r = report;
        boolean stale = r == null || r.at().plus(REPORT_MAX_AGE).isBefore(java.time.Instant.now());
        if (stale && pool != null && !closed && refreshing.compareAndSet(false, true)) {
            jobs.execute(() -> {
                try (Connection c = pool.getConnection()) {
                    report = DatabaseAnalysis.read(c);
                    reportError = null;
                } catch (SQLException | RuntimeException e) {
                    reportError = describe(e);
                } finally {
                    refreshing.set(false);
                }
            });
        }
        return Optional.ofNullable(r);
    }

    /** Why the last analysis failed, if it did. */
    public Optional<String> reportError() {
        return Optional.ofNullable(reportError);
    }

    /**
     * Stops the jobs, closes the pool and stops the embedded server. Close the event log first, so that it can write
     * what it holds. Waits up to {@link #CLOSE_WAIT} for a start in progress ({@link #CLOSE_WAIT_EMBEDDED_START} for
     * an embedded server, which the start then stops).
     */
    @Override
    public void close() {
        closed = true;
        closing.countDown();
        jobs.shutdownNow();
        try {
            starter.join(CLOSE_WAIT.toMillis());
            if (starter.isAlive() && config.target() instanceof DatabaseConfig.Embedded) {
                log.info("waiting for the embedded PostgreSQL to finish starting, so that it can be stopped cleanly");
                starter.join(CLOSE_WAIT_EMBEDDED_START.minus(CLOSE_WAIT).toMillis());
            }
            if (starter.isAlive()) {
                log.warn("the database start still runs after {} s; stopping without waiting for it",
                        (config.target() instanceof DatabaseConfig.Embedded ? CLOSE_WAIT_EMBEDDED_START : CLOSE_WAIT)
                                .toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closePool();
        EmbeddedPostgresServer s = server;
        if (s != null) {
            s.close();
            server = null;
        }
    }

    private void closePool() {
        HikariDataSource p = pool;
        pool = null;
        if (p != null) {
            p.close();
        }
    }

    /** Waits out a backoff, or less when the node closes. */
    private void sleep(long millis) {
        try {
            closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
