package org.fossinfra.events;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log with write-behind persistence. {@link #record} puts the event in the memory ring (for
 * {@link #recent}) and offers it to a bounded queue; it never blocks and never touches a file or a socket, so event
 * loops may call it. Two threads do the rest:
 *
 * <ol>
 *   <li>"event-journal" drains the queue and appends the events to the {@link Journal}, one write per batch, and
 *       forces the journal to disk once a second;</li>
 *   <li>"event-writer" sends the oldest unacknowledged events, {@code batchSize} at a time, to the {@link EventStore}:
 *       from a window of the newest journaled events kept in memory while the store keeps up, read back from the
 *       journal when it fell behind (a dead or slow database); after each committed batch it moves the journal's
 *       acknowledgement mark past it.</li>
 * </ol>
 *
 * <p>So a database that hangs holds up only the writer: events go on being journaled, and memory holds at most
 * {@code buffer} queued events plus a window of {@code buffer} journaled ones.
 *
 * <p>Exactly once: every event has an id that its node never reuses ({@linkplain #firstId ids start at the start
 * time in microseconds}), the store's insert skips an event it already has (same node, id and time), and the mark only
 * moves after a commit. A batch whose commit was lost with the connection, or that was sent before a crash whose mark
 * was not yet persisted, is sent again and skipped, never stored twice; an event is never dropped from the journal
 * before its batch committed.
 *
 * <p>Failures: a failed insert makes the store UNAVAILABLE (one log line and one {@code store.unavailable} event per
 * outage, not per retry) and the writer retries with a backoff from {@link #MIN_BACKOFF_MILLIS} doubling to
 * {@link #MAX_BACKOFF_MILLIS}, while events keep being journaled. The first insert that works again makes it
 * AVAILABLE (one line, one {@code store.available} event).
 *
 * <p>Hazard: what is in the queue and not yet journaled (a few milliseconds' worth) is lost if the process dies; when
 * the disk stalls long enough for the queue ({@code buffer} events) to fill, further events are counted as dropped,
 * kept in memory only, and said so once a second at most, rather than slowing whoever records.
 */
final class WriteBehindEventLog implements DurableEventLog {
    private static final Logger log = LoggerFactory.getLogger("events");
    static final long MIN_BACKOFF_MILLIS = 250;
    static final long MAX_BACKOFF_MILLIS = 30_000;
    /** The journal is forced to disk once a second while it is written: a power cut loses at most that. */
    private static final long SYNC_INTERVAL_NANOS = 1_000_000_000L;
    /** Idle wait of the writer when there is nothing to send. */
    private static final long IDLE_POLL_MILLIS = 100;
    static final long SEGMENT_BYTES = 64L * 1024 * 1024;

    private final WriteBehindConfig config;
    private final InMemoryEventLog memory;
    private final ArrayBlockingQueue<Event> queue;
    private final Thread writer;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong journaled = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong inserted = new AtomicLong();
    private volatile long journalBytes;
    private volatile long lastDropWarning;
    private volatile EventStore store;
    private volatile StoreStatus status = new StoreStatus(StoreStatus.State.STARTING,
            "the event store is starting; events wait in the journal", Instant.now());
    private volatile boolean closing;
    /** A cause reported by the store's owner while nothing is attached, to be logged once. */
    private volatile String pendingCause;

    WriteBehindEventLog(WriteBehindConfig config) {
        this.config = config;
        this.memory = new InMemoryEventLog(config.recent(), config.node(), firstId());
        this.queue = new ArrayBlockingQueue<>(config.buffer());
        this.writer = Thread.ofPlatform().name("event-journal").daemon(true).unstarted(this::run);
        writer.start();
    }

    /**
     * The first id of this run: the wall clock in microseconds. Ids then count up by one, so a later run starts above
     * every id of an earlier one unless the earlier one recorded more than a million events a second on average, or
     * the clock went back by more than the time between the runs (and even then the store tells events apart by their
     * time as well).
     */
    static long firstId() {
        Instant now = Instant.now();
        return Math.max(1, now.getEpochSecond() * 1_000_000L + now.getNano() / 1000);
    }

    @Override
    public Event record(String type, String actor, String subject, String message, Map<String, String> data) {
        Event e = memory.record(type, actor, subject, message, data);
        recorded.incrementAndGet();
        if (!queue.offer(e)) {
            dropped.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastDropWarning > 1_000_000_000L) {
                lastDropWarning = now;
                log.warn("event journal is not keeping up (the disk stalls?): {} event(s) so far kept in memory only,"
                        + " not persisted; check {}", dropped.get(), config.journal());
            }
        }
        return e;
    }

    @Override
    public List<Event> recent(int limit, String type) {
        return memory.recent(limit, type);
    }

    @Override
    public AutoCloseable subscribe(Consumer<Event> listener) {
        return memory.subscribe(listener);
    }

    @Override
    public EventPage query(EventQuery q) {
        EventStore s = store;
        StoreStatus st = status;
        if (s != null && st.available() && (q.before() == null || !q.before().startsWith(MemoryPages.PREFIX))) {
            try {
                return s.query(q, st);
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (Exception e) {
                st = new StoreStatus(StoreStatus.State.UNAVAILABLE, "reading the event store failed: "
                        + e.getMessage(), Instant.now());
            }
        }
        return MemoryPages.page(memory.recent(Integer.MAX_VALUE, null), q, st);
    }

    @Override
    public StoreStatus storeStatus() {
        return status;
    }

    @Override
    public void attach(EventStore s, String description) {
        this.store = s;
        pendingCause = null;
        becomeAvailable(description);
    }

    @Override
    public void storeUnavailable(String reason) {
        store = null;
        becomeUnavailable(reason);
    }

    @Override
    public Stats stats() {
        long j = journaled.get();
        long w = written.get();
        return new Stats(recorded.get(), j, w, inserted.get(), dropped.get(), queue.size() + Math.max(0, j - w),
                journalBytes);
    }

    @Override
    public void close() {
        closing = true;
        try {
            writer.join(config.closeTimeout().toMillis() + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void becomeAvailable(String detail) {
        if (status.state() == StoreStatus.State.AVAILABLE) {
            return;
        }
        boolean recovered = status.state() == StoreStatus.State.UNAVAILABLE;
        status = new StoreStatus(StoreStatus.State.AVAILABLE, detail, Instant.now());
        record(EventType.STORE_AVAILABLE, "event-store", config.node(),
                (recovered ? "event store available again: " : "event store available: ") + detail);
    }

    /**
     * One log line and one event per outage, with its first cause; a later, different cause of the same outage only
     * replaces the detail that the API and the dashboard show (a restart shows as "I/O error", then "refused").
     */
    private synchronized void becomeUnavailable(String reason) {
        StoreStatus now = status;
        if (now.state() == StoreStatus.State.UNAVAILABLE) {
            if (!now.detail().equals(reason)) {
                status = new StoreStatus(StoreStatus.State.UNAVAILABLE, reason, now.since());
                log.debug("event store still unavailable, now: {}", reason);
            }
            return;
        }
        status = new StoreStatus(StoreStatus.State.UNAVAILABLE, reason, Instant.now());
        log.warn("event store unavailable: {}; events wait in the journal {} and are written when it is back",
                reason, config.journal());
        record(EventType.STORE_UNAVAILABLE, "event-store", config.node(), "event store unavailable: " + reason,
                Map.of("journal", config.journal().toString()));
    }

    // ---- the journal and writer threads (never interrupted: an interrupt would close the journal's channel) ----

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        Journal journal = openJournal();
        if (journal == null) {
            return;
        }
        Window window = new Window(journal.acked());
        journalBytes = journal.pendingBytes();
        Thread sender = Thread.ofPlatform().name("event-writer").daemon(true)
                .start(() -> new Sender(journal, window).loop());
        try {
            new Journaler(journal, window).loop();
            sender.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("event journal stopped on an unexpected error; events are kept in memory only from now on", e);
        } finally {
            try {
                journal.close();
            } catch (IOException e) {
                log.warn("event journal {}: closing failed: {}", config.journal(), e.toString());
            }
        }
    }

    /** Opens the journal, retrying with backoff (a full or read-only disk); null when closed first. */
    private Journal openJournal() {
        long backoff = MIN_BACKOFF_MILLIS;
        String said = null;
        while (true) {
            try {
                Journal j = Journal.open(config.journal(), SEGMENT_BYTES);
                if (said != null) {
                    log.info("event journal {} opened", config.journal());
                }
                return j;
            } catch (IOException | RuntimeException e) {
                String msg = e.toString();
                if (!msg.equals(said)) {
                    said = msg;
                    log.warn("event journal {} cannot be opened ({}); events are kept in memory until it can",
                            config.journal(), msg);
                }
                if (closing) {
                    return null;
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    /**
     * The newest journaled, unacknowledged events, oldest first and contiguous in the journal, shared by the two
     * threads under its own lock; {@code cursor} is where the next batch to send starts.
     */
    private final class Window {
        private final ArrayDeque<Journal.Entry> entries = new ArrayDeque<>();
        private long cursor;
        private boolean journalDone;

        Window(long cursor) {
            this.cursor = cursor;
        }

        synchronized void add(List<Journal.Entry> added) {
            entries.addAll(added);
            while (entries.size() > config.buffer()) {
                entries.pollFirst(); // still in the journal; read back from there when its turn comes
            }
            notifyAll();
        }

        synchronized void journalDone() {
            journalDone = true;
            notifyAll();
        }

        synchronized boolean isJournalDone() {
            return journalDone;
        }

        /** Waits up to {@code millis} for something new to send. */
        synchronized void await(long millis) {
            if (millis > 0) {
                try {
                    wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** The next batch from the cursor: from memory when the window starts there, else from the journal file. */
        List<Journal.Entry> next(Journal journal, int max) throws IOException {
            long from;
            long limit;
            synchronized (this) {
                Journal.Entry head = entries.peekFirst();
                if (head != null && head.start() == cursor) {
                    List<Journal.Entry> out = new ArrayList<>(Math.min(max, entries.size()));
                    for (Journal.Entry en : entries) {
                        if (out.size() == max) {
                            break;
                        }
                        out.add(en);
                    }
                    return out;
                }
                from = cursor;
                limit = head == null ? Long.MAX_VALUE : head.start();
            }
            return journal.read(from, max, limit);
        }

        synchronized void sent(long end) {
            cursor = end;
            while (!entries.isEmpty() && entries.peekFirst().end() <= end) {
                entries.pollFirst();
            }
        }

        synchronized long cursor() {
            return cursor;
        }

        /** After a part of the journal could not be read back: go on from the oldest event still in memory. */
        synchronized void skipTo(long end) {
            cursor = entries.isEmpty() ? end : entries.peekFirst().start();
        }
    }

    /** Moves queued events into the journal, a batch per write, and keeps it synced; thread "event-journal". */
    private final class Journaler {
        private final Journal journal;
        private final Window window;
        private final List<Event> drained = new ArrayList<>();
        private long lastSync = System.nanoTime();
        private String appendFailure;

        Journaler(Journal journal, Window window) {
            this.journal = journal;
            this.window = window;
        }

        void loop() {
            while (true) {
                boolean stopping = closing;
                drained.clear();
                try {
                    Event first = stopping ? queue.poll() : queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                    if (first != null) {
                        drained.add(first);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                queue.drainTo(drained, config.buffer());
                if (!drained.isEmpty()) {
                    append();
                }
                if (System.nanoTime() - lastSync >= SYNC_INTERVAL_NANOS) {
                    sync();
                }
                if (stopping && queue.isEmpty() && (drained.isEmpty() || appendFailure != null)) {
                    window.journalDone();
                    return;
                }
            }
        }

        private void append() {
            try {
                List<Journal.Entry> entries = journal.append(drained);
                journaled.addAndGet(entries.size());
                journalBytes = journal.pendingBytes();
                window.add(entries);
                if (appendFailure != null) {
                    log.info("event journal {} writable again", config.journal());
                    appendFailure = null;
                }
            } catch (IOException e) {
                String msg = e.toString();
                if (!msg.equals(appendFailure)) {
                    appendFailure = msg;
                    log.warn("event journal {}: appending failed ({}); retrying, events wait in memory meanwhile",
                            config.journal(), msg);
                }
                requeue(drained);
                if (!closing) {
                    sleep(MIN_BACKOFF_MILLIS);
                }
            }
        }

        /** Puts events back in front of newer ones as far as the queue allows; the rest are dropped and counted. */
        private void requeue(List<Event> events) {
            List<Event> newer = new ArrayList<>();
            queue.drainTo(newer);
            for (Event e : events) {
                if (!queue.offer(e)) {
                    dropped.incrementAndGet();
                }
            }
            for (Event e : newer) {
                if (!queue.offer(e)) {
                    dropped.incrementAndGet();
                }
            }
        }

        private void sync() {
            lastSync = System.nanoTime();
            try {
                journal.sync();
                journal.persistAck();
            } catch (IOException e) {
                log.warn("event journal {}: sync failed: {}", config.journal(), e.toString());
            }
        }
    }

    /** Sends the oldest unacknowledged events to the store, a batch at a time, and acknowledges them; "event-writer". */
    private final class Sender {
        private final Journal journal;
        private final Window window;
        private long retryAt;
        private long backoff = MIN_BACKOFF_MILLIS;
        private long closeDeadline = Long.MAX_VALUE;

        Sender(Journal journal, Window window) {
            this.journal = journal;
            this.window = window;
        }

        void loop() {
            while (true) {
                if (closing && closeDeadline == Long.MAX_VALUE) {
                    closeDeadline = System.nanoTime() + config.closeTimeout().toNanos();
                }
                boolean backlog = window.cursor() < journal.end();
                boolean canSend = store != null && System.currentTimeMillis() >= retryAt;
                if (backlog && canSend && System.nanoTime() < closeDeadline) {
                    sendOneBatch();
                    continue;
                }
                if (window.isJournalDone()) {
                    // Closing, and everything is journaled: stop when nothing more can be sent now.
                    if (!backlog || store == null || System.currentTimeMillis() < retryAt
                            || System.nanoTime() >= closeDeadline) {
                        if (backlog) {
                            log.info("event log closing: unwritten events stay in the journal {} ({} bytes) and are"
                                    + " written at the next start", config.journal(), journal.pendingBytes());
                        }
                        return;
                    }
                }
                long untilRetry = retryAt - System.currentTimeMillis();
                window.await(backlog && store != null && untilRetry > 0 ? Math.min(untilRetry, IDLE_POLL_MILLIS)
                        : IDLE_POLL_MILLIS);
            }
        }

        private void sendOneBatch() {
            List<Journal.Entry> batch;
            try {
                batch = window.next(journal, config.batchSize());
            } catch (IOException | RuntimeException e) {
                log.error("event journal {}: cannot read back events at offset {} ({}); skipping to the newest"
                        + " events held in memory", config.journal(), window.cursor(), e.toString());
                window.skipTo(journal.end());
                return;
            }
            EventStore s = store;
            if (batch.isEmpty() || s == null) {
                return;
            }
            List<Event> events = new ArrayList<>(batch.size());
            for (Journal.Entry en : batch) {
                events.add(en.event());
            }
            try {
                int fresh = s.insert(events);
                written.addAndGet(events.size());
                inserted.addAndGet(fresh);
                long end = batch.getLast().end();
                window.sent(end);
                backoff = MIN_BACKOFF_MILLIS;
                retryAt = 0;
                if (status.state() != StoreStatus.State.AVAILABLE) {
                    becomeAvailable(status.state() == StoreStatus.State.UNAVAILABLE
                            ? "writes work again; the events that waited are being written" : "writes work");
                }
                try {
                    journal.ack(end);
                } catch (IOException e) {
                    log.warn("event journal {}: keeping the acknowledgement mark failed ({}); events may be sent"
                            + " again (the store skips those it has)", config.journal(), e.toString());
                }
                journalBytes = journal.pendingBytes();
            } catch (Exception e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                becomeUnavailable(reason);
                retryAt = System.currentTimeMillis() + backoff;
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }
}
