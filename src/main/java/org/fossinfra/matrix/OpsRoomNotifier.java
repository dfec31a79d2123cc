package org.fossinfra.matrix;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.fossinfra.config.MatrixConfig;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;

/**
 * Turns the node's events into ops-room messages: the types the config enables, grouped so that a burst reads as one
 * message, queued in the {@link Outbox} in order.
 *
 * <p><b>Grouping.</b> The first event of a type opens a group; every event of that type within {@code group-window}
 * of it joins the group; when the window ends the group becomes one message listing its events (ten servers failing
 * within the window: one message naming ten). Groups are posted in the order they were opened. One exception keeps
 * each subject's story in order: an event about a subject that an open group of another type already holds (web1
 * DOWN, then web1 UP within the window) first closes every open group, so "down" is posted before "up".
 *
 * <p><b>Threads.</b> {@link #onEvent} runs on whatever thread recorded the event (an event loop of the data plane,
 * the health checker...): it only offers the event to a queue and returns. Everything else runs on the notifier's own
 * thread. Closing posts what is still grouped at once instead of waiting for the windows to end.
 */
final class OpsRoomNotifier implements AutoCloseable {
    /** A group this large is posted at once: the message lists {@link Messages#MAX_LISTED} and counts the rest. */
    static final int MAX_GROUP = 1_000;
    /** Events waiting to be grouped; far above what the node records in a window, so reaching it means trouble. */
    static final int INBOX_LIMIT = 100_000;

    private static final class Group {
        final String type;
        final long deadlineNanos;
        final List<Event> events = new ArrayList<>();
        final Set<String> subjects = new HashSet<>();

        Group(String type, long deadlineNanos) {
            this.type = type;
            this.deadlineNanos = deadlineNanos;
        }
    }

    /** Replaced by a reload (its notification switches); the group window stays as started. */
    private volatile MatrixConfig config;
    private final String node;
    private final Outbox outbox;
    private final EventLog events;
    private final long windowNanos;
    private final LinkedBlockingQueue<Event> inbox = new LinkedBlockingQueue<>(INBOX_LIMIT);
    /** Open groups in the order they were opened, which is also the order their windows end. Notifier thread only. */
    private final Map<String, Group> open = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean closing;
    private volatile AutoCloseable subscription;
    /** Notifications lost since the outbox last had room (notifier thread), and in total. */
    private long droppedNow;
    private final AtomicLong droppedTotal = new AtomicLong();

    OpsRoomNotifier(MatrixConfig config, String node, Outbox outbox, EventLog events) {
        this.config = config;
        this.node = node;
        this.outbox = outbox;
        this.events = events;
        this.windowNanos = config.groupWindow().toNanos();
        this.thread = new Thread(this::run, "matrix-notifier");
        this.thread.setDaemon(true);
    }

    /** A reload's notification switches: events recorded from now on are filtered by them. */
    void onReload(MatrixConfig next) {
        config = next;
    }

    /** Subscribes to the event log: from now on every enabled event is reported. */
    void start() {
        subscription = events.subscribe(this::onEvent);
        thread.start();
    }

    /** Called by the event log on the recording thread: hands the event over and returns. */
    void onEvent(Event e) {
        if (closing || !config.notifies(e.type())) {
            return;
        }
        if (!inbox.offer(e)) {
            droppedTotal.incrementAndGet();
        }
    }

    /** Notifications dropped because the outbox was full. */
    long dropped() {
        return droppedTotal.get();
    }

    private void run() {
        try {
            while (!closing) {
                long wait = open.isEmpty() ? TimeUnit.SECONDS.toNanos(1)
                        : open.values().iterator().next().deadlineNanos - System.nanoTime();
                Event e = inbox.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
                if (e != null) {
                    add(e, System.nanoTime());
                }
                flushDue(System.nanoTime());
            }
        } catch (InterruptedException e) {
            // closing
        }
        // Closing: what was recorded until now is posted now rather than lost with the process.
        List<Event> rest = new ArrayList<>();
        inbox.drainTo(rest);
        for (Event e : rest) {
            add(e, System.nanoTime());
        }
        flushAll();
    }

    /** Adds an event to its type's group (opened at {@code now} if there is none). */
    void add(Event e, long now) {
        for (Group g : open.values()) {
            if (!g.type.equals(e.type()) && g.subjects.contains(e.subject())) {
                flushAll();
                break;
            }
        }
        Group g = open.computeIfAbsent(e.type(), t -> new Group(t, now + windowNanos));
        g.events.add(e);
        g.subjects.add(e.subject());
        if (g.events.size() >= MAX_GROUP) {
            flush(g);
        }
    }

    /** Posts every group whose window has ended by {@code now}. */
    void flushDue(long now) {
        while (!open.isEmpty()) {
            Group first = open.values().iterator().next();
            if (first.deadlineNanos - now > 0) {
                return;
            }
            flush(first);
        }
    }

    void flushAll() {
        for (Group g : List.copyOf(open.values())) {
            flush(g);
        }
    }

    private void flush(Group g) {
        open.remove(g.type);
        if (outbox.offer(Messages.notification(node, g.type, g.events))) {
            if (droppedNow > 0) {
                events.record(EventType.MATRIX_NOTIFICATIONS_DROPPED, "matrix", node, droppedNow
                                + " notification(s) were dropped while the Matrix outbox was full; it has room again",
                        Map.of("dropped", Long.toString(droppedNow)));
                droppedNow = 0;
            }
            return;
        }
        if (droppedNow == 0) {
            events.record(EventType.MATRIX_NOTIFICATIONS_DROPPED, "matrix", node, "the Matrix outbox is full ("
                            + outbox.limit() + " messages wait for the homeserver): new notifications are dropped until"
                            + " it takes them; raise matrix.queue-limit to keep more",
                    Map.of("limit", Integer.toString(outbox.limit())));
        }
        droppedNow += g.events.size();
        droppedTotal.addAndGet(g.events.size());
    }

    /** Stops listening, posts what is grouped, and waits (a few seconds at most) for the notifier thread to end. */
    @Override
    public void close() {
        closing = true;
        AutoCloseable s = subscription;
        if (s != null) {
            try {
                s.close();
            } catch (Exception ignored) {
                // a list removal
            }
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
