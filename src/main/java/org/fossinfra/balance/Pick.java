package org.fossinfra.balance;

import java.util.Objects;

/**
 * The outcome of choosing a server for one request.
 *
 * <p>Hazard: a {@link Chosen} holds a slot already taken with {@link Server#tryAcquire()}; whoever receives it must
 * call {@link Server#release()} exactly once when the request ends, or the server looks busier forever (and with a
 * {@code maxconn}, eventually full).
 */
public sealed interface Pick permits Pick.Chosen, Pick.AllBusy, Pick.NoneAvailable {

    /** A slot on {@code server} has been acquired for this request. */
    record Chosen(Server server) implements Pick {
        public Chosen {
            Objects.requireNonNull(server, "server");
        }
    }

    /** Some servers are eligible but every one of them is at its {@code maxconn}: queue the request. */
    record AllBusy() implements Pick {}

    /** No server is eligible (down, drained, in maintenance or weight 0): answer 503. */
    record NoneAvailable() implements Pick {}

    /** The shared {@link AllBusy} value; picking is on the hot path, so it does not allocate. */
    static AllBusy allBusy() {
        return Candidates.ALL_BUSY;
    }

    /** The shared {@link NoneAvailable} value. */
    static NoneAvailable noneAvailable() {
        return Candidates.NONE_AVAILABLE;
    }
}
