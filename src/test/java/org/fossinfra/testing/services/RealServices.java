package org.fossinfra.testing.services;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;

/**
 * Where the real PostgreSQL and Redis of this test run are: scripts/test-services.sh (sourced by ./run-tests) starts
 * them on loopback and exports their coordinates. A test that needs one and finds no variable fails, never skips: the
 * message says to run ./run-tests.
 */
public final class RealServices {
    private RealServices() {
    }

    /** The value of {@code name}, or a failed test that says how to get it. */
    public static String require(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            fail(name + " is not set: this test checks a real service, which scripts/test-services.sh starts and"
                    + " describes in FOSS_TEST_* variables; run the tests with ./run-tests (e.g. ./run-tests"
                    + " -Dtest='org.fossinfra.health.**'), not with mvn alone");
        }
        return value;
    }

    /** Every FOSS_TEST_PG_* variable, for ${...} in a test config; fails the test when one is missing. */
    public static Map<String, String> postgres() {
        return Map.of("FOSS_TEST_PG_URL", require("FOSS_TEST_PG_URL"),
                "FOSS_TEST_PG_PASSWORD", require("FOSS_TEST_PG_PASSWORD"),
                "FOSS_TEST_PG_USER", require("FOSS_TEST_PG_USER"),
                "FOSS_TEST_PG_HOST", require("FOSS_TEST_PG_HOST"),
                "FOSS_TEST_PG_PORT", require("FOSS_TEST_PG_PORT"),
                "FOSS_TEST_PG_DATABASE", require("FOSS_TEST_PG_DATABASE"));
    }

    /** Every FOSS_TEST_REDIS_* variable; fails the test when one is missing. */
    public static Map<String, String> redis() {
        return Map.of("FOSS_TEST_REDIS_ADDRESS", require("FOSS_TEST_REDIS_ADDRESS"),
                "FOSS_TEST_REDIS_AUTH_ADDRESS", require("FOSS_TEST_REDIS_AUTH_ADDRESS"),
                "FOSS_TEST_REDIS_PASSWORD", require("FOSS_TEST_REDIS_PASSWORD"));
    }
}
