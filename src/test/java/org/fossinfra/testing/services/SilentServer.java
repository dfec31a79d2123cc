package org.fossinfra.testing.services;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A "Redis" that accepts connections, reads everything and never answers: a hung server or a black-holed link, the
 * case a timeout exists for.
 */
public final class SilentServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    public SilentServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("silent-redis").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.add(s);
                    Thread.ofPlatform().daemon().start(() -> drain(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private static void drain(Socket s) {
        byte[] buf = new byte[4096];
        try (InputStream in = s.getInputStream()) {
            while (in.read(buf) >= 0) {
                // never answer
            }
        } catch (IOException ignored) {
            // closed
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public int connections() {
        return accepted.size();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
    }
}
