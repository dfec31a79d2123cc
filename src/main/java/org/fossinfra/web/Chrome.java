package org.fossinfra.web;

/**
 * What every dashboard page's frame shows (layout.jte): the title, which tab is active, the node, who is signed in and
 * the CSRF token that the page's forms and htmx requests send back.
 *
 * @param page   the active tab: overview, backends, events, host or database
 * @param stream the page's live stream, e.g. {@code /stream/overview}
 * @param script the page's JS hook (an asset name), or null
 */
record Chrome(String title, String page, String node, String user, String csrf, String stream, String script,
              Assets assets) {
}
