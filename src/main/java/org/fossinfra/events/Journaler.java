package org.fossinfra.events;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread "event-journal": moves accepted events from the buffer into the {@link Journal}, a batch per write, and forces
 * it to disk once a second.
 *
 * <p>It stops journaling, with one {@code journal.stopped} event, when the free space under the journal falls below the
 * {@linkplain FreeSpaceFloor floor} or an append fails (a full or broken disk), and starts again, with one
 * {@code journal.resumed} event, when a quarter more than the floor is free again, or the append works. Meanwhile the
 * events it holds stay in memory: the batch whose append failed (it is appended first, before anything newer) and the
 * buffer behind it, so at most twice {@code buffer} events; {@link DurableEventLog#recordDurably} refuses what does not
 * fit, and the count of refused events is one {@code journal.dropped} event once the buffer has room. While stopped
 * below the floor and the store has everything journaled, it gives back the journal's own last segment.
 *
 * <p>Hazard: at close the floor is not kept (the accepted events are the last writes, and the floor's margin is
 * there for such); what still cannot be appended then is lost with the process, and said so in one line.
 */
final class Journaler {
    private static final Logger log = LoggerFactory.getLogger("events");
    /** A failed append is tried again after 250 ms, doubling to 5 s: a disk given room again is used within 5 s. */
    static final long MIN_RETRY_MILLIS = 250;
    static final long MAX_RETRY_MILLIS = 5_000;
    /** The journal is forced to disk once a second while it is written: a power cut loses at most that. */
    private static final long SYNC_INTERVAL_NANOS = 1_000_000_000L;
    /** Idle wait when there is nothing to journal, and the period of free-space checks while stopped. */
    private static final long IDLE_POLL_MILLIS = 100;

    /** Why journaling stopped: it starts again when space is back (LOW_SPACE) or an append works (the others). */
    enum Cause { LOW_SPACE, APPEND_FAILED, OPEN_FAILED }

    record Stopped(Cause cause, String detail, long sinceNanos) {
    }

    private final WriteBehindEventLog owner;
    private final WriteBehindConfig config;
    private final ArrayBlockingQueue<Event> queue;
    private final Journal journal;
    private final JournalWindow window;
    private final FreeSpaceFloor floor;
    /** Events taken from the buffer and not yet appended: appended first, before anything newer. */
    private final List<Event> held = new ArrayList<>();
    private Stopped stopped;
    /** A resume to report once the buffer has room (reported after the next take). */
    private String resumedReport;
    private long droppedReported;
    private String lastStopDetail;
    private long lastSync = System.nanoTime();
    private long retryAt = System.nanoTime();
    private long retryMillis = MIN_RETRY_MILLIS;
    private long failureBackoff = MIN_RETRY_MILLIS;
    private String syncFailure;

    /** @param openFailure why the journal could not be opened at first, if it could not (then it starts stopped) */
    Journaler(WriteBehindEventLog owner, WriteBehindConfig config, ArrayBlockingQueue<Event> queue, Journal journal,
              JournalWindow window, FreeSpaceFloor floor, String openFailure, long openFailedSinceNanos) {
        this.owner = owner;
        this.config = config;
        this.queue = queue;
        this.journal = journal;
        this.window = window;
        this.floor = floor;
        if (openFailure != null) {
            stopped = new Stopped(Cause.OPEN_FAILED, openFailure, openFailedSinceNanos);
            lastStopDetail = openFailure;
        }
    }

    void loop() {
        try {
            while (true) {
                try {
                    if (step()) {
                        return;
                    }
                } catch (Throwable t) {
                    // Anything at all: this thread must not end while the node runs. One event per episode, then retry.
                    owner.threadFailed("event-journal", t);
                    if (owner.closing()) {
                        lost("the journal thread failed at close (" + t + ")");
                        return;
                    }
                    WriteBehindEventLog.sleep(failureBackoff);
                    failureBackoff = Math.min(failureBackoff * 2, MAX_RETRY_MILLIS);
                }
            }
        } finally {
            window.journalDone();
        }
    }

    /** One round; true when closing and nothing more can be journaled. */
    private boolean step() throws IOException {
        boolean closing = owner.closing();
        if (stopped != null && stopped.cause() == Cause.OPEN_FAILED) {
            resume("the journal could be opened");
        }
        boolean mayWrite = closing || spaceAllows();
        if (mayWrite && (closing || System.nanoTime() - retryAt >= 0)) {
            if (held.isEmpty()) {
                take(closing);
            }
            flushReports();
            if (!held.isEmpty() && !append() && closing) {
                lost("appending failed at close");
                return true;
            }
        } else {
            long untilRetry = (retryAt - System.nanoTime()) / 1_000_000;
            WriteBehindEventLog.sleep(mayWrite ? Math.max(1, Math.min(untilRetry, IDLE_POLL_MILLIS)) : IDLE_POLL_MILLIS);
        }
        if (System.nanoTime() - lastSync >= SYNC_INTERVAL_NANOS) {
            sync();
        }
        return closing && held.isEmpty() && queue.isEmpty();
    }

    private void take(boolean closing) {
        Event first = null;
        try {
            first = closing ? queue.poll() : queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (first != null) {
            held.add(first);
            queue.drainTo(held, config.buffer() - 1);
        }
    }

    /** Appends what is held; false when it failed (journaling is then stopped and retried after a backoff). */
    private boolean append() {
        try {
            List<Journal.Entry> entries = journal.append(held);
            held.clear();
            owner.journaled(entries.size(), journal.pendingBytes());
            window.add(entries);
            retryMillis = MIN_RETRY_MILLIS;
            failureBackoff = MIN_RETRY_MILLIS;
            owner.threadRecovered("event-journal");
            if (stopped != null && stopped.cause() != Cause.LOW_SPACE) {
                resume("appending works again"); // reported after the next take: the buffer may still be full now
            }
            return true;
        } catch (IOException e) {
            stop(Cause.APPEND_FAILED, "appending to it failed (" + e.getMessage() + ")");
            retryAt = System.nanoTime() + retryMillis * 1_000_000;
            retryMillis = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
            return false;
        } catch (IllegalArgumentException e) {
            // An event too large for a record (recordDurably refuses those; this is the last guard): it alone goes.
            int before = held.size();
            held.removeIf(ev -> !Journal.fits(ev));
            owner.unjournalable(before - held.size());
                log.warn("event journal {}: {}; left out of the journal", config.journal(), e.getMessage());
            return false;
        }
    }

    /** Whether the floor lets the journal be written now; stops or resumes journaling as the free space goes. */
    private boolean spaceAllows() throws IOException {
        if (!floor.enabled()) {
            return true;
        }
        long free = floor.free();
        if (stopped != null && stopped.cause() == Cause.LOW_SPACE) {
            if (floor.enoughToResume(free)) {
                resume("free space is back: " + FreeSpaceFloor.format(free) + " free");
                return true;
            }
            long freed = journal.releaseAcknowledged();
            if (freed > 0) {
                log.info("event journal {}: the store has every journaled event; gave back its last segment ({})",
                        config.journal(), FreeSpaceFloor.format(freed));
            }
            return false;
        }
        if (floor.below(free)) {
            stop(Cause.LOW_SPACE, FreeSpaceFloor.format(free) + " free on its file system, below the floor of "
                    + FreeSpaceFloor.format(floor.floor()) + " (database.journal-min-free)");
            return false;
        }
        return true;
    }

    private void stop(Cause cause, String detail) {
        lastStopDetail = detail;
        owner.journalStopped(detail);
        if (stopped != null) {
            if (!stopped.detail().equals(detail)) {
                log.debug("event journal still stopped, now: {}", detail);
            }
            stopped = new Stopped(cause, detail, stopped.sinceNanos());
            return;
        }
        stopped = new Stopped(cause, detail, System.nanoTime());
        String what = cause == Cause.LOW_SPACE ? "it starts again when " + FreeSpaceFloor.format(floor.resumeLevel())
                + " are free; free space on that disk, or lower database.journal-min-free"
                : "retrying with a backoff; free space on that disk or fix it";
        log.warn("event journal {} stopped: {}; accepted events wait in memory (at most {}), further ones are refused"
                + " until it starts again; {}", config.journal(), detail, 2L * config.buffer(), what);
        owner.record(EventType.JOURNAL_STOPPED, "event-journal", config.journal().toString(),
                "event journal stopped: " + detail + "; accepted events wait in memory, further ones are refused until"
                        + " it starts again; " + what,
                Map.of("cause", cause.name().toLowerCase(java.util.Locale.ROOT), "journal",
                        config.journal().toString()));
    }

    private void resume(String why) {
        if (stopped == null) {
            return;
        }
        long ms = (System.nanoTime() - stopped.sinceNanos()) / 1_000_000;
        stopped = null;
        owner.journalStopped(null);
        log.info("event journal {} writing again after {} ms: {}", config.journal(), ms, why);
        resumedReport = "event journal writing again after " + ms + " ms: " + why;
    }

    /** The reports that need room in the buffer: made after a take, when it has some. */
    private void flushReports() {
        if (resumedReport != null) {
            String r = resumedReport;
            resumedReport = null;
            owner.record(EventType.JOURNAL_RESUMED, "event-journal", config.journal().toString(), r, Map.of());
        }
        long dropped = owner.droppedCount();
        if (dropped > droppedReported && stopped == null) {
            long n = dropped - droppedReported;
            droppedReported = dropped;
            String why = lastStopDetail != null ? "journaling was stopped (" + lastStopDetail + ")"
                    : "the journal did not keep up (a stalled disk?)";
            log.warn("event log: {} event(s) were refused and not persisted: the buffer of {} events was full while {}",
                    n, config.buffer(), why);
            owner.record(EventType.JOURNAL_DROPPED, "event-journal", config.journal().toString(), n
                    + " event(s) were refused and not persisted: the buffer of " + config.buffer()
                    + " events was full while " + why + "; they are in this node's memory and log only",
                    Map.of("count", Long.toString(n), "total", Long.toString(dropped)));
        }
    }

    private void lost(String why) {
        int n = held.size() + queue.size();
        if (n > 0) {
            log.warn("event log closing: {} accepted event(s) could not be journaled ({}) and are lost with this"
                    + " process; see {}", n, why, config.journal());
        }
    }

    private void sync() {
        lastSync = System.nanoTime();
        try {
            journal.sync();
            journal.persistAck();
            if (syncFailure != null) {
                log.info("event journal {}: syncing works again", config.journal());
                syncFailure = null;
            }
        } catch (IOException e) {
            if (!e.toString().equals(syncFailure)) {
                syncFailure = e.toString();
                log.warn("event journal {}: syncing or keeping the mark failed ({}); retrying every second",
                        config.journal(), e.toString());
            }
        }
    }
}
