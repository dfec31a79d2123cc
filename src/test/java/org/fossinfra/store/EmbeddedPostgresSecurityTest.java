package org.fossinfra.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The embedded PostgreSQL asks every connection for the password from its first second: initdb itself writes SCRAM
 * (no "trust" line to be replaced later), so there is no moment, not even during the first start, when a local user
 * could connect as the superuser without it. Checked the way an attacker would: by connecting, over and over, while
 * the server is being made and started.
 */
class EmbeddedPostgresSecurityTest {
    @TempDir
    Path dir;

    /** What the attempts of a would-be intruder came to. */
    private static final class Intruder implements AutoCloseable {
        final AtomicInteger connected = new AtomicInteger();
        /** The server answered and asked for a password it did not get (or refused the one it got). */
        final AtomicInteger refusedByServer = new AtomicInteger();
        final AtomicLong attempts = new AtomicLong();
        final ConcurrentMap<String, String> otherOutcomes = new ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        /** Connects to 127.0.0.1:{@code port} as postgres without a password and with a wrong one, until closed. */
        Intruder(int port) {
            thread = Thread.ofPlatform().daemon().name("intruder").start(() -> {
                int i = 0;
                while (!stop.get()) {
                    attempt(port, i++ % 2 == 0 ? null : "wrong-password");
                }
            });
        }

        private void attempt(int port, String password) {
            attempts.incrementAndGet();
            try (Connection c = dataSource(port, "postgres", password).getConnection()) {
                connected.incrementAndGet();
            } catch (SQLException e) {
                String state = String.valueOf(e.getSQLState());
                if (state.equals("28P01") || state.equals("28000")
                        || (state.equals("08004") && String.valueOf(e.getMessage()).contains("no password was provided"))) {
                    refusedByServer.incrementAndGet();
                } else if (!state.equals("08001")) { // 08001: nothing listens yet
                    otherOutcomes.putIfAbsent(state, String.valueOf(e.getMessage()));
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }

    static PGSimpleDataSource dataSource(int port, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName("postgres");
        ds.setUser(user);
        if (password != null) {
            ds.setPassword(password);
        }
        ds.setConnectTimeout(2);
        ds.setLoginTimeout(5);
        return ds;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Non-comment lines of pg_hba.conf. */
    private List<String> hbaRules() throws IOException {
        return Files.readAllLines(dir.resolve("data/pg_hba.conf"), StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    @Test
    void noConnectionWithoutThePasswordSucceedsAtAnyMomentOfTheFirstStart() throws Exception {
        int port = freePort();
        EmbeddedPostgresServer pg;
        try (Intruder intruder = new Intruder(port)) {
            pg = EmbeddedPostgresServer.start(dir, port);
            try {
                // A few more rounds against the running server, after everything the start does.
                long after = intruder.attempts.get() + 20;
                while (intruder.attempts.get() < after) {
                    Thread.onSpinWait();
                }
            } catch (RuntimeException e) {
                pg.close();
                throw e;
            }
            intruder.close();
            assertThat(intruder.connected.get()).as("connections without the password (of %d attempts)",
                    intruder.attempts.get()).isZero();
            assertThat(intruder.refusedByServer.get()).as("attempts the server itself refused: the intruder really"
                    + " met the server; other outcomes: %s", intruder.otherOutcomes).isPositive();
        }
        try (pg; Connection c = dataSource(port, EmbeddedPostgresServer.USER, pg.password()).getConnection()) {
            assertThat(c.isValid(5)).as("the node's password works").isTrue();
        }
    }

    @Test
    void pgHbaConfAsInitdbWroteItHasNoTrustLine() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir, 0)) {
            assertThat(Files.readString(dir.resolve("data/pg_hba.conf")))
                    .as("the file initdb wrote, not one rewritten after the server started")
                    .contains("# PostgreSQL Client Authentication Configuration File");
            assertThat(hbaRules()).isNotEmpty().allSatisfy(rule -> assertThat(rule).endsWith("scram-sha-256"));
            assertThat(hbaRules()).noneMatch(rule -> rule.contains("trust"));
        }
    }

    @Test
    void aWrongPasswordIsRefusedAndTheRightOneAccepted() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir, 0)) {
            assertThatThrownBy(() -> dataSource(pg.port(), EmbeddedPostgresServer.USER, "not-" + pg.password())
                    .getConnection().close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
            assertThatThrownBy(() -> dataSource(pg.port(), EmbeddedPostgresServer.USER, null).getConnection().close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("no password was provided");
            try (Connection c = dataSource(pg.port(), EmbeddedPostgresServer.USER, pg.password()).getConnection()) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertThat(Files.readString(dir.resolve("password")).strip()).isEqualTo(pg.password());
        }
    }

    @Test
    void aClusterWhosePgHbaConfTrustsIsRefusedBeforeItsServerStarts() throws Exception {
        EmbeddedPostgresServer.start(dir, 0).close();
        // What an older foss-infra left when its first start was cut short, or what a hand edit adds.
        Files.writeString(dir.resolve("data/pg_hba.conf"), "host all all 127.0.0.1/32 trust\n",
                StandardOpenOption.APPEND);
        int port = freePort();
        try (Intruder intruder = new Intruder(port)) {
            assertThatThrownBy(() -> EmbeddedPostgresServer.start(dir, port).close())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(dir.resolve("data/pg_hba.conf").toString())
                    .hasMessageContaining("trust")
                    .hasMessageContaining("scram-sha-256");
            intruder.close();
            assertThat(intruder.connected.get()).isZero();
            assertThat(intruder.refusedByServer.get()).as("the server never started").isZero();
        }
    }

    @Test
    void aLostPasswordFileIsRefusedAtOnceWithTheWayOut() throws Exception {
        EmbeddedPostgresServer.start(dir, 0).close();
        Files.delete(dir.resolve("password"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> EmbeddedPostgresServer.start(dir, 0).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("password").toString())
                .hasMessageContaining("move " + dir.resolve("data"));
        assertThat((System.nanoTime() - t0) / 1_000_000_000).as("seconds to refuse").isLessThan(30);
    }
}
