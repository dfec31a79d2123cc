package org.fossinfra.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One rule's counts in one store: {@link #acquire} counts a request for a key and answers with a {@link Decision}.
 * The in-process store answers before {@code acquire} returns; a remote store answers later, from its own I/O.
 *
 * <p>The answer goes to an {@link Answer} with the caller's {@code tag}, so that a caller on the hot path can pass
 * the same listener every time (no lambda per request) and recognise an answer that comes too late, after it gave up
 * waiting and moved on.
 *
 * <p>Hazard: {@code acquire} never blocks, and the answer may come on another thread than the caller's; a caller
 * bound to a thread (an event loop) must hop back to it.
 */
public interface Limiter {

    /** Counts one request for {@code key}; the decision goes to {@code answer} with {@code tag}, now or later. */
    void acquire(String key, long tag, Answer answer);

    /** As {@link #acquire(String, long, Answer)}, as a future: for tests and code off the hot path. */
    default CompletionStage<Decision> acquire(String key) {
        CompletableFuture<Decision> f = new CompletableFuture<>();
        acquire(key, 0, (tag, decision) -> f.complete(decision));
        return f;
    }

    /** Receives decisions. */
    @FunctionalInterface
    interface Answer {
        void onDecision(long tag, Decision decision);
    }
}
