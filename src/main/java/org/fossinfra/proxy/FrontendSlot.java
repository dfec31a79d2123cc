package org.fossinfra.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.fossinfra.metrics.Counters;
import org.fossinfra.metrics.TrafficMeters;

/**
 * A frontend's identity across reloads: its listener, the current routing snapshot, live connections and totals.
 * Connections keep a reference to the slot, not to a snapshot, so they pick up a reload on their next request.
 */
final class FrontendSlot {
    final String name;
    volatile FrontendRuntime current;
    volatile Channel listener;
    final AtomicInteger live = new AtomicInteger();
    final Counters counters;
    final TrafficMeters.FrontendMeters meters;

    FrontendSlot(String name, TrafficMeters.FrontendMeters meters) {
        this.name = name;
        this.meters = meters;
        this.counters = meters.counters();
    }

    InetSocketAddress boundAddress() {
        Channel l = listener;
        return l == null ? null : (InetSocketAddress) l.localAddress();
    }
}
