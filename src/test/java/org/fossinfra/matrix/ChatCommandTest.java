package org.fossinfra.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.fossinfra.balance.AdminState;
import org.junit.jupiter.api.Test;

/** Parsing chat commands, and the answers to malformed ones: a usage line, never an exception. */
class ChatCommandTest {
    private static ChatCommand parse(String body) {
        return ChatCommand.parse(body).orElseThrow(() -> new AssertionError("not a command: " + body));
    }

    @Test
    void textThatDoesNotStartWithAnExclamationMarkIsNoCommand() {
        for (String body : List.of("hello", "", "   ", "!", "! help", "drain web/web2", "say !help")) {
            assertThat(ChatCommand.parse(body)).as(body).isEmpty();
        }
    }

    @Test
    void theReadOnlyCommandsParse() {
        assertThat(parse("!help")).isEqualTo(new ChatCommand.Help());
        assertThat(parse("  !HELP  ")).isEqualTo(new ChatCommand.Help());
        assertThat(parse("!status")).isEqualTo(new ChatCommand.Status());
        assertThat(parse("!backends")).isEqualTo(new ChatCommand.Backends(Optional.empty()));
        assertThat(parse("!backends web")).isEqualTo(new ChatCommand.Backends(Optional.of("web")));
        assertThat(parse("!events")).isEqualTo(new ChatCommand.Events(ChatCommand.DEFAULT_EVENTS));
        assertThat(parse("!events 5")).isEqualTo(new ChatCommand.Events(5));
        assertThat(parse("!events 50")).isEqualTo(new ChatCommand.Events(50));
        assertThat(parse("!status").changesState()).isFalse();
    }

    @Test
    void theStateChangingCommandsParseAndSayTheyChangeState() {
        assertThat(parse("!drain web/web2")).isEqualTo(new ChatCommand.SetState("web", "web2", AdminState.DRAIN));
        assertThat(parse("!ready web/web2")).isEqualTo(new ChatCommand.SetState("web", "web2", AdminState.READY));
        assertThat(parse("!maint api/api-1.b")).isEqualTo(new ChatCommand.SetState("api", "api-1.b", AdminState.MAINT));
        assertThat(parse("!weight web/web2 50")).isEqualTo(new ChatCommand.SetWeight("web", "web2", 50));
        assertThat(parse("!weight web/web2 0")).isEqualTo(new ChatCommand.SetWeight("web", "web2", 0));
        assertThat(parse("!weight\tweb/web2   256")).isEqualTo(new ChatCommand.SetWeight("web", "web2", 256));
        assertThat(parse("!drain web/web2").changesState()).isTrue();
        assertThat(parse("!weight web/web2 1").changesState()).isTrue();
    }

    @Test
    void anUnknownWordIsUnknown() {
        assertThat(parse("!frobnicate web")).isEqualTo(new ChatCommand.Unknown("frobnicate"));
    }

    @Test
    void malformedCommandsCarryWhatIsWrongAndTheirUsage() {
        assertMalformed("!drain", "drain", "which server?", "!drain backend/server, e.g. !drain web/web2");
        assertMalformed("!drain web", "drain", "'web' is not backend/server", "!drain backend/server, e.g. !drain web/web2");
        assertMalformed("!ready web/web2 now", "ready", "too many arguments", "!ready backend/server, e.g. !ready web/web2");
        assertMalformed("!maint <b>/x", "maint", "'<b>/x' is not backend/server", "!maint backend/server, e.g. !maint web/web2");
        String weightUsage = "!weight backend/server n, n from 0 to 256, e.g. !weight web/web2 50";
        assertMalformed("!weight web/web2", "weight", "which server, and what weight?", weightUsage);
        assertMalformed("!weight web/web2 heavy", "weight", "'heavy' is not a number", weightUsage);
        assertMalformed("!weight web/web2 257", "weight", "257 is out of range", weightUsage);
        assertMalformed("!weight web/web2 -1", "weight", "-1 is out of range", weightUsage);
        assertMalformed("!weight web/web2 99999999999", "weight", "'99999999999' is not a number", weightUsage);
        assertMalformed("!weight web 5", "weight", "'web' is not backend/server", weightUsage);
        assertMalformed("!weight web/web2 5 6", "weight", "too many arguments", weightUsage);
        assertMalformed("!events 0", "events", "0 is out of range", "!events [n], n from 1 to 50");
        assertMalformed("!events 51", "events", "51 is out of range", "!events [n], n from 1 to 50");
        assertMalformed("!events many", "events", "'many' is not a number", "!events [n], n from 1 to 50");
        assertMalformed("!events 1 2", "events", "too many arguments", "!events [n], n from 1 to 50");
        assertMalformed("!backends a b", "backends", "too many arguments", "!backends [name]");
    }

    @Test
    void theAnswerToAMalformedCommandIsOneUsageLineAndNoTrace() {
        // Malformed and unknown commands never reach the node: no Control is needed to answer them.
        ChatCommands commands = new ChatCommands(null, "node-1", List.of("@ops:example.org"));
        assertThat(commands.handle("@ops:example.org", parse("!drain")).text())
                .isEqualTo("!drain: which server? Usage: !drain backend/server, e.g. !drain web/web2");
        assertThat(commands.handle("@ops:example.org", parse("!weight web/web2 heavy")).text())
                .isEqualTo("!weight: 'heavy' is not a number. Usage: !weight backend/server n, n from 0 to 256, e.g."
                        + " !weight web/web2 50");
        assertThat(commands.handle("@anyone:example.org", parse("!nope")).text())
                .isEqualTo("Unknown command !nope. Try !help.");
        for (String body : List.of("!drain", "!drain x", "!weight", "!weight a/b c", "!events -3", "!events 1 2 3",
                "!ready ///", "!maint a/b/c", "!backends a b c", "!weight a/b 1e9", "!drain \u0000/\u0001")) {
            String text = commands.handle("@ops:example.org", parse(body)).text();
            assertThat(text).as(body).contains("Usage: ").doesNotContain("Exception").doesNotContain("\n\tat ");
            assertThat(text.lines()).as(body).hasSize(1);
        }
    }

    @Test
    void helpListsEveryCommand() {
        ChatCommands commands = new ChatCommands(null, "node-1", List.of());
        String help = commands.handle("@anyone:example.org", parse("!help")).text();
        for (String c : List.of("!help", "!status", "!backends", "!events", "!drain", "!ready", "!maint", "!weight")) {
            assertThat(help).contains(c);
        }
        assertThat(commands.handle("@anyone:example.org", parse("!help")).html()).startsWith("<p>Commands:</p><pre>");
    }

    private static void assertMalformed(String body, String word, String problem, String usage) {
        assertThat(parse(body)).as(body).isEqualTo(new ChatCommand.Malformed(word, problem, usage));
    }
}
