package org.fossinfra.testing.services;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.fossinfra.config.DatabaseConfig;
import org.fossinfra.config.HostPort;

/**
 * A fresh database on the test run's external PostgreSQL (FOSS_TEST_PG_*, see scripts/test-services.sh), one per
 * test, dropped afterwards, so that tests which make and drop partitions or race migrations never see each other's
 * tables. The test user owns it (it has CREATEDB).
 */
public final class TestDatabases implements AutoCloseable {
    public final String name;

    private TestDatabases(String name) {
        this.name = name;
    }

    public static TestDatabases create(String purpose) throws SQLException {
        String name = ("foss_" + purpose + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL))
                .toLowerCase(Locale.ROOT);
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " OWNER " + TestStores.env("FOSS_TEST_PG_USER"));
        }
        return new TestDatabases(name);
    }

    /** The test user on the test run's own database (foss_test), for CREATE and DROP DATABASE. */
    public static Connection admin() throws SQLException {
        return DriverManager.getConnection(url(TestStores.env("FOSS_TEST_PG_DATABASE")),
                TestStores.env("FOSS_TEST_PG_USER"), TestStores.env("FOSS_TEST_PG_PASSWORD"));
    }

    public static String url(String database) {
        return "jdbc:postgresql://" + TestStores.env("FOSS_TEST_PG_HOST") + ":" + TestStores.env("FOSS_TEST_PG_PORT")
                + "/" + database;
    }

    public static HostPort address() {
        return new HostPort(TestStores.env("FOSS_TEST_PG_HOST"), Integer.parseInt(TestStores.env("FOSS_TEST_PG_PORT")));
    }

    /** This database as the test user, with its real password. */
    public DatabaseConfig.External owner() {
        return new DatabaseConfig.External(address(), name, TestStores.env("FOSS_TEST_PG_USER"),
                Optional.of(TestStores.env("FOSS_TEST_PG_PASSWORD")));
    }

    /** This database as {@code user} with {@code password}. */
    public DatabaseConfig.External as(String user, String password) {
        return new DatabaseConfig.External(address(), name, user, Optional.ofNullable(password));
    }

    /** A connection as the owner. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(name), TestStores.env("FOSS_TEST_PG_USER"),
                TestStores.env("FOSS_TEST_PG_PASSWORD"));
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
