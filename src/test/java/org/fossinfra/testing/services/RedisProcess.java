package org.fossinfra.testing.services;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A redis-server of a test's own (Debian's binary, which scripts/test-services.sh installs), for what the shared
 * servers must not suffer: being stopped and started again. No persistence; gone after {@link #close()}.
 */
public final class RedisProcess implements AutoCloseable {
    private final int port;
    private final Path dir;
    private Process process;

    public RedisProcess(int port) throws IOException {
        this.port = port;
        this.dir = Files.createTempDirectory("foss-test-redis");
    }

    public RedisProcess start() throws Exception {
        process = new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return this;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port + ": "
                + Files.readString(dir.resolve("redis.log")));
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
