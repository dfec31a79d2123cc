package org.fossinfra.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One reading of one file: its name, the environment for {@code ${VAR}}, and every error found so far. Readers report
 * here and carry on with a placeholder, so a single run finds all errors; the loader throws at the end if any.
 */
final class Context {
    final String file;
    private final Map<String, String> env;
    private final List<ConfigError> errors = new ArrayList<>();

    Context(String file, Map<String, String> env) {
        this.file = file;
        this.env = env;
    }

    void error(int line, String field, String problem, String fix) {
        errors.add(new ConfigError(file, line, field, problem, fix));
    }

    void error(int line, String field, Invalid e) {
        error(line, field, e.problem, e.fix);
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** In file order; errors on one line keep the order they were found in. An alias read twice reports once. */
    List<ConfigError> errors() {
        List<ConfigError> sorted = new ArrayList<>(new LinkedHashSet<>(errors));
        sorted.sort(Comparator.comparingInt(ConfigError::line));
        return sorted;
    }

    /**
     * The text of a scalar after {@code ${VAR}} substitution; empty (and reported) when the node is a mapping or a
     * list, or when substitution fails.
     *
     * @param expected what the schema wants here, for the message: "a number", "host:port"
     */
    Optional<String> text(Node node, String field, String expected) {
        return text(node, field, expected, false);
    }

    /** As {@link #text(Node, String, String)}; a {@code secret} may not take a default from {@code ${VAR:-default}}. */
    Optional<String> text(Node node, String field, String expected, boolean secret) {
        if (!(node instanceof ScalarNode scalar)) {
            typeError(node, field, expected);
            return Optional.empty();
        }
        try {
            return Optional.of(EnvSubstitution.apply(scalar.getValue(), env, secret));
        } catch (Invalid e) {
            error(line(node), field, e);
            return Optional.empty();
        }
    }

    /** {@link #text} then {@code parser}; a parser's {@link Invalid} is reported at the node's line. */
    <T> Optional<T> parse(Node node, String field, String expected, Function<String, T> parser) {
        return parse(node, field, expected, parser, false);
    }

    <T> Optional<T> parse(Node node, String field, String expected, Function<String, T> parser, boolean secret) {
        Optional<String> text = text(node, field, expected, secret);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(text.get()));
        } catch (Invalid e) {
            error(line(node), field, e);
            return Optional.empty();
        }
    }

    /** "expected a list, found a mapping" with a fix that shows how to write what was expected. */
    void typeError(Node found, String field, String expected) {
        String fix = switch (expected) {
            case "a list" -> "start each item on its own line with '- '";
            case "a mapping" -> "write key: value pairs indented under it";
            default -> "write " + expected + " here";
        };
        error(line(found), field, "expected " + expected + ", found " + describe(found), fix);
    }

    /** 1-based; SnakeYAML counts from 0. */
    static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    static String describe(Node node) {
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s when isNull(s) -> "nothing";
            case ScalarNode s -> "'" + s.getValue() + "'";
            default -> "a " + node.getNodeId();
        };
    }
}
