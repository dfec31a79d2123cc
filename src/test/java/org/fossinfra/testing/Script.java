package org.fossinfra.testing;

import java.util.List;
import java.util.function.Function;

/**
 * What a {@link FakeServer} answers to each request it receives, decided per request (VTest's {@code rxreq/txresp}
 * pairs). Called on the connection's thread once the whole request, body included, has arrived.
 */
@FunctionalInterface
public interface Script {
    Reply respond(FakeServer.Request request);

    /** The same reply to every request. */
    static Script always(Reply reply) {
        return r -> reply;
    }

    /** 200 with {@code body} to every request: a server that tells tests its name. */
    static Script ok(String body) {
        return always(Reply.ok(body));
    }

    /** The n-th request the server receives (over all connections) gets the n-th reply; the last one repeats. */
    static Script sequence(Reply... replies) {
        List<Reply> list = List.of(replies);
        return r -> list.get(Math.min(r.seq(), list.size() - 1));
    }

    /** The reply chosen by a function of the request, e.g. by its target. */
    static Script by(Function<FakeServer.Request, Reply> f) {
        return f::apply;
    }
}
