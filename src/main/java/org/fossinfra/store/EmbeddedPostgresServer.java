package org.fossinfra.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL: a real server (the binaries of io.zonky.test.postgres, unpacked from the classpath) that
 * the node starts and stops, with everything under one directory of the node's data directory:
 *
 * <pre>
 *   data/       the cluster; initdb runs only when it has no postgresql.conf, so events survive restarts
 *   password    the superuser's password, made on first start (mode 0600)
 *   server.log  pg_ctl's output; the server's own log is data/log/
 * </pre>
 *
 * <p>The unpacked server (about 40 MB) is a cache shared by every node of the user, in {@link #binaries()}: it is
 * unpacked once per version, under a file lock, not once per data directory.
 *
 * <p>It listens on 127.0.0.1 only, on a free port chosen at each start, with no Unix socket, and asks every connection
 * for the password (SCRAM) from its first second: initdb itself is run with {@code --auth=scram-sha-256} and
 * {@code --pwfile} (the password file above, written before initdb), so pg_hba.conf never holds a "trust" line, not
 * even between initdb and setting a password. (The library's own initdb says {@code -A trust} and then starts the
 * server; a "trust" server on a shared machine lets any local user in as superuser, and a superuser can run programs
 * as the node's user, so setting the password afterwards left a window of a second or so open.) A cluster whose
 * pg_hba.conf says "trust" anyway, left by an older version's first start that was cut short or by a hand edit, is
 * refused before its server starts. Durability is PostgreSQL's default (fsync and synchronous commit on; the library
 * turns both off for tests). pg_stat_statements is preloaded for the Database page.
 *
 * <p>As root, initdb and postgres refuse to run; the library then starts them in a user namespace ({@code unshare
 * -U}), which works wherever unprivileged user namespaces do.
 *
 * <p>Hazard: a node killed with SIGKILL leaves its server running (no shutdown hook runs); the next start finds its
 * {@code postmaster.pid} and stops that server first.
 */
final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("store");
    static final String DATABASE = "foss";
    static final String USER = "postgres";
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(120);

    private final EmbeddedPostgres pg;
    private final String password;
    private final Path directory;

    private EmbeddedPostgresServer(EmbeddedPostgres pg, String password, Path directory) {
        this.pg = pg;
        this.password = password;
        this.directory = directory;
    }

    /** Starts (and on first use creates) the server under {@code directory}. Blocks for seconds: not on an event loop. */
    static EmbeddedPostgresServer start(Path directory) throws IOException, SQLException {
        return start(directory, 0);
    }

    /** As {@link #start(Path)}, on {@code port} (0: a free one), so a test can restart it where clients expect it. */
    static EmbeddedPostgresServer start(Path directory, int port) throws IOException, SQLException {
        Path data = directory.resolve("data");
        Path binaries = binaries();
        Files.createDirectories(binaries);
        Files.createDirectories(data);
        stopOrphan(data);
        boolean fresh = !Files.exists(data.resolve("postgresql.conf"));
        if (fresh) {
            // An initdb cut short (the node stopped or crashed during its first start) left a directory that initdb
            // refuses; it holds no events yet, since the cluster never started.
            wipe(data);
        }
        Optional<String> known = readPassword(directory);
        if (!fresh) {
            // Before the server runs: it must never start with a way in that needs no password.
            refuseTrust(directory, data.resolve("pg_hba.conf"));
            if (known.isEmpty()) {
                throw new IOException("the embedded PostgreSQL in " + directory + " has no password file "
                        + directory.resolve("password") + " (it was deleted or emptied); the server was not started,"
                        + " since only that password lets the node in. Restore the file from a backup, or move "
                        + data + " away to start afresh (its events are then lost)");
            }
        }
        String password = known.orElseGet(EmbeddedPostgresServer::newPassword);
        if (known.isEmpty()) {
            writePassword(directory, password);
        }
        Path serverLog = directory.resolve("server.log");
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(binaries.toFile())
                .setPGStartupWait(STARTUP_WAIT)
                .setPort(port)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(serverLog.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(serverLog.toFile()))
                .setConnectConfig("password", password)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_directories", "''")
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "50")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("logging_collector", "on")
                .setServerConfig("log_directory", "log")
                .setServerConfig("log_filename", "postgresql-%a.log")
                .setServerConfig("log_truncate_on_rotation", "on")
                .setServerConfig("log_rotation_age", "1d")
                .setLocaleConfig("locale", "C")
                // Options of initdb: the library writes each as --key=value after its own "-A trust", and initdb's
                // last --auth wins. The superuser's password comes from the file, never from a command line.
                .setLocaleConfig("auth", "scram-sha-256")
                .setLocaleConfig("pwfile", directory.resolve("password").toString());
        EmbeddedPostgres pg;
        try {
            pg = b.start();
        } catch (IOException | RuntimeException e) {
            throw new IOException("the embedded PostgreSQL in " + directory + " did not start: " + reason(e, directory)
                    + "; see " + serverLog + " and " + data.resolve("log"), e);
        }
        EmbeddedPostgresServer s = new EmbeddedPostgresServer(pg, password, directory);
        try {
            s.createDatabase();
        } catch (SQLException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private static String reason(Throwable e, Path directory) {
        String m = e.getMessage();
        if (m != null && m.contains("could not lock")) {
            return "another process uses it (is a second node running with the same data-dir?)";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            if (root instanceof SQLException sql && "28P01".equals(sql.getSQLState())) {
                return "it refuses the node's password: the file " + directory.resolve("password") + " was changed"
                        + " or replaced; restore it, or move " + directory.resolve("data") + " away to start afresh"
                        + " (its events are then lost)";
            }
        }
        return root == e ? String.valueOf(m) : m + " (" + root.getMessage() + ")";
    }

    /**
     * Refuses a pg_hba.conf with a "trust" rule: foss-infra's initdb never writes one, so it comes from an older
     * version whose first start was cut short before it set the password (that cluster never held an event), or from
     * a hand edit.
     */
    static void refuseTrust(Path directory, Path hba) throws IOException {
        if (!Files.exists(hba)) {
            return;
        }
        List<String> lines = Files.readAllLines(hba, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String rule = lines.get(i).replaceFirst("#.*", "").strip();
            if (List.of(rule.split("\\s+")).contains("trust")) {
                throw new IOException(hba + ":" + (i + 1) + " lets connections in without a password ('" + rule
                        + "'), which foss-infra never writes; the embedded PostgreSQL in " + directory + " was not"
                        + " started. If you added the line, replace trust with scram-sha-256 (the node's password is in "
                        + directory.resolve("password") + "). If an older foss-infra's first start was cut short, the"
                        + " cluster holds no events yet: move " + directory.resolve("data") + " away and start again");
            }
        }
    }

    /** Creates the node's database on the first start; the superuser's password was set by initdb. */
    private void createDatabase() throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + DATABASE);
                }
            }
        }
    }

    Connection connect(String database) throws SQLException {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {pg.getPort()});
        ds.setDatabaseName(database);
        ds.setUser(USER);
        ds.setPassword(password);
        return ds.getConnection();
    }

    int port() {
        return pg.getPort();
    }

    String password() {
        return password;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + DATABASE;
    }

    Path directory() {
        return directory;
    }

    /** Stops the server ({@code pg_ctl stop -m fast}): open transactions roll back, committed ones are on disk. */
    @Override
    public void close() {
        try {
            pg.close();
        } catch (IOException e) {
            log.warn("embedded PostgreSQL in {}: stopping failed: {}", directory, e.toString());
        }
    }

    /**
     * Where the server is unpacked: {@code $FOSS_PG_BINARIES}, else {@code $XDG_CACHE_HOME/foss-infra/postgres}, else
     * {@code ~/.cache/foss-infra/postgres} (not /tmp, which cleaners empty under a running node).
     */
    static Path binaries() {
        String explicit = System.getenv("FOSS_PG_BINARIES");
        if (explicit != null && !explicit.isEmpty()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("foss-infra").resolve("postgres");
    }

    private static void wipe(Path data) throws IOException {
        try (var files = Files.walk(data)) {
            List<Path> all = files.sorted(java.util.Comparator.reverseOrder()).toList();
            for (Path p : all) {
                if (!p.equals(data)) {
                    Files.delete(p);
                }
            }
        }
    }

    private static Optional<String> readPassword(Path directory) throws IOException {
        Path p = directory.resolve("password");
        if (!Files.exists(p)) {
            return Optional.empty();
        }
        String s = Files.readString(p, StandardCharsets.US_ASCII).trim();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static void writePassword(Path directory, String password) throws IOException {
        Path p = directory.resolve("password");
        Path tmp = directory.resolve("password.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, password + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** 24 random bytes as hex: 192 bits. */
    private static String newPassword() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * A server left running by a node that was killed: its pid is the first line of {@code postmaster.pid}. It is
     * asked to stop fast (SIGINT) and given 60 s; a stale file whose pid is gone or is not a postgres is left to
     * pg_ctl, which ignores it.
     */
    private static void stopOrphan(Path data) {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.US_ASCII).getFirst().trim());
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isEmpty() || p.get().info().command().map(c -> !c.endsWith("postgres")).orElse(true)) {
                return;
            }
            log.warn("embedded PostgreSQL in {} is still running (pid {}) from a node that did not stop cleanly;"
                    + " stopping it first", data, pid);
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (p.get().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("reading {} failed: {}", pidFile, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
