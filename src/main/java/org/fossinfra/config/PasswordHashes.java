package org.fossinfra.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the form of a dashboard user's {@code password-hash}: bcrypt in modular crypt format
 * ({@code $2b$12$} + 22 characters of salt + 31 of hash, from {@code [./A-Za-z0-9]}), with a cost that resists guessing
 * without making each login a denial of service. Messages never repeat the value: a hash can be attacked offline.
 */
final class PasswordHashes {
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
    /**
     * Cost 10 is about 60 ms a check on a 2020s core; each step doubles it. 15 is about 2 s, the most a login should
     * take (and the most an attacker can make the node spend per attempt before the rate limit stops them).
     */
    static final int MIN_COST = 10;
    static final int MAX_COST = 15;
    private static final String MAKE = "make one with: ./foss-infra hash-password (then paste the line it prints, in quotes)";

    private PasswordHashes() {
    }

    static String check(String text) {
        if (text.startsWith("$argon2")) {
            throw new Invalid("is an argon2 hash, which this version does not check (bcrypt only)", MAKE);
        }
        if (!text.startsWith("$")) {
            throw new Invalid("is not a password hash; the password itself must never be in the config", MAKE);
        }
        Matcher m = BCRYPT.matcher(text);
        if (!m.matches()) {
            throw new Invalid("is not a whole bcrypt hash ($2b$<cost>$ and 53 characters of ./A-Za-z0-9, "
                    + text.length() + " characters found where 60 are expected)", MAKE);
        }
        int cost = Integer.parseInt(m.group(1));
        if (cost < MIN_COST) {
            throw new Invalid("has bcrypt cost " + cost + ", cheap enough to guess offline",
                    "use a cost from " + MIN_COST + " to " + MAX_COST + "; " + MAKE);
        }
        if (cost > MAX_COST) {
            throw new Invalid("has bcrypt cost " + cost + ": every login would take " + (1L << (cost - MAX_COST)) * 2
                    + " s or more of CPU", "use a cost from " + MIN_COST + " to " + MAX_COST + "; " + MAKE);
        }
        return text;
    }
}
