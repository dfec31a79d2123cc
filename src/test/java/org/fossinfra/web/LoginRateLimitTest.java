package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.fossinfra.events.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password guessing against a whole node: refused, recorded, and locked out after five failures in a minute. */
class LoginRateLimitTest {
    @Test
    void fiveFailedSignInsLockTheClientOutWith429EvenForTheRightPassword(@TempDir Path dir) throws Exception {
        try (DashboardFixture f = DashboardFixture.start(dir)) {
            DashboardClient c = new DashboardClient(f.base());
            for (int i = 0; i < LoginLimiter.MAX_FAILURES; i++) {
                HttpResponse<String> r = c.login(i % 2 == 0 ? "alice" : "mallory", "guess-" + i);
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(r.body()).contains("Wrong user name or password.");
                assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
            }
            HttpResponse<String> locked = c.login(DashboardFixture.USER, DashboardFixture.PASSWORD);
            assertThat(locked.statusCode()).isEqualTo(429);
            assertThat(locked.body()).contains("Too many failed sign-ins. Try again in");
            assertThat(Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
            assertThat(c.login("bob", "another-guess").statusCode()).isEqualTo(429);

            List<Event> failed = f.node.events().recent(100, "auth.login.failed");
            assertThat(failed).hasSize(LoginLimiter.MAX_FAILURES);
            assertThat(failed).extracting(Event::actor).containsOnly("alice", "mallory");
            assertThat(failed).extracting(e -> e.data().get("reason")).contains("wrong password", "unknown user");
            assertThat(failed).extracting(Event::subject).containsOnly("127.0.0.1");
            List<Event> limited = f.node.events().recent(100, "auth.login.limited");
            assertThat(limited).as("one event per lock-out, not one per refused attempt").hasSize(1);
            assertThat(f.node.events().recent(100, "auth.login")).isEmpty();
        }
    }
}
