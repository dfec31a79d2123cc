package org.fossinfra.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import org.fossinfra.config.ServiceConfig;
import org.fossinfra.testing.services.RealServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The postgres check against the real PostgreSQL that ./run-tests starts: SELECT 1 with password login. */
class PostgresServiceCheckTest {
    private Map<String, String> env;
    private ServiceProbe probe;

    @BeforeEach
    void start() {
        env = new HashMap<>(RealServices.postgres());
        probe = new ServiceProbe();
    }

    @AfterEach
    void stop() throws Exception {
        probe.close();
    }

    /** A postgres service with a generous time budget: the first SCRAM login of a fresh JVM is slow. */
    private ServiceConfig pg(String url, String password) throws Exception {
        env.put("URL", url);
        env.put("PASSWORD", password);
        return ServiceProbe.service("""
                services:
                  - name: db
                    type: postgres
                    url: ${URL}
                    password: ${PASSWORD}
                    interval: 10s
                    timeout: 5s
                    degraded-after: 4s
                """, env);
    }

    @Test
    void selectOneWithTheRightPasswordIsHealthy() throws Exception {
        ServiceStatus s = probe.firstCheck(pg(env.get("FOSS_TEST_PG_URL"), env.get("FOSS_TEST_PG_PASSWORD")));
        assertThat(s.state()).isEqualTo(ServiceState.HEALTHY);
        assertThat(s.lastResult()).matches("SELECT 1 in \\d+ ms");
        assertThat(s.lastError()).isEmpty();
        assertThat(s.type()).isEqualTo("postgres");
        assertThat(s.target()).isEqualTo(env.get("FOSS_TEST_PG_URL"));
        assertThat(probe.serviceEvents("db")).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("service.healthy");
            assertThat(e.actor()).isEqualTo("health-check");
            assertThat(e.message()).startsWith("service db (postgres " + env.get("FOSS_TEST_PG_URL") + ") is HEALTHY: SELECT 1 in ");
        });
    }

    @Test
    void wrongPasswordSaysAuthenticationFailedAndNeverShowsThePassword() throws Exception {
        String wrong = "not-the-password-42";
        ServiceStatus s = probe.firstCheck(pg(env.get("FOSS_TEST_PG_URL"), wrong));
        assertThat(s.state()).isEqualTo(ServiceState.DEGRADED);
        assertThat(s.lastError()).hasValue("password authentication failed for user \"foss_test\"");
        assertThat(s.toString()).doesNotContain(wrong).doesNotContain(env.get("FOSS_TEST_PG_PASSWORD"));
        assertThat(probe.serviceEvents("db")).singleElement()
                .satisfies(e -> assertThat(e.message() + e.data()).doesNotContain(wrong));
    }

    @Test
    void missingDatabaseIsNamedByTheServer() throws Exception {
        String url = env.get("FOSS_TEST_PG_URL").replaceAll("/foss_test$", "/no_such_db");
        ServiceStatus s = probe.firstCheck(pg(url, env.get("FOSS_TEST_PG_PASSWORD")));
        assertThat(s.lastError()).hasValue("database \"no_such_db\" does not exist");
    }

    @Test
    void nothingListeningIsConnectionRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ServiceStatus s = probe.firstCheck(pg("postgresql://foss_test@127.0.0.1:" + port + "/foss_test", "x"));
        assertThat(s.state()).isEqualTo(ServiceState.DEGRADED);
        assertThat(s.lastError()).hasValue("connection refused");
        assertThat(s.latencyMs()).isLessThan(2000);
    }

    @Test
    void serverThatAcceptsButNeverAnswersTimesOut() throws Exception {
        // The kernel completes the handshake for the backlog; nobody ever reads or writes.
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            env.put("URL", "postgresql://foss_test@127.0.0.1:" + blackHole.getLocalPort() + "/foss_test");
            ServiceConfig c = ServiceProbe.service("""
                    services:
                      - name: db
                        type: postgres
                        url: ${URL}
                        interval: 2s
                        timeout: 300ms
                    """, env);
            ServiceStatus s = probe.firstCheck(c);
            assertThat(s.lastError()).hasValue("timeout after 300 ms");
            assertThat(s.latencyMs()).isBetween(300L, 2000L);
        }
    }
}
