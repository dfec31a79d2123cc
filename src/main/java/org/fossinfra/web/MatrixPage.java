package org.fossinfra.web;

import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.fossinfra.matrix.MatrixBot;
import org.fossinfra.matrix.MatrixMessage;
import org.fossinfra.matrix.MatrixStatus;
import org.fossinfra.metrics.Tick;

/**
 * The Matrix page (matrix.jte): the bot's connection to the homeserver and the ops room's newest messages, both what
 * the bot posted and what people said, live. Without an enabled {@code matrix:} section it says so.
 *
 * <p>Reads only what the bot already holds in memory ({@link MatrixBot#status()}, {@link MatrixBot#roomMessages()}):
 * rendering never waits for the homeserver, so a dead homeserver cannot slow the dashboard.
 */
final class MatrixPage implements LivePage {
    /** Messages listed; the room has the rest. */
    static final int MESSAGES = 30;

    /** Everything matrix.jte shows; {@code status} is empty when Matrix is not configured. */
    record View(Chrome chrome, Optional<MatrixStatus> status, List<MatrixMessage> messages, long nowMillis) {
        /** The state as a word: connected, retrying, starting, stopped. */
        String state() {
            return status.map(s -> s.state().name().toLowerCase(Locale.ROOT)).orElse("not configured");
        }

        /** The badge colour of the state, from the classes the other pages use. */
        String badge() {
            return switch (status.map(MatrixStatus::state).orElse(MatrixStatus.State.STOPPED)) {
                case CONNECTED -> "up";
                case RETRYING, STARTING -> "degraded";
                case STOPPED -> "down";
            };
        }
    }

    private final Dashboard dashboard;
    private volatile MatrixBot bot;

    MatrixPage(Dashboard dashboard) {
        this.dashboard = dashboard;
    }

    /** The node's bot, once started; until then (and without one) the page says Matrix is not configured. */
    void attach(MatrixBot bot) {
        this.bot = bot;
    }

    @Override
    public String name() {
        return "matrix";
    }

    void show(RoutingContext ctx, Sessions.Session session) {
        Chrome chrome = dashboard.chrome("Matrix", name(), session, null);
        dashboard.html(ctx, 200, dashboard.templates().page("matrix", view(chrome)));
    }

    @Override
    public Map<String, String> parts(Tick tick, String viewKey) {
        View v = view(null);
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("state", dashboard.templates().part("matrix", v, "state"));
        parts.put("messages", dashboard.templates().part("matrix", v, "messages"));
        return parts;
    }

    private View view(Chrome chrome) {
        MatrixBot b = bot;
        if (b == null) {
            return new View(chrome, Optional.empty(), List.of(), System.currentTimeMillis());
        }
        List<MatrixMessage> messages = b.roomMessages();
        return new View(chrome, Optional.of(b.status()), messages.subList(0, Math.min(MESSAGES, messages.size())),
                System.currentTimeMillis());
    }
}
