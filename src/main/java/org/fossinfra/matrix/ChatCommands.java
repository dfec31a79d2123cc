package org.fossinfra.matrix;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fossinfra.control.BackendView;
import org.fossinfra.control.Control;
import org.fossinfra.control.NotFoundException;
import org.fossinfra.control.ServerView;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventType;
import org.fossinfra.health.ServiceStatus;
import org.fossinfra.matrix.Messages.Reply;

/**
 * Runs chat commands against the node, through {@link Control} like the admin API and the dashboard, with the
 * sender's Matrix id as the actor: a drain from chat is an event naming who asked. Commands that change state are for
 * the configured operators only; anyone else gets a short refusal, and the refusal is an event
 * ({@code matrix.command.refused}) so that it shows in the event log and on the dashboard.
 */
final class ChatCommands {
    private final Control control;
    private final String node;
    /** Replaced whole by a reload; read once per command. */
    private volatile Set<String> operators;

    ChatCommands(Control control, String node, List<String> operators) {
        this.control = control;
        this.node = node;
        this.operators = Set.copyOf(operators);
    }

    /** A reload's operators: from the next command on. */
    void operators(List<String> next) {
        operators = Set.copyOf(next);
    }

    /** The answer to {@code command} from {@code sender}; never throws for anything a user can type. */
    Reply handle(String sender, ChatCommand command) {
        if (command.changesState() && !operators.contains(sender)) {
            return refuse(sender, command);
        }
        return switch (command) {
            case ChatCommand.Help h -> new Reply("Commands:\n" + ChatCommand.HELP,
                    "<p>Commands:</p><pre>" + Messages.escape(ChatCommand.HELP) + "</pre>");
            case ChatCommand.Status s -> status();
            case ChatCommand.Backends b -> b.backend().isPresent() ? backend(b.backend().get()) : backends();
            case ChatCommand.Events e -> events(e.limit());
            case ChatCommand.SetState s -> setState(sender, s);
            case ChatCommand.SetWeight w -> setWeight(sender, w);
            case ChatCommand.Unknown u -> Reply.plain("Unknown command !" + u.word() + ". Try !help.");
            case ChatCommand.Malformed m -> Reply.plain("!" + m.word() + ": " + m.problem()
                    + (m.problem().endsWith("?") ? "" : ".") + " Usage: " + m.usage());
        };
    }

    private Reply refuse(String sender, ChatCommand command) {
        String target = switch (command) {
            case ChatCommand.SetState s -> s.backend() + "/" + s.server();
            case ChatCommand.SetWeight w -> w.backend() + "/" + w.server();
            default -> node;
        };
        String what = describe(command);
        control.events().record(EventType.MATRIX_COMMAND_REFUSED, sender, target,
                sender + " is not a Matrix operator of " + node + ": " + what + " refused",
                Map.of("command", what));
        return Reply.plain("Refused: " + sender + " may not run " + what + " (only the users in matrix.operators may"
                + " change the node).");
    }

    private static String describe(ChatCommand command) {
        return switch (command) {
            case ChatCommand.SetState s -> "!" + s.state().name().toLowerCase(java.util.Locale.ROOT) + " "
                    + s.backend() + "/" + s.server();
            case ChatCommand.SetWeight w -> "!weight " + w.backend() + "/" + w.server() + " " + w.weight();
            default -> command.toString();
        };
    }

    private Reply setState(String sender, ChatCommand.SetState s) {
        try {
            ServerView before = control.server(s.backend(), s.server());
            ServerView after = control.setState(sender, s.backend(), s.server(), s.state());
            String name = s.backend() + "/" + s.server();
            if (before.admin() == s.state()) {
                return Reply.plain(name + " is already " + s.state() + "; nothing changed.");
            }
            return Reply.plain(name + " set to " + s.state() + " (was " + before.admin() + "); status now "
                    + after.status() + ", " + after.active() + " active connection(s).");
        } catch (NotFoundException e) {
            return Reply.plain(e.getMessage());
        }
    }

