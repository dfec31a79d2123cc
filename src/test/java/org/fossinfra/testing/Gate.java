package org.fossinfra.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot gate a {@link FakeServer} reply can wait behind ({@link Reply#await}): the way a test holds a request in
 * flight on a server (for least connections, maxconn, drain, reload) and lets it finish when it chooses.
 */
public final class Gate {
    private final CountDownLatch latch = new CountDownLatch(1);

    public void open() {
        latch.countDown();
    }

    public boolean isOpen() {
        return latch.getCount() == 0;
    }

    /** Waits until opened; false when {@code timeout} passed first. */
    public boolean await(Duration timeout) throws InterruptedException {
        return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
