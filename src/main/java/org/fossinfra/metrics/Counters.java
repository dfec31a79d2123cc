package org.fossinfra.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * Traffic totals of one frontend or backend, striped so that both event loops add without contention.
 * Responses are counted by status class, the way HAProxy's stats page shows them (hrsp_1xx … hrsp_5xx).
 */
public final class Counters {
    private final LongAdder requests = new LongAdder();
    private final LongAdder[] byClass = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(),
        new LongAdder(), new LongAdder()};
    private final LongAdder errors = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder redispatches = new LongAdder();
    private final LongAdder connections = new LongAdder();

    public void request() {
        requests.increment();
    }

    public void response(int status) {
        int c = status / 100;
        byClass[c >= 1 && c <= 5 ? c : 0].increment();
    }

    public void error() {
        errors.increment();
    }

    public void retry() {
        retries.increment();
    }

    public void redispatch() {
        redispatches.increment();
    }

    public void connection() {
        connections.increment();
    }

    public long requests() {
        return requests.sum();
    }

    /** Responses of class {@code c}xx, c in 1..5. */
    public long responses(int c) {
        return byClass[c].sum();
    }

    /** Requests that failed in the proxy: refused at the edge, no server, upstream failure or timeout. */
    public long errors() {
        return errors.sum();
    }

    public long retries() {
        return retries.sum();
    }

    public long redispatches() {
        return redispatches.sum();
    }

    public long connections() {
        return connections.sum();
    }
}
