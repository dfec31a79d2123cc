package org.fossinfra.web;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Dashboard passwords: bcrypt hashes to put in {@code admin.users}, and the check at login. bcrypt because it is
 * slow by design (cost 12: about a quarter of a second a check), salted, and checkable with one small class.
 *
 * <p>Hazard: bcrypt reads at most 72 bytes of a password and silently ignores the rest, so longer passwords are
 * refused when hashing rather than truncated behind the user's back.
 */
public final class Passwords {
    /** The cost {@code hash-password} uses: 2^12 rounds, about 250 ms on one core of a 2020s server. */
    public static final int COST = 12;
    public static final int MIN_LENGTH = 8;
    public static final int MAX_BYTES = 72;
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
    static boolean matches(String password, String hash) {
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
            return false; // a malformed hash; config validation makes this unreachable
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static byte[] utf8(char[] chars) {
        var buf = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        Arrays.fill(buf.array(), (byte) 0);
        return out;
    }
}
