package org.fossinfra.config;

import java.io.StringReader;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.Node;

/**
 * YAML text to a node graph, keeping every node's line. Only SnakeYAML's composer runs: nothing is constructed, so
 * no tag can instantiate a class, and aliases stay shared nodes instead of being expanded.
 *
 * <p>Hazard: aliases still multiply the work of whoever walks the graph ("billion laughs": ten aliases to a list of
 * ten aliases...). The walk here follows the schema, which nests lists at most three deep
 * ({@code frontends[].routes[].when.path-prefix[]}), merge keys are flattened once per mapping, and SnakeYAML refuses
 * more than {@value #MAX_COLLECTION_ALIASES} aliases to lists or mappings: a walk then visits at most about
 * (32 / 3)^3 ≈ 1200 aliased nodes, while a file keeps room for a {@code <<: *defaults} in every backend.
 */
final class YamlSource {
    static final int MAX_COLLECTION_ALIASES = 32;

    private YamlSource() {
    }

    /** The root node, or empty when the text is not YAML or holds nothing (reported). */
    static Optional<Node> compose(String text, Context ctx) {
        try {
            Node root = new Yaml(options()).compose(new StringReader(text));
            if (root == null) {
                ctx.error(0, "", "the file holds no settings", "write at least frontends: and backends: (see docs/config.md)");
            }
            return Optional.ofNullable(root);
        } catch (MarkedYAMLException e) {
            syntaxError(e, ctx);
        } catch (YAMLException e) {
            String message = String.valueOf(e.getMessage());
            if (message.startsWith("Number of aliases")) {
                ctx.error(aliasOverflowLine(text), "",
                        "more than " + MAX_COLLECTION_ALIASES + " aliases to lists or mappings",
                        "write some of them out; the limit guards against alias bombs");
            } else {
                ctx.error(0, "", "YAML error: " + message, "make the file smaller or less deeply nested");
            }
        }
        return Optional.empty();
    }

    private static LoaderOptions options() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setAllowRecursiveKeys(false);
        // Duplicates are reported by Section with both lines; the composer does not check them anyway.
        options.setAllowDuplicateKeys(true);
        return options;
    }

    private static void syntaxError(MarkedYAMLException e, Context ctx) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = String.valueOf(e.getProblem());
        String fix = "check the indentation and quoting on this line and the lines above";
        if (problem.contains("(TAB)")) {
            problem = "a tab cannot start a token";
            fix = "indent with spaces, not tabs";
        } else if (problem.startsWith("mapping values are not allowed")) {
            fix = "quote a value that contains ': ', or check the indentation";
        } else if (problem.startsWith("found undefined alias")) {
            fix = "define the anchor (&name) before using its alias (*name)";
        } else if ("while scanning an alias".equals(e.getContext())) {
            // The usual cause: bind: *:8080, where YAML reads *:8080 as an alias.
            problem = "'*' starts an alias here";
            fix = "quote a value that starts with '*', e.g. bind: \"*:8080\"";
        } else if (problem.contains("another document")) {
            problem = "found a second document";
            fix = "keep a single document: remove the second '---'";
        }
        StringBuilder text = new StringBuilder("YAML syntax error");
        if (mark != null) {
            text.append(" at column ").append(mark.getColumn() + 1);
        }
        text.append(": ").append(problem);
        Mark context = e.getContextMark();
        if (e.getContext() != null && context != null && mark != null && context.getLine() != mark.getLine()
                && !problem.equals("found a second document") && !problem.startsWith("'*'")) {
            text.append(" (").append(e.getContext()).append(" started at line ").append(context.getLine() + 1).append(')');
        }
        ctx.error(mark == null ? 0 : mark.getLine() + 1, "", text.toString(), fix);
    }

    /** SnakeYAML's alias-limit error has no position; find the alias that went over by replaying the events. */
    private static int aliasOverflowLine(String text) {
        Set<String> collectionAnchors = new HashSet<>();
        int aliases = 0;
        try {
            for (Event event : new Yaml(options()).parse(new StringReader(text))) {
                if (event instanceof CollectionStartEvent start && start.getAnchor() != null) {
                    collectionAnchors.add(start.getAnchor());
                } else if (event instanceof AliasEvent alias && collectionAnchors.contains(alias.getAnchor())
                        && ++aliases > MAX_COLLECTION_ALIASES) {
                    return alias.getStartMark().getLine() + 1;
                }
            }
        } catch (YAMLException e) {
            // Composing already failed; without a position the error is reported against the whole file.
        }
        return 0;
    }
}
