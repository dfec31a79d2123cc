package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionsTest {
    private final Sessions sessions = new Sessions();

    @Test
    void aSessionIsFoundByItsRandomIdAndNamesItsUserAsActor() {
        Sessions.Session s = sessions.create("alice", 1_000);
        String id = Sessions.cookie(s, false).getValue();
        assertThat(id).matches("[A-Za-z0-9_-]{43}");
        assertThat(sessions.find(id, 2_000)).containsSame(s);
        assertThat(s.actor()).isEqualTo("dashboard:alice");
        assertThat(sessions.find("x" + id.substring(1), 2_000)).isEmpty();
        assertThat(sessions.find(null, 2_000)).isEmpty();
    }

    @Test
    void endingAUsersSessionsEndsAllOfThemAndNoOneElses() {
        Sessions.Session bob1 = sessions.create("bob", 0);
        Sessions.Session bob2 = sessions.create("bob", 0);
        Sessions.Session alice = sessions.create("alice", 0);
        assertThat(sessions.endUsers(u -> u.equals("bob"))).isEqualTo(2);
        assertThat(sessions.find(Sessions.cookie(bob1, false).getValue(), 1)).isEmpty();
        assertThat(sessions.find(Sessions.cookie(bob2, false).getValue(), 1)).isEmpty();
        assertThat(bob1.valid(1)).as("a live view holding it sees it ended").isFalse();
        assertThat(sessions.find(Sessions.cookie(alice, false).getValue(), 1)).containsSame(alice);
    }

    @Test
    void idsAndCsrfTokensAreNeverReused() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Sessions.Session s = sessions.create("u" + i, 0);
            assertThat(seen.add(Sessions.cookie(s, false).getValue())).isTrue();
            assertThat(seen.add(s.csrf())).isTrue();
        }
    }

    @Test
    void aSessionEndsAfterThirtyIdleMinutesButNotWhileUsed() {
        Sessions.Session s = sessions.create("alice", 0);
        String id = Sessions.cookie(s, false).getValue();
        long step = Sessions.IDLE.toMillis() - 1;
        assertThat(sessions.find(id, step)).isPresent();
        assertThat(sessions.find(id, 2 * step)).as("used a moment ago").isPresent();
        assertThat(sessions.find(id, 3 * step + 2)).as("idle for 30 minutes").isEmpty();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void aSessionEndsTwelveHoursAfterSignInWhateverTheUse() {
        Sessions.Session s = sessions.create("alice", 0);
        String id = Sessions.cookie(s, false).getValue();
        for (long t = 0; t < Sessions.LIFETIME.toMillis(); t += 60_000) {
            assertThat(sessions.find(id, t)).isPresent();
        }
        assertThat(sessions.find(id, Sessions.LIFETIME.toMillis())).isEmpty();
    }

    @Test
    void theCsrfTokenMustMatchExactly() {
        Sessions.Session s = sessions.create("alice", 0);
        assertThat(s.csrfMatches(s.csrf())).isTrue();
        assertThat(s.csrfMatches(s.csrf() + "x")).isFalse();
        assertThat(s.csrfMatches("")).isFalse();
        assertThat(s.csrfMatches(null)).isFalse();
    }

    @Test
    void theCookieIsHttpOnlyStrictAndSecureOnlyOverTls() {
        Sessions.Session s = sessions.create("alice", 0);
        assertThat(Sessions.cookie(s, false).encode()).contains("HTTPOnly").contains("SameSite=Strict")
                .doesNotContain("Secure");
        assertThat(Sessions.cookie(s, true).encode()).contains("Secure");
        assertThat(Sessions.cleared(false).encode()).contains("Max-Age=0");
    }

    @Test
    void aUserWhoSignsInAgainAndAgainKeepsOnlyTheNewestSessions() {
        Sessions.Session first = sessions.create("alice", 0);
        for (int i = 1; i <= Sessions.MAX_PER_USER; i++) {
            sessions.create("alice", i);
        }
        assertThat(sessions.size()).isEqualTo(Sessions.MAX_PER_USER);
        assertThat(first.valid(100)).isFalse();
    }

    @Test
    void sweepingDropsExpiredSessions() {
        sessions.create("alice", 0);
        sessions.create("bob", Sessions.IDLE.toMillis());
        sessions.sweep(Sessions.IDLE.toMillis() + 1);
        assertThat(sessions.size()).isEqualTo(1);
    }
}
