package org.fossinfra.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and validates a YAML configuration, all of it before anything starts: a {@link Config} comes back only when
 * the whole file is right, otherwise a {@link ConfigException} lists every error with file, line, field and a fix.
 *
 * <p>The phases: YAML to a node graph (SnakeYAML's composer only, so lines are kept and no tag builds an object);
 * the schema walk, which substitutes {@code ${VAR}} per scalar, checks types, ranges and unknown keys, and fills
 * defaults; then the checks across sections (names, route targets, binds). Every phase reports and carries on, so
 * one run of {@code check-config} shows everything to fix. See docs/config.md for the schema.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Reads the file (UTF-8) with {@code ${VAR}} taken from the process environment. */
    public static Config load(Path file) throws ConfigException {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw fileError(name, "no such file", "check the path given with -c");
        } catch (CharacterCodingException e) {
            throw fileError(name, "is not UTF-8 text", "save it as UTF-8");
        } catch (IOException e) {
            throw fileError(name, "cannot be read (" + e.getMessage() + ")", "check that it is a readable file");
        }
        return read(text, file, name, System.getenv());
    }

    /**
     * Reads YAML text, e.g. from a test.
     *
     * @param fileName used in messages and as {@link Config#source()}; {@code node.data-dir} is resolved against its
     *                 directory
     * @param env      the variables {@code ${VAR}} may name
     */
    public static Config parse(String yaml, String fileName, Map<String, String> env) throws ConfigException {
        return read(yaml, Path.of(fileName), fileName, env);
    }

    private static Config read(String text, Path source, String name, Map<String, String> env) throws ConfigException {
        Context ctx = new Context(name, env);
        // A byte-order mark is not YAML content; editors on Windows add one.
        String yaml = text.startsWith("\uFEFF") ? text.substring(1) : text;
        Optional<Node> root = YamlSource.compose(yaml, ctx);
        Config config = root.map(r -> new ConfigReader(ctx, source).read(r)).orElse(null);
        if (ctx.hasErrors()) {
            throw new ConfigException(name, ctx.errors());
        }
        return config;
    }

    private static ConfigException fileError(String name, String problem, String fix) {
        return new ConfigException(name, List.of(new ConfigError(name, 0, "", problem, fix)));
    }
}
