package org.fossinfra.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A scripted HTTP/1.1 origin server for scenario tests (VTest's {@code server s1}): a real {@link ServerSocket} served
 * by plain blocking threads, no Netty, so that it shares no code, and no bug, with the proxy under test.
 *
 * <p>It records every byte each connection received, in arrival order, so a test can assert exactly what reached
 * the backend and that nothing did for a refused request. It splits keep-alive traffic into requests (Content-Length
 * and chunked bodies) and answers each as its {@link Script} says. It parses leniently on purpose: a fixture must
 * show what a proxy sent, not reject it.
 *
 * <p>Hazard: the recording keeps bytes in memory; for bulk transfers cap it with
 * {@link Builder#maxRecordedBytes(int)} (bodies are then still counted and checksummed in full).
 */
public final class FakeServer implements AutoCloseable {
    /** A request as the server received it. */
    public record Request(int seq, int connection, int index, String method, String target, String version,
                          Headers headers, byte[] head, byte[] rawBody, byte[] body, long bodyLength, long bodyCrc32) {
        /** The value of the first header field named {@code name}, or null. */
        public String header(String name) {
            return headers.get(name);
        }

        /** The head as received, ISO-8859-1, CRLFs included. */
        public String headText() {
            return new String(head, StandardCharsets.ISO_8859_1);
        }

        /** The body with any chunked framing removed. */
        public String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        /** The request line, e.g. "GET / HTTP/1.1". */
        public String requestLine() {
            return method + " " + target + " " + version;
        }
    }

    /** What a {@link Reply} can do with the connection a request came on. */
    public static final class Exchange {
        private final Conn conn;
        private final Request request;

        private Exchange(Conn conn, Request request) {
            this.conn = conn;
            this.request = request;
        }

        public Request request() {
            return request;
        }

        public void write(byte[] bytes) throws IOException {
            conn.out.write(bytes);
            conn.out.flush();
        }

        public void write(String bytes) throws IOException {
            write(bytes.getBytes(StandardCharsets.ISO_8859_1));
        }

        /** The connection's output, for replies that stream. */
        public OutputStream out() {
            return conn.out;
        }

        /** The connection's remaining input (recorded like the rest), for tunnels. */
        public InputStream in() {
            return conn.in;
        }

        /** Sends an RST instead of a FIN when the connection closes. */
        public void reset() throws IOException {
            conn.socket.setSoLinger(true, 0);
        }

        /** Reads and records until the peer closes. */
        public void drainUntilClosed() throws IOException {
            conn.in.until(WireIn.NO_DEADLINE, "the peer to close");
            byte[] b = new byte[8192];
            while (conn.in.read(b, 0, b.length) >= 0) {
                // recorded by the tap
            }
        }
    }

    public static final class Builder {
        private Script script = Script.ok("ok");
        private String name = "fake";
        private int maxRecordedBytes = Integer.MAX_VALUE;
        private boolean autoContinue = true;
        private Duration bodyStall = Duration.ZERO;
        private boolean readBodies = true;

        private Builder() {
        }

        public Builder script(Script script) {
            this.script = script;
            return this;
        }

        /** Names the server in thread names and messages. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Keeps at most this many received bytes per connection (and per body); counts and checksums go on. */
        public Builder maxRecordedBytes(int max) {
            this.maxRecordedBytes = max;
            return this;
        }

        /** Whether to answer {@code Expect: 100-continue} with a 100 before reading the body, as servers do (default). */
        public Builder autoContinue(boolean on) {
            this.autoContinue = on;
            return this;
        }

        /** Waits this long after each head before reading the body: a slow reader, for backpressure tests. */
        public Builder bodyStall(Duration stall) {
            this.bodyStall = stall;
            return this;
        }

        /**
         * Whether to read each request's body before calling the script (default). When off, the script is called
         * on the head alone and the body stays unread: a server that answers early, e.g. 413 to a large upload.
         */
        public Builder readBodies(boolean on) {
            this.readBodies = on;
            return this;
        }

        public FakeServer start() throws IOException {
            return new FakeServer(this);
        }
    }

    /** One accepted connection and what it received. */
    private final class Conn implements WireIn.Tap {
        final int index;
        final Socket socket;
        final WireIn in;
        final OutputStream out;
        final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
        final AtomicLong bytes = new AtomicLong();
        volatile boolean ended;
        volatile Thread thread;

        Conn(int index, Socket socket) throws IOException {
            this.index = index;
            this.socket = socket;
            this.in = new WireIn(socket, this);
            this.out = socket.getOutputStream();
        }

        @Override
        public void onBytes(byte[] b, int off, int len) {
            synchronized (recorded) {
                int room = maxRecordedBytes - recorded.size();
                if (room > 0) {
                    recorded.write(b, off, Math.min(room, len));
                }
            }
            bytes.addAndGet(len);
            totalBytes.addAndGet(len);
            signal();
        }

        byte[] recordedBytes() {
            synchronized (recorded) {
                return recorded.toByteArray();
            }
        }

        void close() {
            ended = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            signal();
        }
    }

    private final ServerSocket listener;
    private final Script script;
    private final String name;
    private final int maxRecordedBytes;
    private final boolean autoContinue;
    private final Duration bodyStall;
    private final boolean readBodies;
    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger seq = new AtomicInteger();
    private final AtomicLong totalBytes = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closed;

    private FakeServer(Builder b) throws IOException {
        this.script = b.script;
        this.name = b.name;
        this.maxRecordedBytes = b.maxRecordedBytes;
        this.autoContinue = b.autoContinue;
        this.bodyStall = b.bodyStall;
        this.readBodies = b.readBodies;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        this.acceptor = new Thread(this::acceptLoop, name + "-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A server answering every request as {@code script} says. */
    public static FakeServer start(Script script) throws IOException {
        return builder().script(script).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** "127.0.0.1:port", for a config's server address. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** The address, so that a FakeServer can be given as a config variable as it is. */
    @Override
    public String toString() {
        return address();
    }

    // ---------------------------------------------------------------- what arrived

    /** The bytes each connection received, in the order connections were accepted. */
    public List<byte[]> received() {
        return conns.stream().map(Conn::recordedBytes).toList();
    }

    /** The bytes each connection received, as ISO-8859-1 text. */
    public List<String> receivedTexts() {
        return conns.stream().map(c -> new String(c.recordedBytes(), StandardCharsets.ISO_8859_1)).toList();
    }

    /** Everything received, all connections one after the other, as ISO-8859-1 text. */
    public String receivedText() {
        return String.join("", receivedTexts());
    }

    /** Bytes received over all connections (counted even past the recording cap). */
    public long bytesReceived() {
        return totalBytes.get();
    }

    public int connectionCount() {
        return conns.size();
    }

    /** Whether connection {@code index} (in accept order) is still open. */
    public boolean connectionOpen(int index) {
        return !conns.get(index).ended;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    /** Waits until at least {@code n} requests arrived and returns the first {@code n}. */
    public List<Request> awaitRequests(int n, Duration timeout) throws InterruptedException {
        awaitCondition(() -> requests.size() >= n, timeout, () -> n + " request(s)");
        return List.copyOf(requests.subList(0, n));
    }

    /** Waits until at least {@code n} connections were accepted. */
    public void awaitConnections(int n, Duration timeout) throws InterruptedException {
        awaitCondition(() -> conns.size() >= n, timeout, () -> n + " connection(s)");
    }

    /** Waits until connection {@code index} is closed (by the peer, or by a reply). */
    public void awaitClosed(int index, Duration timeout) throws InterruptedException {
        awaitCondition(() -> conns.size() > index && conns.get(index).ended, timeout,
                () -> "connection " + index + " to close");
    }

    /** Waits {@code settle} and then asserts that not one byte arrived (and no connection was made). */
    public void assertNothingReceived(Duration settle) throws InterruptedException {
        Thread.sleep(settle.toMillis());
        if (totalBytes.get() != 0 || !conns.isEmpty()) {
            throw new AssertionError(name + " expected to receive nothing, but got " + conns.size()
                    + " connection(s) and " + totalBytes.get() + " byte(s): " + Printable.of(receivedText()));
        }
    }

    private interface Condition {
        boolean holds();
    }

    private synchronized void awaitCondition(Condition c, Duration timeout, Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!c.holds()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(name + ": timed out after " + timeout.toMillis() + " ms waiting for "
                        + what.get() + "; got " + conns.size() + " connection(s), " + requests.size()
                        + " request(s): " + Printable.of(truncate(receivedText(), 2000)));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    private synchronized void signal() {
        notifyAll();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    // ---------------------------------------------------------------- serving

    private void acceptLoop() {
        int index = 0;
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                s.setTcpNoDelay(true);
                Conn c = new Conn(index++, s);
                Thread t = new Thread(() -> serve(c), name + "-" + port() + "-conn-" + c.index);
                t.setDaemon(true);
                c.thread = t;
                conns.add(c);
                signal();
                t.start();
            } catch (IOException e) {
                closeQuietly(s);
            }
        }
    }

    private void serve(Conn c) {
        int index = 0;
        try {
            while (!closed) {
                c.in.until(WireIn.NO_DEADLINE, "a request");
                byte[] head = c.in.readHead(1 << 20);
                if (head == null) {
                    break; // the peer closed between requests
                }
                Request r = readRequest(c, index++, head);
                requests.add(r);
                signal();
                Reply reply = script.respond(r);
                boolean keep = reply.perform(new Exchange(c, r));
                c.out.flush();
                if (!keep) {
                    break;
                }
            }
        } catch (EOFException | SocketException e) {
            // the peer went away mid-message, or we are closing
        } catch (IOException e) {
            if (!closed) {
                System.err.println(name + " connection " + c.index + ": " + e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // e.g. a chunk size this lenient parser can't read: say so, and drop the connection as a server would
            System.err.println(name + " connection " + c.index + ": cannot parse what arrived: " + e);
        } finally {
            c.close();
        }
    }

    private Request readRequest(Conn c, int index, byte[] head) throws IOException, InterruptedException {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r?\n")));
        String requestLine = lines.isEmpty() ? "" : lines.removeFirst();
        Headers headers = Headers.parse(lines);
        String[] parts = requestLine.split(" ", 3);
        String method = parts.length > 0 ? parts[0] : "";
        String target = parts.length > 1 ? parts[1] : "";
        String version = parts.length > 2 ? parts[2] : "";
        if (autoContinue && "100-continue".equalsIgnoreCase(headers.get("Expect"))) {
            c.out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            c.out.flush();
        }
        BodyReader body = new BodyReader(maxRecordedBytes);
        boolean chunked = headers.hasToken("Transfer-Encoding", "chunked");
        String cl = headers.get("Content-Length");
        if (readBodies && (chunked || cl != null)) {
            if (!bodyStall.isZero()) {
                Thread.sleep(bodyStall.toMillis());
            }
            c.in.until(WireIn.NO_DEADLINE, "a request body");
            if (chunked) {
                body.readChunked(c.in);
            } else {
                body.readLength(c.in, Long.parseLong(cl.split(",")[0].strip()));
            }
        }
        return new Request(seq.getAndIncrement(), c.index, index, method, target, version, headers, head,
                body.raw(), body.decoded(), body.length(), body.crc32());
    }

    /**
     * Stops accepting: the listener closes, so a new connection is refused, while open connections go on as their
     * replies say. A server process in the instant it dies: its idle keep-alive connections still look open to a
     * proxy that has not read their close yet.
     */
    public void stopAccepting() throws InterruptedException {
        closeQuietly(listener);
        // The JDK closes a listener that a thread is blocked on only once that thread leaves accept(): until then the
        // kernel still completes handshakes. Waiting for the acceptor makes "refused from now on" hold.
        acceptor.join(Duration.ofSeconds(5));
        if (acceptor.isAlive()) {
            throw new IllegalStateException(name + ": the acceptor did not stop within 5 s");
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (Conn c : conns) {
            c.close();
            Thread t = c.thread;
            if (t != null) {
                t.interrupt();
            }
        }
        acceptor.interrupt();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
