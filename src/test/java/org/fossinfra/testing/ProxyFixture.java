package org.fossinfra.testing;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.fossinfra.app.Node;
import org.fossinfra.balance.Server;
import org.fossinfra.config.Config;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.proxy.BackendRuntime;
import org.fossinfra.proxy.ProxyServer;

/**
 * A running proxy for a scenario test: its own Vert.x (the node's options: one event loop per core, native
 * transport) and a {@link ProxyServer} applying a YAML config, in which {@code ${VAR}} placeholders are filled from a
 * map, e.g. {@code ${A}} with a {@link FakeServer} (whose text is its address) or a port.
 *
 * <p>Each fixture owns its Vert.x, so that nothing a test leaves behind (pooled connections, timers) reaches the next.
 */
public final class ProxyFixture implements AutoCloseable {
    private static final long APPLY_SECONDS = 10;

    private final Vertx vertx;
    private final ProxyServer proxy;
    private final Map<String, String> vars = new HashMap<>();

    private ProxyFixture(Vertx vertx, ProxyServer proxy) {
        this.vertx = vertx;
        this.proxy = proxy;
    }

    /**
     * Starts a proxy serving {@code yaml}.
     *
     * @param vars values for {@code ${NAME}} placeholders, turned to text with {@code String.valueOf}
     */
    public static ProxyFixture start(String yaml, Map<String, ?> vars) throws Exception {
        return start(yaml, vars, Integer.MAX_VALUE);
    }

    /** As {@link #start(String, Map)}, holding at most {@code maxClientConnections} client connections. */
    public static ProxyFixture start(String yaml, Map<String, ?> vars, int maxClientConnections) throws Exception {
        return start(yaml, vars, maxClientConnections, Integer.MAX_VALUE);
    }

    /**
     * As {@link #start(String, Map)}, holding at most {@code maxClientConnections} client connections and
     * {@code descriptorBudget} client and server connections together.
     */
    public static ProxyFixture start(String yaml, Map<String, ?> vars, int maxClientConnections, int descriptorBudget)
            throws Exception {
        Vertx vertx = Vertx.vertx(Node.vertxOptions());
        ProxyFixture f = new ProxyFixture(vertx, new ProxyServer(vertx, maxClientConnections, descriptorBudget));
        try {
            f.reload(yaml, vars);
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
        return f;
    }

    public static ProxyFixture start(String yaml) throws Exception {
        return start(yaml, Map.of());
    }

    /** Parses {@code yaml} with the fixture's variables (and {@code more}) without applying it. */
    public Config parse(String yaml, Map<String, ?> more) throws Exception {
        Map<String, String> env = new HashMap<>(vars);
        more.forEach((k, v) -> env.put(k, String.valueOf(v)));
        return ConfigLoader.parse(yaml, "test.yaml", env);
    }

    /**
     * Applies a new config (the variables given so far still apply).
     *
     * @throws java.util.concurrent.ExecutionException when the proxy refused it (e.g. a listener can't bind)
     */
    public void reload(String yaml) throws Exception {
        reload(yaml, Map.of());
    }

    public void reload(String yaml, Map<String, ?> more) throws Exception {
        Config config = parse(yaml, more);
        more.forEach((k, v) -> vars.put(k, String.valueOf(v)));
        proxy.apply(config).get(APPLY_SECONDS, TimeUnit.SECONDS);
    }

    /** The port a frontend listens on. */
    public int port(String frontend) {
        return proxy.boundPort(frontend);
    }

    /** A new raw client connected to {@code frontend}. */
    public RawClient client(String frontend) throws IOException {
        return RawClient.connect(port(frontend));
    }

    public BackendRuntime backend(String name) {
        BackendRuntime b = proxy.backends().get(name);
        if (b == null) {
            throw new IllegalArgumentException("no backend '" + name + "'; there are " + proxy.backends().keySet());
        }
        return b;
    }

    public Server server(String backend, String name) {
        return backend(backend).servers().server(name)
                .orElseThrow(() -> new IllegalArgumentException("no server '" + name + "' in backend '" + backend + "'"));
    }

    public ProxyServer proxy() {
        return proxy;
    }

    public Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } finally {
            try {
                vertx.close().await(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Vert.x did not close within 10s", e);
            }
        }
    }
}
