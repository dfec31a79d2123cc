package org.fossinfra.events;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The newest journaled, unacknowledged events, oldest first and contiguous in the journal, shared by the journal and
 * writer threads under its own lock; {@code cursor} is where the next batch to send starts. Older events than the
 * window holds (it keeps at most {@code capacity}) are read back from the journal when their turn comes.
 */
final class JournalWindow {
    private final ArrayDeque<Journal.Entry> entries = new ArrayDeque<>();
    private final int capacity;
    private long cursor;
    private boolean journalDone;

    JournalWindow(long cursor, int capacity) {
        this.cursor = cursor;
        this.capacity = capacity;
    }

    synchronized void add(List<Journal.Entry> added) {
        entries.addAll(added);
        while (entries.size() > capacity) {
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

    /**
     * Past a damaged record at {@code at}: goes on at {@code resumeAt} (the next segment, or the journal's end), or at
     * the oldest event held in memory if that comes first. Returns the new cursor.
     */
    synchronized long skipDamaged(long at, long resumeAt) {
        long next = resumeAt;
        Journal.Entry head = entries.peekFirst();
        if (head != null && head.start() > at && head.start() < next) {
            next = head.start();
        }
        cursor = Math.max(cursor, next);
        return cursor;
    }
}
