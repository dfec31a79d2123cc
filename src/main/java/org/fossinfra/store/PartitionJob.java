package org.fossinfra.store;

import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the monthly partitions of {@code events}: those of this month and the {@value #MONTHS_AHEAD} next exist, and
 * those entirely older than the retention are gone. The seed's {@code create_monthly_partitions()} did the first half
 * from pg_cron; here the node runs it at start and every hour, under a {@link JobLock} so that one node at a time does.
 *
 * <p>Idempotent and safe to re-run: creating is {@code CREATE TABLE IF NOT EXISTS}, dropping takes only months whose
 * partition ends at or before now minus the retention, so running it twice, or on two nodes one after the other,
 * changes nothing the second time. A change is an event ({@code store.partitions}); a run that changes nothing is
 * silent.
 */
public final class PartitionJob {
    private static final Logger log = LoggerFactory.getLogger("store");
    static final int MONTHS_AHEAD = 12;
    static final String LOCK = "events-partitions";

    /** What a run did; {@code ran} is false when another node held the lock. */
    public record Result(boolean ran, List<YearMonth> created, List<YearMonth> dropped) {
        public Result {
            created = List.copyOf(created);
            dropped = List.copyOf(dropped);
        }
    }

    private final DataSource pool;
    private final JobLock lock;
    private final Period retention;
    private final Clock clock;
    private final EventLog events;
    private final String node;

    public PartitionJob(DataSource pool, JobLock lock, Period retention, Clock clock, EventLog events, String node) {
        this.pool = pool;
        this.lock = lock;
        this.retention = retention;
        this.clock = clock;
        this.events = events;
        this.node = node;
    }

    /** One run; throws when the database fails (the caller logs it and tries again at the next run). */
    public Result run() throws Exception {
        Optional<JobLock.Lease> lease = lock.tryAcquire(LOCK);
        if (lease.isEmpty()) {
            log.debug("partition job: another node holds the lock; skipped");
            return new Result(false, List.of(), List.of());
        }
        JobLock.Lease held = lease.get();
        try (Connection c = pool.getConnection()) {
            Instant now = clock.instant();
            YearMonth current = Partitions.monthOf(now);
            List<YearMonth> created = new ArrayList<>();
            for (int i = 0; i <= MONTHS_AHEAD; i++) {
                if (Partitions.ensure(c, current.plusMonths(i))) {
                    created.add(current.plusMonths(i));
                }
            }
            YearMonth oldestKept = Partitions.oldestKept(now, retention);
            List<YearMonth> dropped = new ArrayList<>();
            for (YearMonth m : Partitions.list(c)) {
                if (m.isBefore(oldestKept)) {
                    Partitions.drop(c, m);
                    dropped.add(m);
                }
            }
            Result r = new Result(true, created, dropped);
            if (!created.isEmpty() || !dropped.isEmpty()) {
                String msg = "events partitions: created " + describe(created) + ", dropped " + describe(dropped)
                        + " (retention " + retention + ", oldest kept " + oldestKept + ")";
                events.record(EventType.STORE_PARTITIONS, "partition-job", node, msg,
                        Map.of("created", String.valueOf(created.size()), "dropped", String.valueOf(dropped.size())));
            }
            return r;
        } finally {
            held.close();
        }
    }

    private static String describe(List<YearMonth> months) {
        if (months.isEmpty()) {
            return "none";
        }
        return months.size() == 1 ? months.getFirst().toString()
                : months.size() + " (" + months.getFirst() + " to " + months.getLast() + ")";
    }
}
