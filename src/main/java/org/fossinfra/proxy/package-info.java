/** The data plane: listeners, strict HTTP/1.1 parsing, routing, forwarding with pooled backend connections, tunnels. */
package org.fossinfra.proxy;
