package org.fossinfra.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's open-file limit and what it leaves for client connections. Every client connection is a
 * descriptor, and so is every server connection, listener, log and jar; when the limit is reached {@code accept}
 * fails and clients wait in the kernel's queue with no answer. The node's proxy admits a client only while its client
 * and server connections and the process's other descriptors (counted once a second) stay {@value #MARGIN} below the
 * limit, so it can accept the excess and answer 503 at once, and a request always finds a descriptor for its server
 * connection. {@link #clientConnectionBudget} caps client connections alone, {@value #RESERVE} below the limit.
 */
final class OpenFiles {
    /** Descriptors kept for server connections, listeners, files (the jars, logs, the journal) and the JVM. */
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

    /** Kept free below the limit whatever the count says: descriptors opened between two counts. */
    static final int MARGIN = 64;

    /** The open-file limit less {@link #MARGIN}, or {@link Integer#MAX_VALUE} when unknown. */
    static int descriptorLimit() {
        long limit = softLimit();
        if (limit < 0 || limit > Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.max(64, limit - MARGIN);
    }

    /** Descriptors this process has open now (entries of /proc/self/fd), or -1 when unknown. */
    static int openNow() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
