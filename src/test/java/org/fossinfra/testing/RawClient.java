package org.fossinfra.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A client on a raw socket (VTest's {@code client c1}): sends exactly the bytes a test gives, malformed ones included,
 * and reads responses by their framing (Content-Length, chunked, or until close), keeping the raw bytes too.
 *
 * <p>Never hangs: every read has a deadline ({@link #DEFAULT_TIMEOUT} unless set), and running out of time is an
 * {@link AssertionError} saying what was awaited and what had arrived.
 */
public final class RawClient implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_HEAD = 1 << 20;

    /** A response as the client read it. */
    public record Response(String version, int status, String reason, Headers headers, byte[] body, byte[] raw) {
        public String header(String name) {
            return headers.get(name);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        /** Every byte of this response as received, head and framing included. */
        public String rawText() {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }

        /** Whether the response says the connection closes after it. */
        public boolean saysClose() {
            return headers.hasToken("Connection", "close");
        }
    }

    private final Socket socket;
    private final WireIn in;
    private final OutputStream out;
    private final ByteArrayOutputStream currentRaw = new ByteArrayOutputStream();
    private Duration timeout = DEFAULT_TIMEOUT;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new WireIn(socket, (b, off, len) -> {
        });
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port}. */
    public static RawClient connect(int port) throws IOException {
        return connect(port, null);
    }

    /**
     * Connects from a chosen local address, e.g. 127.0.0.2 (any 127/8 address is local on Linux), so that a test can
     * play several clients for source hashing.
     */
    public static RawClient connect(int port, String localAddress) throws IOException {
        return connect(InetAddress.getLoopbackAddress(), port, localAddress);
    }

    /** Connects to {@code address}:{@code port}, e.g. ::1 for a frontend bound to [::1]. */
    public static RawClient connect(InetAddress address, int port, String localAddress) throws IOException {
        Socket s = new Socket();
        if (localAddress != null) {
            s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        }
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(address, port), (int) DEFAULT_TIMEOUT.toMillis());
        return new RawClient(s);
    }

    /** Sets the time each read operation may take from now on. */
    public RawClient timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    // ---------------------------------------------------------------- sending

    /** Sends these characters as ISO-8859-1 bytes, in one write. */
    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** The socket's output, for streaming uploads. */
    public OutputStream output() {
        return out;
    }

    /** Half-closes: sends a FIN, keeps reading. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    // ---------------------------------------------------------------- reading

    /** Reads one response (1xx included) with its body, framed by Content-Length, chunked, or the connection closing. */
    public Response readResponse() throws IOException {
        return read(true, "a response");
    }

    /** Reads one response that has no body whatever its headers say (to a HEAD request). */
    public Response readResponseWithoutBody() throws IOException {
        return read(false, "a response without body");
    }

    /** Reads a response head only; the body stays unread, for {@link #input()}. */
    public Response readResponseHead() throws IOException {
        currentRaw.reset();
        in.until(deadline(), "a response head");
        byte[] head = in.readHead(MAX_HEAD);
        if (head == null) {
            throw new EOFException("connection closed before a response" + (in.wasReset() ? " (reset)" : ""));
        }
        currentRaw.write(head, 0, head.length);
        return parseHead(head, new byte[0]);
    }

    private Response read(boolean bodyAllowed, String what) throws IOException {
        Response h = readResponseHead();
        in.until(deadline(), what + " body");
        byte[] body;
        int status = h.status();
        if (!bodyAllowed || (status >= 100 && status < 200) || status == 204 || status == 304) {
            body = new byte[0];
        } else if (h.headers().hasToken("Transfer-Encoding", "chunked")) {
            body = readChunked();
        } else if (h.header("Content-Length") != null) {
            long n = Long.parseLong(h.header("Content-Length").split(",")[0].strip());
            body = in.readExactly((int) n);
            currentRaw.write(body, 0, body.length);
        } else {
            body = in.readToEnd();
            currentRaw.write(body, 0, body.length);
        }
        return new Response(h.version(), status, h.reason(), h.headers(), body, currentRaw.toByteArray());
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            byte[] line = in.readLine(64 * 1024);
            currentRaw.write(line, 0, line.length);
            String size = new String(line, StandardCharsets.ISO_8859_1).strip();
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).strip(), 16);
            if (n == 0) {
                while (true) {
                    byte[] trailer = in.readLine(64 * 1024);
                    currentRaw.write(trailer, 0, trailer.length);
                    if (trailer.length <= 2 && (trailer[0] == '\r' || trailer[0] == '\n')) {
                        return body.toByteArray();
                    }
                }
            }
            byte[] data = in.readExactly(n);
            currentRaw.write(data, 0, data.length);
            body.write(data, 0, data.length);
            byte[] crlf = in.readLine(16);
            currentRaw.write(crlf, 0, crlf.length);
        }
    }

    private static Response parseHead(byte[] head, byte[] body) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r?\n")));
        String statusLine = lines.removeFirst();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new AssertionError("not a status line: " + Printable.of(statusLine));
        }
        return new Response(parts[0], Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "",
                Headers.parse(lines), body, head);
    }

    /** Exactly {@code n} bytes, e.g. a WebSocket frame. */
    public byte[] readExactly(int n) throws IOException {
        in.until(deadline(), n + " bytes");
        return in.readExactly(n);
    }

    /** Everything until the peer closes the connection. */
    public byte[] readUntilClosed() throws IOException {
        in.until(deadline(), "the connection to close");
        return in.readToEnd();
    }

    /** The rest of the input (buffered bytes first), for streaming downloads; reads honour the current timeout. */
    public InputStream input() {
        in.until(deadline(), "response bytes");
        return in;
    }

    /**
     * Whether the peer closes (FIN or reset) within the timeout. Bytes that arrive meanwhile are an error: after a
     * response that said it was the last, nothing more may come.
     */
    public boolean isClosed() throws IOException {
        return isClosedWithin(timeout);
    }

    public boolean isClosedWithin(Duration wait) throws IOException {
        in.until(System.nanoTime() + wait.toNanos(), "the connection to close");
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        try {
            int r;
            while ((r = in.read(b, 0, b.length)) >= 0) {
                extra.write(b, 0, r);
            }
        } catch (WireIn.Timeout e) {
            if (extra.size() == 0) {
                return false;
            }
        }
        if (extra.size() > 0) {
            throw new AssertionError("expected the connection to close, but received more: "
                    + Printable.of(extra.toString(StandardCharsets.ISO_8859_1)));
        }
        return true;
    }

    /** Whether the connection is still open, with nothing received, after {@code wait}. */
    public boolean staysOpenFor(Duration wait) throws IOException {
        return !isClosedWithin(wait);
    }

    /** Whether the last end of stream was a reset rather than a FIN. */
    public boolean wasReset() {
        return in.wasReset();
    }

    private long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Sends, turning a socket error (the proxy closed first) into false, for tests that only care about the outcome. */
    public boolean trySend(String text) {
        try {
            send(text);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
