package org.fossinfra.events;

/**
 * What became of an event given to {@link DurableEventLog#recordDurably}: accepted for persistence, or refused.
 * Either way it is in the node's memory (recent events, the live pages) and its log, and listeners saw it.
 */
public sealed interface Recorded permits Recorded.Accepted, Recorded.Refused {

    Event event();

    /**
     * The event is in the write-behind buffer: it is written to the store exactly once, unless the process dies
     * before it reached the journal (a few milliseconds; while journaling is stopped by a full disk, until it starts
     * again) or the journal's disk is lost.
     */
    record Accepted(Event event) implements Recorded {
    }

    /**
     * The buffer was full (the journal stopped, or the disk stalled): the event will not reach the store. Counted in
     * {@link DurableEventLog.Stats#dropped()}, and said in one {@code journal.dropped} event once the buffer has room.
     *
     * @param reason why, in one sentence an operator can act on
     */
    record Refused(Event event, String reason) implements Recorded {
    }
}
