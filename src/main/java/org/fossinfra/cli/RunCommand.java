package org.fossinfra.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.fossinfra.app.Node;
import org.fossinfra.config.Config;
import org.fossinfra.config.ConfigException;
import org.fossinfra.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs a node from a config file until Ctrl-C (or SIGTERM). */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a node from a configuration file.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the YAML config file")
    Path file;

    @Override
    public Integer call() {
        Config config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Node node;
        try {
            node = Node.start(config, file);
        } catch (Exception e) {
            System.err.println("foss-infra: " + Banner.rootMessage(e));
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "shutdown"));
        System.out.println(Banner.node(node, Startup.millisSinceJvmStart()));
        Main.keepRunning = true;
        return 0;
    }
}