    private Reply setWeight(String sender, ChatCommand.SetWeight w) {
        try {
            ServerView before = control.server(w.backend(), w.server());
            control.setWeight(sender, w.backend(), w.server(), w.weight());
            String name = w.backend() + "/" + w.server();
            return Reply.plain(before.weight() == w.weight() ? name + " already has weight " + w.weight()
                    + "; nothing changed." : name + " weight set to " + w.weight() + " (was " + before.weight() + ").");
        } catch (NotFoundException | IllegalArgumentException e) {
            return Reply.plain(e.getMessage());
        }
    }

    private Reply status() {
        List<BackendView> backends = control.backends();
        int servers = 0;
        int up = 0;
        for (BackendView b : backends) {
            servers += b.servers().size();
            up += b.serversUp();
        }
        StringBuilder text = new StringBuilder(node + ": " + backends.size() + " backend(s), " + up + " of " + servers
                + " server(s) UP");
        List<String> lines = backendLines(backends);
        List<ServiceStatus> services = control.services();
        if (!services.isEmpty()) {
            List<String> s = new ArrayList<>();
            services.forEach(x -> s.add(x.name() + " " + x.state()));
            lines.add("services: " + String.join(", ", s));
        } else {
            lines.add("services: none watched");
        }
        // There is no alerting engine yet: say so rather than imply that zero alerts fire.
        lines.add("alerts: no alerting configured");
        return list(text.toString(), lines);
    }

    private Reply backends() {
        List<BackendView> backends = control.backends();
        return list(backends.size() + " backend(s) on " + node, backendLines(backends));
    }

    private static List<String> backendLines(List<BackendView> backends) {
        List<String> lines = new ArrayList<>();
        for (BackendView b : backends) {
            List<String> notUp = new ArrayList<>();
            for (ServerView s : b.servers()) {
                if (!s.status().equals("UP")) {
                    notUp.add(s.name() + " " + s.status());
                }
            }
            lines.add(b.name() + ": " + b.serversUp() + "/" + b.servers().size() + " UP (" + b.balance() + ")"
                    + (notUp.isEmpty() ? "" : "; " + String.join(", ", notUp)));
        }
        return lines;
    }

    private Reply backend(String name) {
        BackendView b;
        try {
            b = control.backend(name);
        } catch (NotFoundException e) {
            return Reply.plain(e.getMessage());
        }
        List<String> lines = new ArrayList<>();
        for (ServerView s : b.servers()) {
            lines.add(s.name() + " " + s.status() + (s.backup() ? " (backup)" : "") + ", weight " + s.weight() + ", "
                    + s.active() + " active" + (s.check() == null ? "" : ", check: " + s.check().lastResult()));
        }
        return list(b.name() + ": " + b.serversUp() + "/" + b.servers().size() + " UP (" + b.balance() + ")", lines);
    }

    private Reply events(int limit) {
        List<Event> recent = control.events().recent(limit, null);
        List<String> lines = new ArrayList<>();
        for (Event e : recent) {
            lines.add(Messages.time(e.time()) + " " + e.type() + " " + e.message());
        }
        return list(recent.isEmpty() ? "No events yet." : "The last " + recent.size() + " event(s), newest first (UTC):",
                lines);
    }

    /** A heading and a list, as text and as HTML. */
    private static Reply list(String heading, List<String> lines) {
        StringBuilder text = new StringBuilder(heading);
        StringBuilder html = new StringBuilder("<p>").append(Messages.escape(heading)).append("</p>");
        if (!lines.isEmpty()) {
            html.append("<ul>");
            for (String l : lines) {
                text.append("\n• ").append(l);
                html.append("<li>").append(Messages.escape(l)).append("</li>");
            }
            html.append("</ul>");
        }
        return new Reply(text.toString(), html.toString());
    }
}
