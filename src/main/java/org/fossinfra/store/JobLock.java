package org.fossinfra.store;

import java.util.Optional;

/**
 * A cluster-wide lock for jobs that one node at a time should run (the partition job). Taken without waiting: a node
 * that does not get it skips the run, since another node is doing the work. A PostgreSQL advisory lock
 * ({@link #advisory}): the database the job works on is the one place every node running it already shares.
 */
public interface JobLock {

    /** The lock named {@code name} if it is free now; close the lease to release it. */
    Optional<Lease> tryAcquire(String name) throws Exception;

    /** A held lock. Closing releases it; losing the connection that holds it releases it too. */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /** Session-level {@code pg_try_advisory_lock} on a connection of {@code pool}, held until the lease is closed. */
    static JobLock advisory(javax.sql.DataSource pool) {
        return new AdvisoryLock(pool);
    }
}
