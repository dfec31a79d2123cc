package org.fossinfra.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One scripted answer of a {@link FakeServer}: raw bytes exactly as given (so a test can send malformed ones), a
 * close, a reset, silence, or any of these after a delay or behind a {@link Gate}.
 */
@FunctionalInterface
public interface Reply {
    /** How long a reply waits behind a gate at most, so a forgotten gate can't hang the suite. */
    Duration GATE_LIMIT = Duration.ofSeconds(30);

    /**
     * Performs the answer on the connection's thread.
     *
     * @return whether the connection stays open for the next request
     */
    boolean perform(FakeServer.Exchange x) throws IOException, InterruptedException;

    /** These bytes, ISO-8859-1, exactly; the connection stays open. */
    static Reply raw(String bytes) {
        return raw(bytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Reply raw(byte[] bytes) {
        return x -> {
            x.write(bytes);
            return true;
        };
    }

    /** 200 OK with a Content-Length body. */
    static Reply ok(String body) {
        return status(200, "OK", body);
    }

    static Reply status(int status, String reason, String body) {
        return raw("HTTP/1.1 " + status + " " + reason + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
    }

    /** Closes the connection (FIN) without answering. */
    static Reply close() {
        return x -> false;
    }

    /** Resets the connection (RST: SO_LINGER 0) without answering. */
    static Reply reset() {
        return x -> {
            x.reset();
            return false;
        };
    }

    /** Never answers: keeps reading (and recording) until the peer closes. */
    static Reply never() {
        return x -> {
            x.drainUntilClosed();
            return false;
        };
    }

    /** {@code then}, after {@code delay}. */
    static Reply delay(Duration delay, Reply then) {
        return x -> {
            Thread.sleep(delay.toMillis());
            return then.perform(x);
        };
    }

    /** {@code then}, once {@code gate} opens (closes the connection if it stays shut for {@link #GATE_LIMIT}). */
    static Reply await(Gate gate, Reply then) {
        return x -> gate.await(GATE_LIMIT) && then.perform(x);
    }

    /** This reply, then close the connection (a close-delimited response, or a server that won't keep alive). */
    default Reply thenClose() {
        return x -> {
            perform(x);
            return false;
        };
    }
}
