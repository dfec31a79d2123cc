package org.fossinfra.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping seen through the schema: typed getters that report what does not fit (with the key's path and line)
 * and return the default instead, so reading goes on and every error is found in one run.
 *
 * <p>Merge keys ({@code <<: *defaults}) are flattened here, explicit keys winning. Duplicate keys are reported.
 * A key written with no value ({@code key:} or {@code key: ~}) counts as absent.
 *
 * <p>An absent section (the key is missing, or its value was not a mapping and that was reported) has no entries, so
 * every getter yields its default; readers check {@link #present()} before demanding required keys.
 */
final class Section {
    private final Context ctx;
    private final Map<String, NodeTuple> entries;
    /** Problems found while flattening (duplicate keys, bad merges), reported by allowAny once the path is labelled. */
    private final List<Pending> pending;
    private final boolean present;
    private final int line;
    private String path;

    private Section(Context ctx, Map<String, NodeTuple> entries, List<Pending> pending, boolean present,
                    int line, String path) {
        this.ctx = ctx;
        this.entries = entries;
        this.pending = pending;
        this.present = present;
        this.line = line;
        this.path = path;
    }

    /** The root, or an item of a list: reports a node that is not a mapping. */
    static Section of(Context ctx, Node node, String path) {
        if (node instanceof MappingNode mapping) {
            Set<Node> seen = new HashSet<>();
            seen.add(mapping);
            List<Pending> pending = new ArrayList<>();
            Map<String, NodeTuple> entries = flatten(mapping, pending, seen);
            return new Section(ctx, entries, pending, true, Context.line(mapping), path);
        }
        ctx.typeError(node, path, "a mapping");
        return new Section(ctx, Map.of(), new ArrayList<>(), false, Context.line(node), path);
    }

    boolean present() {
        return present;
    }

    /** Adds the name to the path once known: {@code backends[1]} becomes {@code backends[1] 'api'}. */
    Section label(String name) {
        path = path + " '" + name + "'";
        return this;
    }

    String path() {
        return path;
    }

    String field(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Where the mapping starts. */
    int line() {
        return line;
    }

    /** The value's line if the key is there, else the mapping's. */
    int line(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? line : Context.line(t.getValueNode());
    }

    int keyLine(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? line : Context.line(t.getKeyNode());
    }

    /** The value, or null when the key is absent or has no value. */
    Node node(String key) {
        NodeTuple t = entries.get(key);
        return t == null || Context.isNull(t.getValueNode()) ? null : t.getValueNode();
    }

    boolean has(String key) {
        return node(key) != null;
    }

    /** Every key of this mapping, merged ones included, in file order. */
    Set<String> keys() {
        return entries.keySet();
    }

    /**
     * Reports duplicate keys, for a mapping whose keys are data (response headers). Every section read calls this or
     * {@link #allowOnly}, after {@link #label}.
     */
    void allowAny() {
        for (Pending p : pending) {
            ctx.error(p.line(), p.key().isEmpty() ? path : field(p.key()), p.problem(), p.fix());
        }
        pending.clear();
    }

    /** Reports duplicate keys and keys not in {@code allowed}, with the nearest allowed one as a suggestion. */
    void allowOnly(List<String> allowed) {
        allowOnly(allowed, key -> false, key -> null);
    }

    /**
     * As {@link #allowOnly(List)}; keys matching {@code ignored} are let through, and {@code misplaced} may give a
     * better message than "unknown key" for a key that belongs elsewhere (or null for the usual one).
     */
    void allowOnly(List<String> allowed, Predicate<String> ignored, Function<String, Invalid> misplaced) {
        allowAny();
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            String key = e.getKey();
            if (allowed.contains(key) || ignored.test(key)) {
                continue;
            }
            int at = Context.line(e.getValue().getKeyNode());
            Invalid special = misplaced.apply(key);
            if (special != null) {
                ctx.error(at, field(key), special);
            } else {
                ctx.error(at, field(key), "unknown key",
                        Suggestions.didYouMean(key, allowed, "valid keys here: " + String.join(", ", allowed)));
            }
        }
    }

    /** Reports a missing required key; returns whether it is there. */
    boolean require(String key, String fix) {
        NodeTuple t = entries.get(key);
        if (t == null) {
            ctx.error(line, field(key), "required key is missing", fix);
            return false;
        }
        if (Context.isNull(t.getValueNode())) {
            ctx.error(Context.line(t.getKeyNode()), field(key), "has no value", fix);
            return false;
        }
        return true;
    }

    Optional<String> text(String key) {
        Node n = node(key);
        return n == null ? Optional.empty() : ctx.text(n, field(key), "a string");
    }

    /**
     * A secret (token, password, password hash): as {@link #text}, but {@code ${VAR:-default}} with a default is
     * refused (see {@link EnvSubstitution}).
     */
    Optional<String> secretText(String key) {
        Node n = node(key);
        return n == null ? Optional.empty() : ctx.text(n, field(key), "a string", true);
    }

    /** A required secret, parsed: as {@link #required}, with {@link #secretText}'s rule for defaults. */
    <T> Optional<T> requiredSecret(String key, String fix, String expected, Function<String, T> parser) {
        if (!present || !require(key, fix)) {
            return Optional.empty();
        }
        return ctx.parse(node(key), field(key), expected, parser, true);
    }

    /** A required string; reported when missing (only if this section is present, see the class comment). */
    Optional<String> requiredText(String key, String fix) {
        return required(key, fix, "a string", Function.identity());
    }

    /** A required value, parsed; reported when missing (only if this section is present). */
    <T> Optional<T> required(String key, String fix, String expected, Function<String, T> parser) {
        if (!present || !require(key, fix)) {
            return Optional.empty();
        }
        return parse(key, expected, parser);
    }

    /** Parses the value; empty when absent or reported. */
    <T> Optional<T> parse(String key, String expected, Function<String, T> parser) {
        Node n = node(key);
        return n == null ? Optional.empty() : ctx.parse(n, field(key), expected, parser);
    }

    boolean bool(String key, boolean def) {
        return parse(key, "true or false", Scalars::bool).orElse(def);
    }

    int integer(String key, int def, int min, int max) {
        return parse(key, "a number", text -> inRange(Scalars.integer(text), min, max, String::valueOf)).orElse(def);
    }

    int size(String key, int def, int min, int max) {
        return parse(key, "a size", text -> inRange(Sizes.parse(text), min, max, Sizes::format)).orElse(def);
    }

    /** A duration of at least {@code min}; zero is always refused (a timeout of zero would fire at once). */
    Duration duration(String key, Duration def, Duration min) {
        return parse(key, "a duration", text -> {
            Duration d = Durations.parse(text);
            if (d.isZero()) {
                throw new Invalid(text + " is zero", "use a positive duration, e.g. " + Durations.format(def));
            }
            if (d.compareTo(min) < 0) {
                String m = Durations.format(min);
                throw new Invalid(text + " is below " + m, "use " + m + " or more");
            }
            return d;
        }).orElse(def);
    }

    /** A nested mapping; absent (every getter defaults) when the key is missing or its value is not a mapping. */
    Section section(String key) {
        Node n = node(key);
        if (n == null) {
            return new Section(ctx, Map.of(), new ArrayList<>(), false, line, field(key));
        }
        return of(ctx, n, field(key));
    }

    /** The items of a list; empty when absent, and reported when the value is not a list. */
    List<Node> list(String key) {
        Node n = node(key);
        if (n == null) {
            return List.of();
        }
        if (n instanceof SequenceNode seq) {
            return seq.getValue();
        }
        ctx.typeError(n, field(key), "a list");
        return List.of();
    }

    /**
     * The items of a required, non-empty list of mappings, each with its path ({@code key[i]}); an item that is not a
     * mapping is reported and left out.
     */
    List<Section> requiredItems(String key, String fix) {
        if (!present || !require(key, fix)) {
            return List.of();
        }
        List<Node> nodes = list(key);
        if (nodes.isEmpty() && node(key) instanceof SequenceNode) {
            ctx.error(line(key), field(key), "is empty", fix);
        }
        List<Section> sections = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Section s = of(ctx, nodes.get(i), field(key) + "[" + i + "]");
            if (s.present()) {
                sections.add(s);
            }
        }
        return sections;
    }

    /** A value written as one string or a list of strings, with each item's line and field path. */
    List<Item> textList(String key) {
        Node n = node(key);
        List<Item> items = new ArrayList<>();
        if (n instanceof SequenceNode seq) {
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node item = seq.getValue().get(i);
                String f = field(key) + "[" + i + "]";
                ctx.text(item, f, "a string").ifPresent(t -> items.add(new Item(t, Context.line(item), f)));
            }
        } else if (n != null) {
            ctx.text(n, field(key), "a string or a list of strings")
                    .ifPresent(t -> items.add(new Item(t, Context.line(n), field(key))));
        }
        return items;
    }

    /** One string of a {@link #textList}. */
    record Item(String text, int line, String field) {
    }

    private static int inRange(int value, int min, int max, IntFunction<String> format) {
        String range = max == Integer.MAX_VALUE ? format.apply(min) + " or more"
                : "a value from " + format.apply(min) + " to " + format.apply(max);
        if (value < min) {
            throw new Invalid(format.apply(value) + " is below " + format.apply(min), "use " + range);
        }
        if (value > max) {
            throw new Invalid(format.apply(value) + " is above " + format.apply(max), "use " + range);
        }
        return value;
    }

    /** A problem of the mapping itself, reported once its path is final; {@code key} is empty for the mapping. */
    private record Pending(int line, String key, String problem, String fix) {
    }

    /**
     * The entries of a mapping with merge keys resolved: own keys first, then merged ones not already present (earlier
     * merge sources win, as the YAML merge-key spec says). {@code seen} stops a mapping that merges itself. Problems
     * are noted only for the mapping itself ({@code pending} not null), not again for every merge of it.
     */
    private static Map<String, NodeTuple> flatten(MappingNode mapping, List<Pending> pending, Set<Node> seen) {
        Map<String, NodeTuple> own = new LinkedHashMap<>();
        List<Node> merges = new ArrayList<>();
        for (NodeTuple t : mapping.getValue()) {
            Node k = t.getKeyNode();
            if (!(k instanceof ScalarNode key)) {
                if (pending != null) {
                    pending.add(new Pending(Context.line(k), "", "a key is " + Context.describe(k),
                            "keys are plain words, e.g. name"));
                }
                continue;
            }
            if (Tag.MERGE.equals(key.getTag())) {
                merges.add(t.getValueNode());
                continue;
            }
            NodeTuple first = own.putIfAbsent(key.getValue(), t);
            if (first != null && pending != null) {
                pending.add(new Pending(Context.line(k), key.getValue(),
                        "duplicate key (first at line " + Context.line(first.getKeyNode()) + ")", "remove one of them"));
            }
        }
        for (Node merge : merges) {
            List<Node> sources = merge instanceof SequenceNode seq ? seq.getValue() : List.of(merge);
            for (Node source : sources) {
                if (source instanceof MappingNode m) {
                    if (seen.add(m)) {
                        flatten(m, null, seen).forEach(own::putIfAbsent);
                    }
                } else if (pending != null) {
                    pending.add(new Pending(Context.line(source), "<<",
                            "expected a mapping or a list of mappings, found " + Context.describe(source),
                            "merge an anchored mapping, e.g. <<: *defaults"));
                }
            }
        }
        return own;
    }
}
