package org.fossinfra.config;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The one place for bcrypt: hashing a dashboard password for {@code admin.users} ({@code hash-password}, the demo),
 * checking one at sign-in, and validating the form of a configured {@code password-hash}. bcrypt because it is slow by
 * design (cost 12: about a quarter of a second a check), salted, and checkable with one small class.
 *
 * <p>Hazard: bcrypt reads at most 72 bytes of a password and silently ignores the rest, so longer passwords are
 * refused when hashing rather than truncated behind the user's back. And a check is CPU the data plane shares: callers
 * must bound how many run at once (the dashboard's sign-in does), never queue them without limit.
 */
public final class Passwords {
    /** The cost {@code hash-password} uses: 2^12 rounds, about 250 ms on one core of a 2020s server. */
    public static final int COST = 12;
    public static final int MIN_LENGTH = 8;
    public static final int MAX_BYTES = 72;
    /**
     * Cost 10 is about 60 ms a check on a 2020s core; each step doubles it. 15 is about 2 s, the most a login should
     * take (and the most an attacker can make the node spend per attempt before the rate limit stops them).
     */
    static final int MIN_COST = 10;
    static final int MAX_COST = 15;
    /** bcrypt in modular crypt format: {@code $2b$12$} + 22 characters of salt + 31 of hash, from {@code [./A-Za-z0-9]}. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
    private static final String MAKE = "make one with: ./foss-infra hash-password (then paste the line it prints, in quotes)";
    /**
     * Checked when the user name is unknown, so that a wrong name costs as long as a wrong password and the timing
     * does not tell which names exist. A bcrypt hash (cost 12) of a random string nobody kept.
     */
    private static final String DUMMY = "$2b$12$rXRxrIL6.tJ8dx6IgntFlOaCqMFv5mxZyAlUvv70p1lwjZqsZqzAa";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    /**
     * A bcrypt hash of {@code password} with a fresh salt, as {@code admin.users[].password-hash} takes it.
     *
     * @throws IllegalArgumentException when the password is shorter than 8 characters or longer than 72 bytes
     */
    public static String hash(char[] password) {
        if (password.length < MIN_LENGTH) {
            throw new IllegalArgumentException("password: " + password.length + " characters (expected: at least "
                    + MIN_LENGTH + ")");
        }
        byte[] bytes = utf8(password);
        try {
            if (bytes.length > MAX_BYTES) {
                throw new IllegalArgumentException("password: " + bytes.length + " bytes in UTF-8 (expected: at most "
                        + MAX_BYTES + "; bcrypt ignores the rest)");
            }
            return BCrypt.hashpw(bytes, BCrypt.gensalt("$2b", COST, RANDOM));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Whether {@code password} matches {@code hash}; with a null hash (no such user) a dummy hash is checked, so the
     * answer takes the same time. Blocking (hundreds of milliseconds): never call it on an event loop.
     */
    public static boolean matches(String password, String hash) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        try {
            if (bytes.length > MAX_BYTES) {
                // No hash was made of such a password (hash() refuses them); still spend the time.
                BCrypt.checkpw(Arrays.copyOf(bytes, MAX_BYTES), DUMMY);
                return false;
            }
            boolean ok = BCrypt.checkpw(bytes, hash == null ? DUMMY : hash);
            return ok && hash != null;
        } catch (IllegalArgumentException e) {
            return false; // a malformed hash; config validation (check) makes this unreachable
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Checks the form of a configured {@code password-hash}: bcrypt with a cost that resists guessing without making
     * each login a denial of service. Messages never repeat the value: a hash can be attacked offline.
     */
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

    private static byte[] utf8(char[] chars) {
        var buf = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        Arrays.fill(buf.array(), (byte) 0);
        return out;
    }
}
