package org.fossinfra.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A frontend's identity across reloads: its listener, the current routing snapshot, live connections and totals.
 * Connections keep a reference to the slot, not to a snapshot, so they pick up a reload on their next request.
 */
final class FrontendSlot {
    final String name;
    volatile FrontendRuntime current;
    volatile Channel listener;
    final AtomicInteger live = new AtomicInteger();
    final Counters counters = new Counters();

    FrontendSlot(String name) {
        this.name = name;
    }

    InetSocketAddress boundAddress() {
        Channel l = listener;
        return l == null ? null : (InetSocketAddress) l.localAddress();
    }
}
