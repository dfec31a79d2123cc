package org.fossinfra.health;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.fossinfra.config.Config;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.config.ServiceConfig;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventLog;

/**
 * Runs service checks as the node does (config text, {@link ServiceChecks}, events) for one test, and waits, within a
 * bound, for what they report. {@code vertx} is for the test's own use (a monitor driven by hand); the checks have
 * their own.
 */
final class ServiceProbe implements AutoCloseable {
    /** A valid config without services; tests append a {@code services:} list. */
    static final String BASE = """
            frontends:
              - name: http
                bind: 127.0.0.1:0
                default-backend: web
            backends:
              - name: web
                servers:
                  - name: web1
                    address: 127.0.0.1:1
            """;
    static final Duration WAIT = Duration.ofSeconds(15);

    final Vertx vertx = Vertx.vertx();
    final EventLog events = EventLog.inMemory(1000);
    final ServiceChecks checks = new ServiceChecks(events);

    /** The services of BASE plus {@code servicesYaml} (a {@code services:} block), with {@code ${...}} from env. */
    static List<ServiceConfig> services(String servicesYaml, Map<String, String> env) throws Exception {
        Config c = ConfigLoader.parse(BASE + servicesYaml, "services-test.yaml", env);
        return c.services();
    }

    static ServiceConfig service(String servicesYaml, Map<String, String> env) throws Exception {
        return services(servicesYaml, env).getFirst();
    }

    /** Starts {@code service} alone and returns its status after its first check. */
    ServiceStatus firstCheck(ServiceConfig service) throws InterruptedException {
        checks.apply(List.of(service));
        return awaitChecks(service.name(), 1);
    }

    ServiceStatus awaitChecks(String name, long n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ServiceStatus s = checks.status(name).orElseThrow();
            if (s.counts().checks() >= n) {
                return s;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("service " + name + " was not checked " + n + " time(s) within " + WAIT.toSeconds()
                + " s; status: " + checks.status(name).orElseThrow());
    }

    ServiceStatus awaitState(String name, ServiceState state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ServiceStatus s = checks.status(name).orElseThrow();
            if (s.state() == state) {
                return s;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("service " + name + " did not become " + state + " within " + WAIT.toSeconds()
                + " s; status: " + checks.status(name).orElseThrow());
    }

    /** The service events of {@code name}, oldest first. */
    List<Event> serviceEvents(String name) {
        return events.recent(1000, null).reversed().stream()
                .filter(e -> e.type().startsWith("service.") && e.subject().equals(name))
                .toList();
    }

    @Override
    public void close() throws TimeoutException {
        checks.close();
        vertx.close().await(10, TimeUnit.SECONDS);
    }
}
