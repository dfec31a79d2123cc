/**
 * The Matrix ops room: a client-server API v3 client, the notifier that posts the node's events there, and the chat
 * commands operators run from it.
 */
package org.fossinfra.matrix;
