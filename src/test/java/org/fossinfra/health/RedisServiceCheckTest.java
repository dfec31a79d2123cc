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

/** The redis check against the two real Redis servers ./run-tests starts: one open, one with requirepass. */
class RedisServiceCheckTest {
    private Map<String, String> env;
    private ServiceProbe probe;

    @BeforeEach
    void start() {
        env = new HashMap<>(RealServices.redis());
        probe = new ServiceProbe();
    }

    @AfterEach
    void stop() throws Exception {
        probe.close();
    }

    private ServiceConfig redis(String address, String passwordLine) throws Exception {
        env.put("ADDRESS", address);
        return ServiceProbe.service("""
                services:
                  - name: cache
                    type: redis
                    address: ${ADDRESS}
                    %s
                    interval: 10s
                    timeout: 5s
                    degraded-after: 4s
                """.formatted(passwordLine), env);
    }

    @Test
    void pingWithoutPasswordIsHealthy() throws Exception {
        ServiceStatus s = probe.firstCheck(redis(env.get("FOSS_TEST_REDIS_ADDRESS"), ""));
        assertThat(s.state()).isEqualTo(ServiceState.HEALTHY);
        assertThat(s.lastResult()).matches("PONG in \\d+ ms");
        assertThat(s.target()).isEqualTo("redis://" + env.get("FOSS_TEST_REDIS_ADDRESS"));
    }

    @Test
    void pingAfterAuthWithTheRightPasswordIsHealthy() throws Exception {
        ServiceStatus s = probe.firstCheck(redis(env.get("FOSS_TEST_REDIS_AUTH_ADDRESS"),
                "password: ${FOSS_TEST_REDIS_PASSWORD}"));
        assertThat(s.state()).isEqualTo(ServiceState.HEALTHY);
        assertThat(s.lastResult()).matches("PONG in \\d+ ms");
    }

    @Test
    void wrongPasswordSaysAuthenticationFailed() throws Exception {
        ServiceStatus s = probe.firstCheck(redis(env.get("FOSS_TEST_REDIS_AUTH_ADDRESS"), "password: wrong-one-123"));
        assertThat(s.state()).isEqualTo(ServiceState.DEGRADED);
        assertThat(s.lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("authentication failed: WRONGPASS"));
        assertThat(s.toString()).doesNotContain("wrong-one-123");
    }

    @Test
    void missingPasswordSaysAuthenticationIsRequired() throws Exception {
        ServiceStatus s = probe.firstCheck(redis(env.get("FOSS_TEST_REDIS_AUTH_ADDRESS"), ""));
        assertThat(s.lastError()).hasValueSatisfying(e ->
                assertThat(e).startsWith("authentication required (no password is configured): NOAUTH"));
    }

    @Test
    void nothingListeningIsConnectionRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ServiceStatus s = probe.firstCheck(redis("127.0.0.1:" + port, ""));
        assertThat(s.lastError()).hasValue("connection refused");
    }
}
