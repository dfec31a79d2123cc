package org.fossinfra.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A whole, validated configuration. Instances are only produced by {@link ConfigLoader}, which has already checked
 * every cross reference (route targets exist, names are unique, binds don't collide), so consumers never re-validate.
 *
 * @param source   the file it was read from (used in messages), or a pseudo path for in-memory configs
 * @param node     this node's identity and data directory
 * @param admin    the admin listener, or empty when the config has none
 * @param frontends listeners, in file order
 * @param backends server pools, in file order
 * @param services services watched beside the backends (PostgreSQL, Redis, ...), in file order; may be empty
 * @param redis    the Redis all nodes share (rate-limit counts), or empty to keep them in the process
 * @param rateLimits rate-limit rules, in file order; frontends and backends name the ones they apply
 * @param database where events are persisted (an embedded PostgreSQL unless the file says otherwise)
 * @param matrix   the Matrix ops room (notifications and chat commands), or empty for none
 */
public record Config(Path source, NodeConfig node, Optional<AdminConfig> admin,
                     List<FrontendConfig> frontends, List<BackendConfig> backends, List<ServiceConfig> services,
                     Optional<RedisConfig> redis, List<RateLimitConfig> rateLimits,
                     DatabaseConfig database, Optional<MatrixConfig> matrix) {
    public Config {
        frontends = List.copyOf(frontends);
        backends = List.copyOf(backends);
        services = List.copyOf(services);
        rateLimits = List.copyOf(rateLimits);
    }

    public Optional<RateLimitConfig> rateLimit(String name) {
        return rateLimits.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    public Optional<BackendConfig> backend(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    public Optional<ServiceConfig> service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<FrontendConfig> frontend(String name) {
        return frontends.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}
