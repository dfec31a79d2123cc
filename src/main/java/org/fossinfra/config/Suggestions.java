package org.fossinfra.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * "Did you mean ...?" for unknown keys, enum values and backend names: the closest allowed word by Damerau-Levenshtein
 * distance (optimal string alignment: insert, delete, substitute, swap two neighbours), case-insensitive.
 *
 * <p>A candidate is close when its distance is at most {@value #MAX_DISTANCE} and smaller than the typed word's
 * length (so "x" does not suggest "ws"), or when one word is a prefix of the other and the shared part has at least
 * {@value #MIN_PREFIX} characters ("health" suggests "health-check", "timeout" suggests "timeouts").
 */
final class Suggestions {
    static final int MAX_DISTANCE = 2;
    static final int MIN_PREFIX = 3;

    private Suggestions() {
    }

    /** The closest option, preferring the smallest distance, then prefix matches, then the option listed first. */
    static Optional<String> nearest(String typed, Collection<String> options) {
        String t = typed.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String option : options) {
            String o = option.toLowerCase(Locale.ROOT);
            int d = distance(t, o);
            if (d <= MAX_DISTANCE && d < t.length() && d < bestDistance) {
                best = option;
                bestDistance = d;
            }
        }
        if (best != null) {
            return Optional.of(best);
        }
        for (String option : options) {
            String o = option.toLowerCase(Locale.ROOT);
            if (Math.min(t.length(), o.length()) >= MIN_PREFIX && (o.startsWith(t) || t.startsWith(o))) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }

    /** {@code did you mean 'x'?} when something is close, otherwise {@code otherwise}. */
    static String didYouMean(String typed, Collection<String> options, String otherwise) {
        return nearest(typed, options).map(s -> "did you mean '" + s + "'?").orElse(otherwise);
    }

    /** For closed sets: {@code did you mean 'x'? Valid: a, b, c} or {@code use one of a, b, c}. */
    static String oneOf(String typed, Collection<String> options) {
        String valid = String.join(", ", options);
        return nearest(typed, options).map(s -> "did you mean '" + s + "'? Valid: " + valid)
                .orElse("use one of " + valid);
    }

    /** Optimal string alignment distance. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
