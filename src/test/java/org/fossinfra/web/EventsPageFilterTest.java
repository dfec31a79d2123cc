package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The events page's filter: what the URL may say, what is ignored and why, and that a live view's key round-trips. */
class EventsPageFilterTest {
    private static EventsPage.Filter of(String... pairs) {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < pairs.length; i += 2) {
            m.add(pairs[i], pairs[i + 1]);
        }
        return EventsPage.Filter.of(m);
    }

    @Test
    void aDatetimeLocalValueIsUtcAndAnIsoInstantIsTakenAsIs() {
        EventsPage.Filter f = of("since", "2026-11-27T09:00", "until", "2026-11-27T10:30:15.5Z");
        assertThat(f.since()).isEqualTo(Instant.parse("2026-11-27T09:00:00Z"));
        assertThat(f.until()).isEqualTo(Instant.parse("2026-11-27T10:30:15.5Z"));
        assertThat(f.sinceInput()).isEqualTo("2026-11-27T09:00");
        assertThat(f.untilInput()).isEqualTo("2026-11-27T10:30:15");
        assertThat(f.error()).isEmpty();
        assertThat(f.query().since()).isEqualTo(f.since());
    }

    @Test
    void aBadTimeOrAnEmptyRangeIsIgnoredWithAReason() {
        EventsPage.Filter bad = of("since", "yesterday");
        assertThat(bad.since()).isNull();
        assertThat(bad.error()).isEqualTo("since: 'yesterday' is not a time (expected 2026-11-27T09:00, UTC); ignored");
        EventsPage.Filter empty = of("since", "2026-11-27T10:00", "until", "2026-11-27T10:00");
        assertThat(empty.until()).isNull();
        assertThat(empty.error()).contains("is not before 'to'");
    }

    @Test
    void theKeyOfALiveViewRoundTripsAndPagingLinksKeepTheFilter() {
        EventsPage.Filter f = of("type", "Server.State", "q", " web 3 ", "since", "2026-11-27T09:00",
                "before", "p1764234000000000.42");
        assertThat(f.type()).isEqualTo("server.state");
        assertThat(f.q()).isEqualTo("web 3");
        EventsPage.Filter back = EventsPage.Filter.ofKey(f.key());
        assertThat(back).isEqualTo(new EventsPage.Filter(f.type(), f.q(), f.since(), f.until(), f.before(), ""));
        assertThat(f.url("/events", "p1.2")).isEqualTo("/events?type=server.state&q=web+3&since=2026-11-27T09%3A00"
                + "&before=p1.2");
        assertThat(f.stream()).startsWith("/stream/events?").endsWith("&before=p1764234000000000.42");
        assertThat(of("before", "<script>").before()).as("a cursor is letters, digits and dots").isEmpty();
        assertThat(of("type", "x y").type()).isEmpty();
    }
}
