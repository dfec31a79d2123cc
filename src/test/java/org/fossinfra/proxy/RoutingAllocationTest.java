package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.config.FrontendConfig;
import org.junit.jupiter.api.Test;

/**
 * The per-request work this package adds before a request is forwarded (its normal path, its client, the forwarded
 * fields' plan, the route) allocates nothing for an ordinary request: a normal path from a client that is not a proxy.
 * Measured with the JVM's per-thread allocation counter over many requests, in a pooled direct buffer as on the wire.
 * The first round loads classes; any round after it must stay under one byte a request, which a single allocation per
 * request (16 bytes at least) could not.
 */
class RoutingAllocationTest {
    private static final int REQUESTS = 100_000;

    @Test
    void anOrdinaryRequestIsRoutedWithoutAllocating() throws Exception {
        FrontendConfig fe = ConfigLoader.parse("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    trusted-proxies: [10.0.0.0/8]
                    routes:
                      - { backend: matrix, when: { path-prefix: [/_matrix, /_synapse] } }
                      - { backend: api, when: { path-prefix: /api, header: X-Canary } }
                      - { backend: api, when: { path-prefix: /api } }
                    default-backend: web
                backends:
                  - { name: matrix, servers: [{ name: s, address: "127.0.0.1:1" }] }
                  - { name: api, servers: [{ name: s, address: "127.0.0.1:1" }] }
                  - { name: web, servers: [{ name: s, address: "127.0.0.1:1" }] }
                """, "t.yaml", Map.of()).frontends().getFirst();
        Router<String> router = new Router<>(fe, Map.of("matrix", "matrix", "api", "api", "web", "web"));
        ForwardedHeaders forwarded = new ForwardedHeaders(fe);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
        buf.writeBytes(("GET /api/users/7?page=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n"
                + "X-Forwarded-For: 203.0.113.9\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        RequestHead req = new RequestHead(FrontendConfig.Limits.DEFAULTS);
        RequestPath path = new RequestPath();
        ClientAddress client = new ClientAddress();
        client.onConnect(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 40000));
        ForwardedHeaders.Plan plan = new ForwardedHeaders.Plan();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try {
            long[] allocated = new long[3];
            for (int round = 0; round < allocated.length; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < REQUESTS; i++) {
                    req.reset();
                    req.parse(buf);
                    path.parse(req, buf, buf.readerIndex());
                    client.onRequest(forwarded.trustedProxies, req, buf, buf.readerIndex());
                    forwarded.plan(plan, client, req);
                    if (router.route(req, path, buf, buf.readerIndex()) != "api") {
                        throw new AssertionError("routed elsewhere");
                    }
                }
                allocated[round] = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertThat(allocated[1]).as("bytes allocated by %d requests, after a first round of %d", REQUESTS,
                    allocated[0]).isLessThan(REQUESTS);
            assertThat(allocated[2]).as("bytes allocated by %d requests, third round", REQUESTS).isLessThan(REQUESTS);
            assertThat(plan.forwardedFor).asString(StandardCharsets.ISO_8859_1).isEqualTo("192.0.2.7");
        } finally {
            buf.release();
        }
    }
}
