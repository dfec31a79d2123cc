package org.fossinfra.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's open-file limit and what it leaves for client connections. Every client connection is a
 * descriptor, and so is every server connection, listener, log and jar; when the limit is reached {@code accept}
 * fails and clients wait in the kernel's queue with no answer. Keeping client connections {@value #RESERVE} below
 * the limit lets the proxy accept the excess and answer 503 at once. Server connections count against the same
 * budget (ProxyServer admits a client only while clients and servers together stay within it), so the reserve is
 * for listeners, files and the JVM.
 */
final class OpenFiles {
    /** Descriptors kept for listeners, files (the jars, logs, the journal) and the JVM. */
    static final int RESERVE = 512;

    private OpenFiles() {
    }

    /** The soft limit from /proc/self/limits, or -1 when unknown (not Linux). */
    static long softLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    /** The most client connections to hold at once: the soft limit less {@link #RESERVE}, at least 64. */
    static int clientConnectionBudget() {
        long limit = softLimit();
        if (limit < 0 || limit > Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(64, limit - RESERVE);
    }
}
