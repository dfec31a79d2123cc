package org.fossinfra.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.fossinfra.events.Event;
import org.junit.jupiter.api.Test;

/**
 * Transaction ids are a function of what is sent: the same notification or reply always gets the same id (so the
 * homeserver posts a retry once), different ones never share one.
 */
class OutgoingTest {
    private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

    private static Event event(long id, String type, String subject) {
        return new Event(id, T.plusMillis(id), type, "health", subject, subject + " is DOWN", Map.of(), "node-1");
    }

    @Test
    void theSamePartsAlwaysGiveTheSameIdAndItIsShortAndUrlSafe() {
        String a = Outgoing.txnId("fi-n-", List.of("x", "y"));
        assertThat(Outgoing.txnId("fi-n-", List.of("x", "y"))).isEqualTo(a);
        assertThat(a).matches("fi-n-[0-9a-f]{32}");
    }

    @Test
    void differentPartsGiveDifferentIdsEvenWhenTheirTextRunsTogether() {
        assertThat(Outgoing.txnId("p", List.of("ab", "c"))).isNotEqualTo(Outgoing.txnId("p", List.of("a", "bc")));
        assertThat(Outgoing.txnId("p", List.of("a", "b"))).isNotEqualTo(Outgoing.txnId("p", List.of("b", "a")));
        assertThat(Outgoing.txnId("p", List.of("a"))).isNotEqualTo(Outgoing.txnId("q", List.of("a")));
    }

    @Test
    void aGroupedNotificationsIdDependsOnItsEventsOnly() {
        List<Event> group = List.of(event(1, "server.down", "web/web1"), event(2, "server.down", "web/web2"));
        Outgoing first = Messages.notification("node-1", "server.down", group);
        Outgoing again = Messages.notification("node-1", "server.down", List.copyOf(group));
        assertThat(again.txnId()).isEqualTo(first.txnId());
        assertThat(again.body()).isEqualTo(first.body());
        // One event more, or another event with the same text (a later failure of the same server): another id.
        assertThat(Messages.notification("node-1", "server.down", List.of(group.get(0))).txnId())
                .isNotEqualTo(first.txnId());
        assertThat(Messages.notification("node-1", "server.down",
                List.of(event(3, "server.down", "web/web1"), group.get(1))).txnId()).isNotEqualTo(first.txnId());
    }

    @Test
    void aReplysIdIsTheCommandsWhateverTheAnswerSays() {
        Outgoing a = Messages.reply("!room:x", "$cmd1", "@ops:x", Messages.Reply.plain("web/web2 set to DRAIN"));
        Outgoing b = Messages.reply("!room:x", "$cmd1", "@ops:x", Messages.Reply.plain("web/web2 is already DRAIN"));
        Outgoing c = Messages.reply("!room:x", "$cmd2", "@ops:x", Messages.Reply.plain("web/web2 set to DRAIN"));
        assertThat(b.txnId()).isEqualTo(a.txnId());
        assertThat(c.txnId()).isNotEqualTo(a.txnId());
    }

    @Test
    void theIdSurvivesTheOutboxOnDisk() {
        Outgoing m = Messages.reply("!room:x", "$cmd1", "@ops:x", Messages.Reply.plain("done <b>"));
        Outgoing read = Outgoing.fromJson(new JsonObject(m.toJson().encode()));
        assertThat(read).isEqualTo(m);
    }

    @Test
    void theContentHasAPlainBodyAndEscapedHtml() {
        Outgoing m = Messages.notification("node-1", "server.down",
                List.of(new Event(7, T, "server.down", "health", "web/web1", "web1 <script> is DOWN", Map.of(), "n")));
        JsonObject c = m.content();
        assertThat(c.getString("msgtype")).isEqualTo("m.text");
        assertThat(c.getString("body")).startsWith("🔴 web1 <script> is DOWN (server.down on node-1, ");
        assertThat(c.getString("format")).isEqualTo("org.matrix.custom.html");
        assertThat(c.getString("formatted_body")).contains("web1 &lt;script&gt; is DOWN").doesNotContain("<script>");
        Outgoing reply = Messages.reply("!room:x", "$cmd1", "@ops:x", Messages.Reply.plain("ok"));
        assertThat(reply.content().getJsonObject("m.relates_to").getJsonObject("m.in_reply_to").getString("event_id"))
                .isEqualTo("$cmd1");
        assertThat(reply.content().getString("msgtype")).isEqualTo("m.notice");
    }
}
