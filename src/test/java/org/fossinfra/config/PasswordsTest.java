package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordsTest {
    @Test
    void aHashIsBcryptWithCost12AndAFreshSalt() {
        String a = Passwords.hash("correct-horse".toCharArray());
        String b = Passwords.hash("correct-horse".toCharArray());
        assertThat(a).matches("\\$2b\\$12\\$[./A-Za-z0-9]{53}");
        assertThat(a).isNotEqualTo(b);
        assertThat(Passwords.matches("correct-horse", a)).isTrue();
        assertThat(Passwords.matches("correct-horsE", a)).isFalse();
        assertThat(Passwords.matches("", a)).isFalse();
    }

    @Test
    void hashesFromOtherToolsAreAccepted() {
        // htpasswd -nbB -C 10 alice foss-demo-admin style ($2y$) and the demo's own ($2b$).
        String demo = "$2b$12$mYe49OXpckDZFt3akPKlcut9ygarR8tWVEUcfE2kADM/n5Tt0tmlu";
        assertThat(Passwords.matches("foss-demo-admin", demo)).isTrue();
        assertThat(Passwords.matches("foss-demo-admin", demo.replace("$2b$", "$2y$"))).isTrue();
        assertThat(Passwords.matches("foss-demo-admin", demo.replace("$2b$", "$2a$"))).isTrue();
    }

    @Test
    void anUnknownUserIsCheckedAgainstADummyAndNeverMatches() {
        long start = System.nanoTime();
        assertThat(Passwords.matches("anything", null)).isFalse();
        // A real bcrypt check ran (cost 12 takes tens of milliseconds at the very least).
        assertThat(System.nanoTime() - start).isGreaterThan(10_000_000L);
    }

    @Test
    void tooShortOrTooLongPasswordsAreRefusedWhenHashing() {
        assertThatThrownBy(() -> Passwords.hash("short".toCharArray()))
                .hasMessage("password: 5 characters (expected: at least 8)");
        assertThatThrownBy(() -> Passwords.hash("é".repeat(40).toCharArray()))
                .hasMessage("password: 80 bytes in UTF-8 (expected: at most 72; bcrypt ignores the rest)");
        assertThat(Passwords.matches("x".repeat(100), Passwords.hash("x".repeat(72).toCharArray()))).isFalse();
    }
}
