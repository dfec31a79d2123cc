package org.fossinfra.cli;

import java.lang.management.ManagementFactory;

/** Start-up timing, from the JVM's own start time. */
final class Startup {
    private Startup() {
    }

    static long millisSinceJvmStart() {
        return System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    }
}
