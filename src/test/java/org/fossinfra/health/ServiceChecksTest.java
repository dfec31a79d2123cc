package org.fossinfra.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.fossinfra.config.ServiceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Applying service lists as start and reloads do: unchanged services keep their state, others start over or stop. */
class ServiceChecksTest {
    private ServerSocket server;
    private ServiceProbe probe;

    @BeforeEach
    void start() throws Exception {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        probe = new ServiceProbe();
    }

    @AfterEach
    void stop() throws Exception {
        probe.close();
        server.close();
    }

    private List<ServiceConfig> services(String... nameAndInterval) throws Exception {
        StringBuilder yaml = new StringBuilder("services:\n");
        for (int i = 0; i < nameAndInterval.length; i += 2) {
            yaml.append("""
                      - name: %s
                        type: tcp
                        address: 127.0.0.1:%d
                        interval: %s
                        timeout: 100ms
                    """.formatted(nameAndInterval[i], server.getLocalPort(), nameAndInterval[i + 1]));
        }
        return ServiceProbe.services(yaml.toString(), Map.of());
    }

    @Test
    void unchangedServiceKeepsItsChecksAndStateAcrossAReload() throws Exception {
        probe.checks.apply(services("a", "100ms", "b", "100ms"));
        ServiceStatus before = probe.awaitChecks("a", 3);
        assertThat(before.state()).isEqualTo(ServiceState.HEALTHY);

        probe.checks.apply(services("c", "100ms", "a", "100ms"));
        ServiceStatus after = probe.checks.status("a").orElseThrow();
        assertThat(after.counts().checks()).isGreaterThanOrEqualTo(before.counts().checks());
        assertThat(after.lastChangeMillis()).isEqualTo(before.lastChangeMillis());
        assertThat(probe.checks.status("b")).isEmpty();
        assertThat(probe.checks.statuses()).extracting(ServiceStatus::name).containsExactly("c", "a");
        probe.awaitChecks("a", before.counts().checks() + 2);
        assertThat(probe.serviceEvents("a")).hasSize(1);
    }

    @Test
    void changedServiceStartsOver() throws Exception {
        probe.checks.apply(services("a", "100ms"));
        probe.awaitChecks("a", 3);
        probe.checks.apply(services("a", "200ms"));
        ServiceStatus restarted = probe.checks.status("a").orElseThrow();
        assertThat(restarted.state()).isEqualTo(ServiceState.UNKNOWN);
        assertThat(restarted.counts().checks()).isZero();
        assertThat(probe.awaitChecks("a", 1).state()).isEqualTo(ServiceState.HEALTHY);
    }

    @Test
    void removedServiceStopsBeingChecked() throws Exception {
        probe.checks.apply(services("a", "100ms"));
        probe.awaitChecks("a", 2);
        probe.checks.apply(List.of());
        assertThat(probe.checks.statuses()).isEmpty();
        assertThat(probe.checks.names()).isEmpty();
    }

    @Test
    void closeStopsEveryCheck() throws Exception {
        probe.checks.apply(services("a", "100ms"));
        probe.awaitChecks("a", 2);
        probe.checks.close();
        assertThat(probe.checks.statuses()).isEmpty();
    }
}
