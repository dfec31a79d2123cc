package org.fossinfra.web;

import io.vertx.core.MultiMap;
import java.util.Map;
import org.fossinfra.metrics.Tick;

/**
 * A dashboard page whose parts change while it is open; {@link LiveUpdates} pushes them to its viewers over
 * {@code /stream/<name>}. A part is the inner HTML of the page's element with {@code sse-swap="<part>"} (htmx's SSE
 * extension swaps it in), or JSON for a chart hook.
 */
interface LivePage {
    /** The page's name in its stream's path. */
    String name();

    /**
     * Viewers whose stream query gives the same key see the same parts, rendered once a tick for all of them (the
     * events page's filter, for instance). A key must be canonical and short; most pages have one view: "".
     */
    default String viewKey(MultiMap query) {
        return "";
    }

    /** The parts of one view at this tick, in page order: part name → payload. Called off the event loops. */
    Map<String, String> parts(Tick tick, String viewKey);
}
