package org.fossinfra.config;

import java.util.List;
import java.util.Optional;
import org.fossinfra.balance.Algorithm;

/**
 * A pool of servers and how requests are spread over it.
 *
 * @param name        unique among backends
 * @param balance     the balancing algorithm
 * @param servers     primaries and backups in file order (at least one)
 * @param healthCheck the active check, or empty for none (servers are then always considered up)
 * @param retries     how many more connection attempts after a failed connect
 * @param redispatch  whether a retry may go to another server
 * @param queueSize   most requests waiting for a free slot when every server is at maxconn (503 beyond)
 * @param pool        idle connection pool towards the servers
 * @param timeouts    resolved timeouts (connect, server, queue and tunnel apply here)
 * @param rateLimits  names of the rate-limit rules checked for every request routed here, in order, before a server
 *                    is chosen
 * @param line        line of the backend in the config file, for messages
 */
public record BackendConfig(String name, Algorithm balance, List<ServerConfig> servers,
                            Optional<HealthCheckConfig> healthCheck, int retries, boolean redispatch, int queueSize,
                            PoolConfig pool, Timeouts timeouts, List<String> rateLimits, int line) {
    public BackendConfig {
        servers = List.copyOf(servers);
        rateLimits = List.copyOf(rateLimits);
    }

    /**
     * @param name    unique within its backend
     * @param address where to connect
     * @param weight  0..256; 0 takes no new traffic
     * @param maxconn concurrent requests sent to it (0 = unlimited); beyond, requests queue
     * @param backup  takes traffic only when every primary is down
     */
    public record ServerConfig(String name, HostPort address, int weight, int maxconn, boolean backup, int line) {
    }

    /**
     * @param maxIdlePerServer idle keep-alive connections kept per server and per event loop. The default is the
     *                         largest allowed: a pool never holds more than were busy at once, and idle ones close
     *                         after {@code idleTimeout}; a small cap instead makes every request above it open and
     *                         close a server connection (at 256 concurrent requests a cap of 64 cut throughput 30-fold
     *                         on loopback, from connect churn and TIME_WAIT)
     * @param idleTimeout      an idle pooled connection is closed after this long
     */
    public record PoolConfig(int maxIdlePerServer, java.time.Duration idleTimeout) {
        public static final PoolConfig DEFAULTS = new PoolConfig(10_000, java.time.Duration.ofSeconds(30));
    }
}
