package org.fossinfra.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code foss-infra}: the entry point. Logging is set up before anything else loads a logger. */
@Command(name = "foss-infra",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Load balancer, health checks and admin API in one process per node.",
        subcommands = {DemoCommand.class, RunCommand.class, CheckConfigCommand.class, HashPasswordCommand.class,
            TrainCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        configureLogging();
        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0 || !keepRunning) {
            System.exit(code);
        }
    }

    /** Set by commands that leave a server running (the JVM then lives until Ctrl-C). */
    static volatile boolean keepRunning;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static void configureLogging() {
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setDefault("org.slf4j.simpleLogger.log.io.netty", "warn");
        setDefault("org.slf4j.simpleLogger.log.io.vertx", "warn");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Prints the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"foss-infra " + version() + " (Java " + Runtime.version() + ")"};
        }
    }
}
