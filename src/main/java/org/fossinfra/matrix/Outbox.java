package org.fossinfra.matrix;

import io.vertx.core.json.JsonObject;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The messages waiting for the homeserver, in the order they are to appear. The sender takes the head, and removes it
 * only once the homeserver has it, so a message that fails is sent again before anything after it: order is kept
 * through any outage. Each message is also a file ({@code <sequence>.json}, written beside and renamed into place),
 * so what waits when the node stops is sent at its next start.
 *
 * <p>Bounded: at most {@code limit} messages wait; {@link #offer} refuses the next one (the notifier turns that into an
 * event). With notifications grouped, the default of 10,000 is hours of outage at any plausible event rate. If the
 * directory cannot be written, messages wait in memory only, and that is logged.
 */
final class Outbox {
    private static final Pattern FILE = Pattern.compile("\\d{19}\\.json");

    private record Entry(long seq, Outgoing message) {
    }

    private final Path dir;
    private final int limit;
    private final LogLimiter logs;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private long nextSeq;

    private Outbox(Path dir, int limit, LogLimiter logs) {
        this.dir = dir;
        this.limit = limit;
        this.logs = logs;
    }

    /** The outbox kept in {@code dir}, with what a previous run left there, oldest first. */
    static Outbox open(Path dir, int limit, LogLimiter logs) {
        Outbox o = new Outbox(dir, limit, logs);
        o.load();
        return o;
    }

    private void load() {
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    if (FILE.matcher(p.getFileName().toString()).matches()) {
                        files.add(p);
                    }
                }
            }
        } catch (IOException e) {
            logs.warn("outbox", "outbox " + dir + " cannot be read (" + e + "); messages wait in memory only");
            return;
        }
        Collections.sort(files);
        for (Path p : files) {
            long seq = Long.parseLong(p.getFileName().toString().substring(0, 19));
            nextSeq = Math.max(nextSeq, seq + 1);
            try {
                queue.add(new Entry(seq, Outgoing.fromJson(new JsonObject(Files.readString(p, StandardCharsets.UTF_8)))));
            } catch (IOException | RuntimeException e) {
                // A torn or foreign file: set aside, never retried, never fatal.
                logs.warn("outbox-bad", "outbox file " + p + " is unreadable (" + e.getMessage() + "); moved to "
                        + p.getFileName() + ".bad");
                try {
                    Files.move(p, p.resolveSibling(p.getFileName() + ".bad"), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException ignored) {
                    // left in place; it is skipped again next time
                }
            }
        }
    }

    /** Queues {@code m} behind everything already waiting; false (and nothing queued) when the outbox is full. */
    synchronized boolean offer(Outgoing m) {
        if (queue.size() >= limit) {
            return false;
        }
        long seq = nextSeq++;
        try {
            write(seq, m);
        } catch (IOException e) {
            logs.warn("outbox-write", "cannot write " + dir + " (" + e + "); the message waits in memory only");
        }
        queue.add(new Entry(seq, m));
        notifyAll();
        return true;
    }

    /** The oldest waiting message, waiting up to {@code timeoutMs} for one; null when none came. */
    synchronized Outgoing awaitHead(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (queue.isEmpty()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
        return queue.peekFirst().message();
    }

    /** Removes {@code m}, which the homeserver now has, if it is still the head. */
    synchronized void remove(Outgoing m) {
        Entry head = queue.peekFirst();
        if (head == null || head.message() != m) {
            return;
        }
        queue.pollFirst();
        try {
            Files.deleteIfExists(file(head.seq()));
        } catch (IOException e) {
            // Sent again at the next start under the same transaction id, which the homeserver ignores.
            logs.warn("outbox-delete", "cannot delete " + file(head.seq()) + " (" + e + ")");
        }
        notifyAll();
    }

    /** Waits until nothing is waiting, at most {@code timeoutMs}; whether the outbox is empty. */
    synchronized boolean awaitEmpty(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!queue.isEmpty()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    synchronized int size() {
        return queue.size();
    }

    int limit() {
        return limit;
    }

    private void write(long seq, Outgoing m) throws IOException {
        Path target = file(seq);
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        // A stream, not a FileChannel: closing interrupts the bot's threads, and an interrupt closes a channel
        // under a write (ClosedByInterruptException), which would lose the very messages closing means to keep.
        try (FileOutputStream out = new FileOutputStream(temp.toFile())) {
            out.write(m.toJson().encode().getBytes(StandardCharsets.UTF_8));
            out.getFD().sync();
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path file(long seq) {
        return dir.resolve(String.format("%019d.json", seq));
    }
}
