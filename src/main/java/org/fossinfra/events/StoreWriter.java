package org.fossinfra.events;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread "event-writer": sends the oldest unacknowledged events to the store, a batch at a time, and acknowledges them
 * in the journal after each commit. A failed insert is the store's outage (reported by the log, retried with a backoff
 * from {@link #MIN_BACKOFF_MILLIS} to {@link #MAX_BACKOFF_MILLIS}); a damaged record read back from the journal is
 * skipped with one {@code journal.damaged} event; anything else that goes wrong (an Error from a driver, a disk that
 * fails a read) is one {@code journal.thread.failed} event per episode, and the thread carries on after a backoff.
 */
final class StoreWriter {
    private static final Logger log = LoggerFactory.getLogger("events");
    static final long MIN_BACKOFF_MILLIS = 250;
    static final long MAX_BACKOFF_MILLIS = 30_000;
    /** Idle wait when there is nothing to send. */
    private static final long IDLE_POLL_MILLIS = 100;

    private final WriteBehindEventLog owner;
    private final WriteBehindConfig config;
    private final Journal journal;
    private final JournalWindow window;
    private long retryAt;
    private long backoff = MIN_BACKOFF_MILLIS;
    private long failureBackoff = MIN_BACKOFF_MILLIS;
    private long closeDeadline = Long.MAX_VALUE;

    StoreWriter(WriteBehindEventLog owner, WriteBehindConfig config, Journal journal, JournalWindow window) {
        this.owner = owner;
        this.config = config;
        this.journal = journal;
        this.window = window;
    }

    void loop() {
        while (true) {
            try {
                if (step()) {
                    return;
                }
            } catch (Throwable t) {
                // Anything at all: this thread must not end while the node runs. One event per episode, then retry.
                owner.threadFailed("event-writer", t);
                if (owner.closing() && System.nanoTime() >= closeDeadline) {
                    return;
                }
                WriteBehindEventLog.sleep(failureBackoff);
                failureBackoff = Math.min(failureBackoff * 2, Journaler.MAX_RETRY_MILLIS);
            }
        }
    }

    /** One round; true when closing and nothing more can be sent now. */
    private boolean step() throws IOException {
        if (owner.closing() && closeDeadline == Long.MAX_VALUE) {
            closeDeadline = System.nanoTime() + config.closeTimeout().toNanos();
        }
        EventStore store = owner.store();
        boolean backlog = window.cursor() < journal.end();
        boolean canSend = store != null && System.currentTimeMillis() >= retryAt;
        if (backlog && canSend && System.nanoTime() < closeDeadline) {
            sendOneBatch(store);
            return false;
        }
        if (window.isJournalDone()) {
            // Closing, and everything is journaled: stop when nothing more can be sent now.
            if (!backlog || store == null || System.currentTimeMillis() < retryAt
                    || System.nanoTime() >= closeDeadline) {
                if (backlog) {
                    log.info("event log closing: unwritten events stay in the journal {} ({} bytes) and are written at"
                            + " the next start", config.journal(), journal.pendingBytes());
                }
                return true;
            }
        }
        long untilRetry = retryAt - System.currentTimeMillis();
        window.await(backlog && store != null && untilRetry > 0 ? Math.min(untilRetry, IDLE_POLL_MILLIS)
                : IDLE_POLL_MILLIS);
        return false;
    }

    private void sendOneBatch(EventStore store) throws IOException {
        List<Journal.Entry> batch;
        try {
            batch = window.next(journal, config.batchSize());
        } catch (DamagedRecord d) {
            skip(d);
            return;
        }
        if (batch.isEmpty()) {
            return;
        }
        List<Event> events = new ArrayList<>(batch.size());
        for (Journal.Entry en : batch) {
            events.add(en.event());
        }
        int fresh;
        try {
            fresh = store.insert(events);
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            owner.becomeUnavailable(reason);
            retryAt = System.currentTimeMillis() + backoff;
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            return;
        }
        long end = batch.getLast().end();
        window.sent(end);
        backoff = MIN_BACKOFF_MILLIS;
        failureBackoff = MIN_BACKOFF_MILLIS;
        retryAt = 0;
        owner.written(events.size(), fresh);
        owner.threadRecovered("event-writer");
        owner.insertWorked();
        acknowledge(end);
    }

    private void acknowledge(long end) {
        try {
            journal.ack(end);
        } catch (IOException e) {
            log.warn("event journal {}: keeping the acknowledgement mark failed ({}); events may be sent again (the"
                    + " store skips those it has)", config.journal(), e.toString());
        }
        owner.journalBytes(journal.pendingBytes());
    }

    /** A record that cannot be trusted: skipped with what follows it in its segment, said once, never sent. */
    private void skip(DamagedRecord d) {
        long next = window.skipDamaged(d.at(), d.resumeAt());
        String message = d.getMessage() + "; skipped " + (next - d.at()) + " bytes to offset " + next
                + ": the events in them are lost (a disk fault, or a file changed by hand)";
        log.error("{}", message);
        owner.record(EventType.JOURNAL_DAMAGED, "event-writer", config.journal().toString(), message,
                Map.of("offset", Long.toString(d.at()), "bytes", Long.toString(next - d.at())));
        acknowledge(next);
    }
}
