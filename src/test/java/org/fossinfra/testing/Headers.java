package org.fossinfra.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The header fields of a message as they came over the wire: in order, duplicates kept, names as written; looked up
 * case-insensitively.
 */
public record Headers(List<Map.Entry<String, String>> fields) {
    public Headers {
        fields = List.copyOf(fields);
    }

    /**
     * Parses header lines (after the first line of a head). Lenient: a fixture must be able to show whatever a
     * proxy sent, so a malformed line is kept whole as a name with an empty value rather than refused.
     */
    static Headers parse(List<String> lines) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                out.add(Map.entry(line, ""));
            } else {
                out.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).strip()));
            }
        }
        return new Headers(out);
    }

    /** The value of the first field named {@code name}, or null. */
    public String get(String name) {
        for (Map.Entry<String, String> f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                return f.getValue();
            }
        }
        return null;
    }

    /** The values of every field named {@code name}, in order. */
    public List<String> all(String name) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                out.add(f.getValue());
            }
        }
        return out;
    }

    public boolean has(String name) {
        return get(name) != null;
    }

    /** The field names in order, lower case. */
    public List<String> names() {
        return fields.stream().map(f -> f.getKey().toLowerCase(Locale.ROOT)).toList();
    }

    /** Whether a comma-separated field {@code name} lists {@code token} (case-insensitive), e.g. Connection: close. */
    public boolean hasToken(String name, String token) {
        for (String v : all(name)) {
            for (String t : v.split(",")) {
                if (t.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> f : fields) {
            sb.append(f.getKey()).append(": ").append(f.getValue()).append("\\r\\n");
        }
        return sb.toString();
    }
}
