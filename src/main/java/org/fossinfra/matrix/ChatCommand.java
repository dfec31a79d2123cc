package org.fossinfra.matrix;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fossinfra.balance.AdminState;
import org.fossinfra.balance.Server;

/**
 * A chat command as parsed from a message body. Parsing never fails: what is not a command is empty, an unknown word
 * is {@link Unknown}, and a known word with wrong arguments is {@link Malformed} carrying its usage line.
 */
sealed interface ChatCommand {
    /** The commands, each with its usage, for !help and for the usage line of a malformed one. */
    String HELP = """
            !help                 this list
            !status               the node at a glance: backends, servers, services, alerts
            !backends [name]      every backend, or one backend's servers
            !events [n]           the last n events (default 10, at most 50)
            !drain b/s            stop sending new requests to server s of backend b (operators)
            !ready b/s            take server s back into rotation (operators)
            !maint b/s            maintenance: like drain, and health checks pause (operators)
            !weight b/s n         set the server's weight, 0..256 (operators)""";
    int DEFAULT_EVENTS = 10;
    int MAX_EVENTS = 50;

    /** Whether the command changes the node, and so is for operators only. */
    default boolean changesState() {
        return false;
    }

    record Help() implements ChatCommand {
    }

    record Status() implements ChatCommand {
    }

    /** @param backend one backend's servers, or empty for every backend */
    record Backends(Optional<String> backend) implements ChatCommand {
    }

    record Events(int limit) implements ChatCommand {
    }

    /** !drain, !ready, !maint. */
    record SetState(String backend, String server, AdminState state) implements ChatCommand {
        @Override
        public boolean changesState() {
            return true;
        }
    }

    record SetWeight(String backend, String server, int weight) implements ChatCommand {
        @Override
        public boolean changesState() {
            return true;
        }
    }

    /** {@code !word} that is no command of ours. */
    record Unknown(String word) implements ChatCommand {
    }

    /** A known command with wrong arguments: what is wrong and how to write it. */
    record Malformed(String word, String problem, String usage) implements ChatCommand {
    }

    /** Names as the config allows them (letters, digits, '_', '.', '-'), so nothing else reaches the control API. */
    Pattern TARGET = Pattern.compile("([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)");

    /** The command in a message body, or empty when the body is not a command (it does not start with '!'). */
    static Optional<ChatCommand> parse(String body) {
        String text = body.strip();
        if (!text.startsWith("!") || text.length() < 2 || Character.isWhitespace(text.charAt(1))) {
            return Optional.empty();
        }
        String[] words = text.substring(1).split("\\s+");
        String word = words[0].toLowerCase(Locale.ROOT);
        int args = words.length - 1;
        ChatCommand c = switch (word) {
            case "help" -> new Help();
            case "status" -> new Status();
            case "backends" -> args == 0 ? new Backends(Optional.empty())
                    : args == 1 ? new Backends(Optional.of(words[1]))
                    : new Malformed(word, "too many arguments", "!backends [name]");
            case "events" -> events(words);
            case "drain" -> state(word, words, AdminState.DRAIN);
            case "ready" -> state(word, words, AdminState.READY);
            case "maint" -> state(word, words, AdminState.MAINT);
            case "weight" -> weight(words);
            default -> new Unknown(word);
        };
        return Optional.of(c);
    }

    private static ChatCommand events(String[] words) {
        String usage = "!events [n], n from 1 to " + MAX_EVENTS;
        if (words.length == 1) {
            return new Events(DEFAULT_EVENTS);
        }
        if (words.length > 2) {
            return new Malformed("events", "too many arguments", usage);
        }
        try {
            int n = Integer.parseInt(words[1]);
            if (n < 1 || n > MAX_EVENTS) {
                return new Malformed("events", n + " is out of range", usage);
            }
            return new Events(n);
        } catch (NumberFormatException e) {
            return new Malformed("events", "'" + words[1] + "' is not a number", usage);
        }
    }

    private static ChatCommand state(String word, String[] words, AdminState state) {
        String usage = "!" + word + " backend/server, e.g. !" + word + " web/web2";
        if (words.length != 2) {
            return new Malformed(word, words.length == 1 ? "which server?" : "too many arguments", usage);
        }
        Matcher m = TARGET.matcher(words[1]);
        if (!m.matches()) {
            return new Malformed(word, "'" + words[1] + "' is not backend/server", usage);
        }
        return new SetState(m.group(1), m.group(2), state);
    }

    private static ChatCommand weight(String[] words) {
        String usage = "!weight backend/server n, n from 0 to 256, e.g. !weight web/web2 50";
        if (words.length != 3) {
            return new Malformed("weight", words.length < 3 ? "which server, and what weight?" : "too many arguments",
                    usage);
        }
        Matcher m = TARGET.matcher(words[1]);
        if (!m.matches()) {
            return new Malformed("weight", "'" + words[1] + "' is not backend/server", usage);
        }
        int weight;
        try {
            weight = Integer.parseInt(words[2]);
        } catch (NumberFormatException e) {
            return new Malformed("weight", "'" + words[2] + "' is not a number", usage);
        }
        if (weight < Server.MIN_WEIGHT || weight > Server.MAX_WEIGHT) {
            return new Malformed("weight", weight + " is out of range", usage);
        }
        return new SetWeight(m.group(1), m.group(2), weight);
    }
}
