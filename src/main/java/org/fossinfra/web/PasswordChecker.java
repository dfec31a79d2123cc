package org.fossinfra.web;

import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.fossinfra.config.Passwords;

/**
 * Runs sign-in password checks (bcrypt, a quarter of a second of CPU each) on threads of its own, few of them, with a
 * short queue: the data plane's event loops share the machine's cores, and a check must never take more of them than
 * {@link #THREADS} nor wait behind an unbounded backlog. Beyond the queue a check is refused at once
 * ({@link #check} gives empty) and the sign-in answers 429 with {@code Retry-After}.
 *
 * <p>Not Vert.x's worker pool: that pool also runs the admin API's blocking work (event queries, metrics scrapes), and
 * a burst of checks queued there would hold those up and keep every worker busy hashing.
 */
final class PasswordChecker implements AutoCloseable {
    /** One check at a time on up to four cores, two on more: the rest stays with the data plane. */
    static final int THREADS = Runtime.getRuntime().availableProcessors() > 4 ? 2 : 1;
    /**
     * Checks that may wait: eight quarter-second checks is two seconds at most behind one thread, long enough for a
     * person's sign-in to ride out a burst, short enough that nothing piles up.
     */
    static final int QUEUE = 8;

    private final ThreadPoolExecutor pool;
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    PasswordChecker() {
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "sign-in-check-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Checks {@code password} against {@code hash} (null: no such user, checked against a dummy all the same) on the
     * checker's threads; empty when the checker is busy and the queue full.
     */
    Optional<CompletableFuture<Boolean>> check(String password, String hash) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                checks.incrementAndGet();
                try {
                    result.complete(Passwords.matches(password, hash));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            refused.incrementAndGet();
            return Optional.empty();
        }
        return Optional.of(result);
    }

    /** bcrypt checks run so far (for tests, and to say what a flood cost). */
    long checks() {
        return checks.get();
    }

    /** Checks refused because the checker was busy. */
    long refused() {
        return refused.get();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
