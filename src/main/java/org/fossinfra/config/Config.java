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
 */
public record Config(Path source, NodeConfig node, Optional<AdminConfig> admin,
                     List<FrontendConfig> frontends, List<BackendConfig> backends, List<ServiceConfig> services) {
    public Config {
        frontends = List.copyOf(frontends);
        backends = List.copyOf(backends);
        services = List.copyOf(services);
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
