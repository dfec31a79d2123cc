package org.fossinfra.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link JobLock} on PostgreSQL advisory locks: the key is {@code hashtext('foss-infra:' || name)}, taken with
 * {@code pg_try_advisory_lock} on a pooled connection that the lease keeps until it is closed. If the node dies, its
 * connection goes and PostgreSQL frees the lock: no lease outlives its holder.
 *
 * <p>Hazard: the lease holds one pool connection for the duration of the job, so the pool needs at least two (the
 * config refuses fewer).
 */
final class AdvisoryLock implements JobLock {
    private static final Logger log = LoggerFactory.getLogger("store");
    private final DataSource pool;

    AdvisoryLock(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public Optional<Lease> tryAcquire(String name) throws SQLException {
        Connection c = pool.getConnection();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            ps.setString(1, "foss-infra:" + name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return Optional.of(() -> release(c, name));
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.close();
        return Optional.empty();
    }

    private static void release(Connection c, String name) {
        try (c; PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
            ps.setString(1, "foss-infra:" + name);
            ps.execute();
        } catch (SQLException e) {
            // The connection is gone, and the lock with it.
            log.debug("advisory unlock of {} failed: {}", name, e.toString());
        }
    }
}
