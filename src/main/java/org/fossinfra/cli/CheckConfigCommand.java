package org.fossinfra.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.fossinfra.config.Config;
import org.fossinfra.config.ConfigException;
import org.fossinfra.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Validates a config file and lists every error; exits 1 when there is any. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Check a configuration file; print every error with file:line, exit 1 if any.")
final class CheckConfigCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the YAML config file")
    Path file;

    @Override
    public Integer call() {
        try {
            Config c = ConfigLoader.load(file);
            System.out.println(file + ": OK (" + c.frontends().size() + " frontend(s), " + c.backends().size()
                    + " backend(s), " + c.backends().stream().mapToInt(b -> b.servers().size()).sum() + " server(s), "
                    + c.services().size() + " service(s))");
            return 0;
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }
}
