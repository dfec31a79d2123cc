package org.fossinfra.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The reading half of a blocking socket with its own buffer, shared by {@link RawClient} and {@link FakeServer}:
 * heads, lines, exact lengths and streams, every read bounded by a deadline (or none, for a server thread that a
 * close interrupts).
 *
 * <p>Every byte taken from the socket goes to the {@link Tap} first, so a recording sees the bytes as they arrived,
 * whether or not a parser consumed them.
 *
 * <p>Hazard: a connection reset counts as the end of the stream ({@link #wasReset()} tells the two apart); a timeout
 * is an {@link AssertionError} naming what was awaited and what had arrived, because in a test it always means the
 * proxy did not do what was expected.
 */
final class WireIn extends InputStream {
    /** Receives every byte read from the socket, in order. */
    interface Tap {
        void onBytes(byte[] b, int off, int len);
    }

    /** No deadline: block until data, end of stream or close. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    private final Socket socket;
    private final InputStream in;
    private final Tap tap;
    private byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;
    private boolean eof;
    private boolean reset;
    private long deadline = NO_DEADLINE;
    private String awaiting = "data";

    WireIn(Socket socket, Tap tap) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.tap = tap;
    }

    /** Sets the deadline (System.nanoTime()) for the reads that follow, and what they wait for, for messages. */
    WireIn until(long deadlineNanos, String what) {
        this.deadline = deadlineNanos;
        this.awaiting = what;
        return this;
    }

    boolean wasReset() {
        return reset;
    }

    /** Bytes already read from the socket and not yet consumed. */
    int buffered() {
        return lim - pos;
    }

    /** Whether the stream ended, once the buffered bytes are consumed. */
    boolean atEnd() throws IOException {
        return pos == lim && !fill();
    }

    /** Reads more from the socket into the buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (pos == lim) {
            pos = 0;
            lim = 0;
        } else if (lim == buf.length) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                lim -= pos;
                pos = 0;
            } else {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
        }
        int n;
        try {
            if (deadline != NO_DEADLINE) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw timeout();
                }
                socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
            } else {
                socket.setSoTimeout(0);
            }
            n = in.read(buf, lim, buf.length - lim);
        } catch (SocketTimeoutException e) {
            throw timeout();
        } catch (SocketException e) {
            if (socket.isClosed()) {
                throw e; // closed by our side: the owner is shutting down
            }
            reset = true; // "Connection reset" and friends: the peer is gone
            n = -1;
        }
        if (n < 0) {
            eof = true;
            return false;
        }
        tap.onBytes(buf, lim, n);
        lim += n;
        return true;
    }

    /** Running out of time: in a test, always the proxy not doing what was expected. */
    static final class Timeout extends AssertionError {
        Timeout(String message) {
            super(message);
        }
    }

    private Timeout timeout() {
        String got = new String(buf, pos, Math.min(lim - pos, 2000), StandardCharsets.ISO_8859_1);
        return new Timeout("timed out waiting for " + awaiting + "; unread bytes: "
                + (got.isEmpty() ? "(none)" : Printable.of(got)));
    }

    /**
     * A message head: bytes up to and including the empty line (CRLF CRLF, or LF LF from a sloppy peer).
     *
     * @return null when the stream ends cleanly before any byte of a head
     * @throws EOFException when it ends in the middle of a head
     */
    byte[] readHead(int max) throws IOException {
        int scanned = 0; // relative to pos, which a fill may move
        while (true) {
            for (int i = pos + scanned; i < lim; i++) {
                if (buf[i] == '\n' && ((i >= pos + 1 && buf[i - 1] == '\n')
                        || (i >= pos + 3 && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r'))) {
                    byte[] head = Arrays.copyOfRange(buf, pos, i + 1);
                    pos = i + 1;
                    return head;
                }
            }
            scanned = lim - pos;
            if (lim - pos > max) {
                throw new IOException("head longer than " + max + " bytes");
            }
            if (!fill()) {
                if (pos == lim) {
                    return null;
                }
                throw new EOFException("stream ended in the middle of a head: "
                        + Printable.of(new String(buf, pos, lim - pos, StandardCharsets.ISO_8859_1)));
            }
        }
    }

    /** One line including its LF. */
    byte[] readLine(int max) throws IOException {
        int scanned = 0; // relative to pos, which a fill may move
        while (true) {
            for (int i = pos + scanned; i < lim; i++) {
                if (buf[i] == '\n') {
                    byte[] line = Arrays.copyOfRange(buf, pos, i + 1);
                    pos = i + 1;
                    return line;
                }
            }
            scanned = lim - pos;
            if (lim - pos > max) {
                throw new IOException("line longer than " + max + " bytes");
            }
            if (!fill()) {
                throw new EOFException("stream ended in the middle of a line");
            }
        }
    }

    byte[] readExactly(int n) throws IOException {
        byte[] out = new byte[n];
        int got = 0;
        while (got < n) {
            int r = read(out, got, n - got);
            if (r < 0) {
                throw new EOFException("stream ended after " + got + " of " + n + " bytes");
            }
            got += r;
        }
        return out;
    }

    /** Everything up to the end of the stream. */
    byte[] readToEnd() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[16 * 1024];
        int r;
        while ((r = read(b, 0, b.length)) >= 0) {
            out.write(b, 0, r);
        }
        return out.toByteArray();
    }

    @Override
    public int read() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == lim && !fill()) {
            return -1;
        }
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return lim - pos;
    }
}
