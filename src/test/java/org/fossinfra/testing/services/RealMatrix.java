package org.fossinfra.testing.services;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The real Synapse of this test run: scripts/test-services.sh (sourced by ./run-tests) installs and starts it on
 * loopback and describes it in FOSS_TEST_MATRIX_* variables. A test that finds a variable missing fails, never skips:
 * the message says to run ./run-tests.
 */
public final class RealMatrix {
    private RealMatrix() {
    }

    public static String require(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            fail(name + " is not set: this test talks to a real Synapse, which scripts/test-services.sh installs,"
                    + " starts and describes in FOSS_TEST_MATRIX_* variables; run the tests with ./run-tests (e.g."
                    + " ./run-tests -Dtest='org.fossinfra.matrix.**'), not with mvn alone");
        }
        return value;
    }

    public static String url() {
        return require("FOSS_TEST_MATRIX_URL");
    }

    public static String serverName() {
        return require("FOSS_TEST_MATRIX_SERVER_NAME");
    }

    public static String botUser() {
        return require("FOSS_TEST_MATRIX_BOT_USER");
    }

    public static String botPassword() {
        return require("FOSS_TEST_MATRIX_BOT_PASSWORD");
    }

    public static SynapseUser ops() throws Exception {
        return SynapseUser.login(url(), require("FOSS_TEST_MATRIX_OPS_USER"), require("FOSS_TEST_MATRIX_OPS_PASSWORD"));
    }

    public static SynapseUser outsider() throws Exception {
        return SynapseUser.login(url(), require("FOSS_TEST_MATRIX_OUTSIDER_USER"),
                require("FOSS_TEST_MATRIX_OUTSIDER_PASSWORD"));
    }

    public static String opsUser() {
        return require("FOSS_TEST_MATRIX_OPS_USER");
    }

    public static String outsiderUser() {
        return require("FOSS_TEST_MATRIX_OUTSIDER_USER");
    }

    /** Stops the homeserver (the process, not just its port) and returns once it is gone. */
    public static void stopHomeserver() throws Exception {
        run(require("FOSS_TEST_MATRIX_STOP"), "stop");
    }

    /** Starts the same homeserver again (same port, same data) and returns once it answers. */
    public static void startHomeserver() throws Exception {
        run(require("FOSS_TEST_MATRIX_START"), "start");
    }

    private static void run(String script, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", script).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the homeserver's " + what + " script (" + script + ") did not finish within 120 s");
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) {
            fail("the homeserver's " + what + " script (" + script + ") failed (exit " + p.exitValue() + "):\n" + out);
        }
    }
}
