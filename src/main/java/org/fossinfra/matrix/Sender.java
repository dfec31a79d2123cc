package org.fossinfra.matrix;

import org.fossinfra.config.MatrixConfig;

/**
 * Posts the {@link Outbox}'s messages, one at a time and in order, on a thread of its own.
 *
 * <p><b>Exactly once, in order.</b> The head message is removed only once the homeserver has answered with its event
 * id; until then it is retried, with the same transaction id, and nothing behind it goes first. A retry after a lost
 * answer (a timeout, a homeserver that died after storing the event) is recognised by the homeserver from the
 * transaction id, which it keeps per device in its database, and not posted again.
 *
 * <p><b>Pace and failures.</b> Each attempt first takes a token from the {@link Pace}. A 429 waits what the homeserver
 * asked ({@code Retry-After}, else {@code retry_after_ms}); no connection, a timeout or a 5xx waits an exponential
 * backoff with full jitter, cut short when the sync loop sees the homeserver again. A message the homeserver refuses
 * for good (too large, malformed) is dropped with an event, so that it cannot block the queue forever; any other
 * refusal (not in the room, say) is retried with backoff while the room is sorted out.
 */
final class Sender implements Runnable {
    private final MatrixBot bot;
    private final MatrixClient client;
    private final Session session;
    private final Outbox outbox;
    private final Pace pace;
    private final Backoff backoff;
    private final Object wakeup = new Object();
    private boolean woken;

    Sender(MatrixBot bot, MatrixClient client, Session session, Outbox outbox, MatrixConfig config) {
        this.bot = bot;
        this.client = client;
        this.session = session;
        this.outbox = outbox;
        this.pace = new Pace(config.sendBurst(), config.sendInterval());
        this.backoff = new Backoff(config.maxBackoff().toMillis());
    }

    @Override
    public void run() {
        try {
            while (bot.running()) {
                Outgoing m = outbox.awaitHead(1_000);
                String room = m == null ? null : bot.awaitRoom(1_000);
                if (room == null) {
                    continue;
                }
                pace.acquire();
                try {
                    session.call(t -> client.send(t, room, m.txnId(), m.content()));
                    outbox.remove(m);
                    bot.onSent();
                    bot.onSuccess();
                    backoff.reset();
                } catch (MatrixException e) {
                    switch (e.kind()) {
                        case FATAL -> {
                            bot.stop(e.getMessage());
                            return;
                        }
                        case REFUSED -> {
                            if (e.status() == 400 || e.status() == 413) {
                                outbox.remove(m);
                                bot.onRefusedForGood(m, e);
                            } else {
                                bot.onFailure("send", e);
                                pause(backoff.delayFor(e), true);
                            }
                        }
                        case RATE_LIMITED -> {
                            bot.onFailure("send", e);
                            pause(backoff.delayFor(e), false);
                        }
                        case UNAVAILABLE, UNKNOWN_TOKEN -> {
                            bot.onFailure("send", e);
                            pause(backoff.delayFor(e), true);
                        }
                    }
                } catch (RuntimeException e) {
                    // A bug of ours: the message stays at the head and is tried again, the sender lives on.
                    bot.logs().warn("send-bug", "send: unexpected " + e + "; trying again after a backoff");
                    pause(backoff.next(), true);
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** Cuts a backoff wait short: the homeserver answers again. */
    void wake() {
        synchronized (wakeup) {
            woken = true;
            wakeup.notifyAll();
        }
    }

    /** Waits {@code ms}; a {@link #wake} ends the wait early when {@code wakeable} (not for a 429's wait). */
    private void pause(long ms, boolean wakeable) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        synchronized (wakeup) {
            woken = false;
            for (long left = ms; left > 0; left = deadline - System.currentTimeMillis()) {
                if (wakeable && woken) {
                    return;
                }
                wakeup.wait(left);
            }
        }
    }
}
