package org.fossinfra.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.fossinfra.config.ServiceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The tcp check: a port that accepts is up, a closed one is refused. */
class TcpServiceCheckTest {
    private ServiceProbe probe;

    @BeforeEach
    void start() {
        probe = new ServiceProbe();
    }

    @AfterEach
    void stop() throws Exception {
        probe.close();
    }

    private static ServiceConfig tcp(int port) throws Exception {
        return ServiceProbe.service("""
                services:
                  - name: port
                    type: tcp
                    address: 127.0.0.1:%d
                    interval: 10s
                    timeout: 5s
                    degraded-after: 4s
                """.formatted(port), Map.of());
    }

    @Test
    void listeningPortIsHealthy() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ServiceStatus s = probe.firstCheck(tcp(server.getLocalPort()));
            assertThat(s.state()).isEqualTo(ServiceState.HEALTHY);
            assertThat(s.lastResult()).matches("connected in \\d+ ms");
            assertThat(s.target()).isEqualTo("127.0.0.1:" + server.getLocalPort());
        }
    }

    @Test
    void closedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ServiceStatus s = probe.firstCheck(tcp(port));
        assertThat(s.state()).isEqualTo(ServiceState.DEGRADED);
        assertThat(s.lastError()).hasValue("connection refused");
    }
}
