package org.fossinfra.events;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log with write-behind persistence. {@link #record} puts the event in the memory ring (for
 * {@link #recent}) and offers it to a bounded buffer; it never blocks and never touches a file or a socket, so event
 * loops may call it. Two threads do the rest:
 *
 * <ol>
 *   <li>"event-journal" ({@link Journaler}) drains the buffer and appends the events to the {@link Journal}, one write
 *       per batch, and forces the journal to disk once a second;</li>
 *   <li>"event-writer" ({@link StoreWriter}) sends the oldest unacknowledged events, {@code batchSize} at a time, to
 *       the {@link EventStore}: from a {@linkplain JournalWindow window} of the newest journaled events kept in memory
 *       while the store keeps up, read back from the journal when it fell behind (a dead or slow database); after each
 *       committed batch it moves the journal's acknowledgement mark past it.</li>
 * </ol>
 *
 * <p>So a database that hangs holds up only the writer: events go on being journaled, and memory holds at most
 * {@code buffer} queued events, a batch of up to {@code buffer} whose append failed, and a window of {@code buffer}
 * journaled ones.
 *
 * <p><b>Accepted</b> means that {@link #recordDurably} put the event in the buffer ({@link Recorded.Accepted}); an
 * accepted event is written to the store exactly once. Every event has an id that its node never reuses
 * ({@linkplain #firstId ids start at the start time in microseconds}), the store's insert skips an event it already
 * has (same node, id and time), and the mark only moves after a commit. A batch whose commit was lost with the
 * connection, or that was sent before a crash whose mark was not yet persisted, is sent again and skipped, never stored
 * twice; an event is never dropped from the journal before its batch committed. What an accepted event can still be
 * lost to: the process dying before it was journaled (milliseconds; while journaling is stopped by a full disk, until it
 * starts again), the journal's disk, or damage found in the journal (skipped with one {@code journal.damaged} event).
 * <b>Refused</b> ({@link Recorded.Refused}) means the buffer was full: the event is in memory and the log only,
 * counted as dropped, and reported in one {@code journal.dropped} event once the buffer has room.
 *
 * <p>Failures: a failed insert makes the store UNAVAILABLE (one log line and one {@code store.unavailable} event per
 * outage, not per retry) and the writer retries with a backoff, while events keep being journaled. The first insert
 * that works again makes it AVAILABLE (one line, one {@code store.available} event). A full disk stops journaling (see
 * {@link Journaler}); anything unexpected in either thread is one {@code journal.thread.failed} event per episode, and
 * the thread carries on after a backoff: neither ever ends silently while the node runs.
 */
final class WriteBehindEventLog implements DurableEventLog {
    private static final Logger log = LoggerFactory.getLogger("events");
    static final long SEGMENT_BYTES = 64L * 1024 * 1024;
    /** An event whose strings take less than this many UTF-16 units fits a record for sure (3 bytes each at most). */
    private static final int SURELY_FITS_CHARS = (Journal.MAX_RECORD - 4096) / 3;

    private final WriteBehindConfig config;
    private final JournalDisk disk;
    private final long segmentBytes;
    private final InMemoryEventLog memory;
    private final ArrayBlockingQueue<Event> queue;
    private final Thread writer;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** Accepted into the buffer; minus {@code journaled}, what is in the buffer or the journal thread's hands. */
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong journaled = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong inserted = new AtomicLong();
    /** Threads in a failure episode (reported once, until they work again). */
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();
    private volatile long journalBytes;
    private volatile long lastDropWarning;
    private volatile EventStore store;
    private volatile StoreStatus status = new StoreStatus(StoreStatus.State.STARTING,
            "the event store is starting; events wait in the journal", Instant.now());
    private volatile boolean closing;
    /** Why journaling is stopped now (null while it works): the reason given to refused events. */
    private volatile String journalStopped;

    WriteBehindEventLog(WriteBehindConfig config) {
        this(config, JournalDisk.REAL, SEGMENT_BYTES);
    }

    /** With a disk and a segment size of the test's choosing. */
    WriteBehindEventLog(WriteBehindConfig config, JournalDisk disk, long segmentBytes) {
        this.config = config;
        this.disk = disk;
        this.segmentBytes = segmentBytes;
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
        return recordDurably(type, actor, subject, message, data).event();
    }

    @Override
    public Recorded recordDurably(String type, String actor, String subject, String message,
                                  Map<String, String> data) {
        Event e = memory.record(type, actor, subject, message, data);
        recorded.incrementAndGet();
        if (chars(e) > SURELY_FITS_CHARS && !Journal.fits(e)) {
            droppedOversized(1);
            return new Recorded.Refused(e, "it takes more than the journal's record limit of "
                    + FreeSpaceFloor.format(Journal.MAX_RECORD));
        }
        if (queue.offer(e)) {
            accepted.incrementAndGet();
            return new Recorded.Accepted(e);
        }
        dropped.incrementAndGet();
        String stoppedBy = journalStopped;
        String reason = "the event buffer (" + config.buffer() + " events) is full: " + (stoppedBy != null
                ? "journaling is stopped (" + stoppedBy + ")" : "the journal is not keeping up (the disk stalls?)");
        long now = System.nanoTime();
        if (now - lastDropWarning > 1_000_000_000L) {
            lastDropWarning = now;
            log.warn("{}; {} event(s) so far kept in memory only, not persisted; check {}", reason, dropped.get(),
                    config.journal());
        }
        return new Recorded.Refused(e, reason);
    }

    private static long chars(Event e) {
        long n = (long) e.type().length() + e.actor().length() + e.subject().length() + e.message().length()
                + e.node().length();
        for (Map.Entry<String, String> d : e.data().entrySet()) {
            n += d.getKey().length() + d.getValue().length() + 8;
        }
        return n;
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
        becomeAvailable(description);
    }

    @Override
    public void storeUnavailable(String reason) {
        store = null;
        becomeUnavailable(reason);
    }

    @Override
    public Stats stats() {
        // Read in the order the events move (written, then journaled, then accepted), so that an event moving on
        // meanwhile is counted twice rather than not at all.
        long w = written.get();
        long j = journaled.get();
        long a = accepted.get();
        return new Stats(recorded.get(), j, w, inserted.get(), dropped.get(), Math.max(0, a - j) + Math.max(0, j - w),
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

    // ---- what the two threads report (package-private: Journaler and StoreWriter) ----

    boolean closing() {
        return closing;
    }

    EventStore store() {
        return store;
    }

    long droppedCount() {
        return dropped.get();
    }

    void journaled(int n, long pendingBytes) {
        journaled.addAndGet(n);
        journalBytes = pendingBytes;
    }

    void written(int n, int fresh) {
        written.addAndGet(n);
        inserted.addAndGet(fresh);
    }

    void journalBytes(long pendingBytes) {
        journalBytes = pendingBytes;
    }

    void journalStopped(String why) {
        journalStopped = why;
    }

    /** Events taken from the buffer that the journal cannot hold after all: no longer accepted, but dropped. */
    void unjournalable(int n) {
        accepted.addAndGet(-n);
        droppedOversized(n);
    }

    void droppedOversized(int n) {
        if (n > 0) {
            dropped.addAndGet(n);
            log.warn("event log: {} event(s) above the journal's record limit of {} not persisted (memory and log"
                    + " only)", n, FreeSpaceFloor.format(Journal.MAX_RECORD));
        }
    }

    void insertWorked() {
        if (status.state() != StoreStatus.State.AVAILABLE) {
            becomeAvailable(status.state() == StoreStatus.State.UNAVAILABLE
                    ? "writes work again; the events that waited are being written" : "writes work");
        }
    }

    /** One log line (with the stack) and one event per episode; the thread carries on after a backoff. */
    void threadFailed(String thread, Throwable t) {
        try {
            if (failing.putIfAbsent(thread, Boolean.TRUE) != null) {
                log.debug("event log: thread {} failed again: {}", thread, t.toString());
                return;
            }
            log.error("event log: thread {} met an unexpected failure; it carries on after a backoff, and says nothing"
                    + " more until it works again", thread, t);
            record(EventType.JOURNAL_THREAD_FAILED, thread, config.node(), "thread " + thread + " failed (" + t
                    + "); it carries on after a backoff, and says nothing more until it works again",
                    Map.of("thread", thread, "error", t.getClass().getName()));
        } catch (Throwable again) {
            // Reporting must not be what ends the thread (an OutOfMemoryError may fail the report too).
        }
    }

    void threadRecovered(String thread) {
        if (failing.remove(thread) != null) {
            log.info("event log: thread {} works again", thread);
        }
    }

    synchronized void becomeAvailable(String detail) {
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
    synchronized void becomeUnavailable(String reason) {
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

    static void sleep(long millis) {
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
        OpenAttempt opened = openJournal();
        if (opened == null) {
            return;
        }
        Journal journal = opened.journal();
        JournalWindow window = new JournalWindow(journal.acked(), config.buffer());
        journalBytes = journal.pendingBytes();
        Thread sender = Thread.ofPlatform().name("event-writer").daemon(true)
                .start(() -> new StoreWriter(this, config, journal, window).loop());
        Journaler j = new Journaler(this, config, queue, journal, window,
                new FreeSpaceFloor(disk, config.journal(), config.minFree()), opened.failure(), opened.failedSince());
        try {
            j.loop();
            sender.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                journal.close();
            } catch (IOException e) {
                log.warn("event journal {}: closing failed: {}", config.journal(), e.toString());
            }
        }
    }

    /** @param failure why the first attempts failed, or null */
    private record OpenAttempt(Journal journal, String failure, long failedSince) {
    }

    /**
     * Opens the journal, retrying with backoff (a full or read-only disk; anything else too); null when closed first. A
     * failure is one line and one {@code journal.stopped} event (the buffer fills meanwhile); the journal thread
     * reports the resume.
     */
    private OpenAttempt openJournal() {
        long backoff = Journaler.MIN_RETRY_MILLIS;
        String said = null;
        String first = null;
        long since = 0;
        while (true) {
            try {
                Journal j = Journal.open(config.journal(), segmentBytes, disk, this::damagedAtOpen);
                return new OpenAttempt(j, first, since);
            } catch (Throwable e) {
                String msg = e.toString();
                if (first == null) {
                    first = "it cannot be opened (" + msg + ")";
                    since = System.nanoTime();
                    journalStopped = first;
                    record(EventType.JOURNAL_STOPPED, "event-journal", config.journal().toString(),
                            "event journal stopped: " + first + "; events wait in memory until it can be opened",
                            Map.of("cause", "open_failed", "journal", config.journal().toString()));
                }
                if (!msg.equals(said)) {
                    said = msg;
                    log.warn("event journal {} cannot be opened ({}); events are kept in memory until it can",
                            config.journal(), msg);
                }
                if (closing) {
                    return null;
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, Journaler.MAX_RETRY_MILLIS);
            }
        }
    }

    private void damagedAtOpen(String what) {
        log.warn("{}", what);
        record(EventType.JOURNAL_DAMAGED, "event-journal", config.journal().toString(), what, Map.of());
    }
}
