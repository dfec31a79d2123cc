package org.fossinfra.web;

import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.fossinfra.events.DurableEventLog;
import org.fossinfra.events.StoreStatus;
import org.fossinfra.metrics.Tick;
import org.fossinfra.store.Database;
import org.fossinfra.store.DatabaseReport;

/**
 * The database page (database.jte): the event store's state (embedded or external, available or why not, the journal's
 * backlog, events written) and the seed's analysis queries on its PostgreSQL (table and index sizes, dead tuples,
 * unused indexes, the slowest statements). Nothing here waits on PostgreSQL: {@link Database#report()} hands back the
 * last analysis at once and reads a new one on its own thread when that is older than a few seconds, so rendering
 * every tick costs no query, and neither does a viewer more.
 */
final class DatabasePage implements LivePage {
    private static final List<String> PARTS = List.of("store", "summary", "tables", "indexes", "slow");

    /**
     * Everything database.jte shows.
     *
     * @param database    the node's database, empty when the config disables the store (or before the node made it)
     * @param report      the latest analysis, empty until the first one is read
     * @param reportError why the latest analysis failed, or empty
     */
    record View(Chrome chrome, Optional<Database> database, StoreStatus status, DurableEventLog.Stats stats,
                Optional<DatabaseReport> report, String reportError, long now) {
        long unusedIndexes() {
            return report.map(r -> r.indexes().stream().filter(i -> i.usage() == DatabaseReport.Usage.UNUSED).count())
                    .orElse(0L);
        }

        /** "12 months", "90 days", "1 year 6 months". */
        String retention() {
            return database.map(d -> {
                java.time.Period p = d.config().retention();
                List<String> parts = new java.util.ArrayList<>();
                if (p.getYears() != 0) {
                    parts.add(Format.plural(p.getYears(), "year"));
                }
                if (p.getMonths() != 0) {
                    parts.add(Format.plural(p.getMonths(), "month"));
                }
                if (p.getDays() != 0) {
                    parts.add(Format.plural(p.getDays(), "day"));
                }
                return String.join(" ", parts);
            }).orElse("");
        }

        long bloatedTables() {
            return report.map(r -> r.tables().stream().filter(DatabaseReport.Table::bloated).count()).orElse(0L);
        }
    }

    private final Dashboard dashboard;
    private final Supplier<Optional<Database>> database;

    DatabasePage(Dashboard dashboard, Supplier<Optional<Database>> database) {
        this.dashboard = dashboard;
        this.database = database;
    }

    @Override
    public String name() {
        return "database";
    }

    void show(RoutingContext ctx, Sessions.Session session) {
        Chrome chrome = dashboard.chrome("Database", name(), session, null);
        dashboard.html(ctx, 200, dashboard.templates().page("database", view(chrome)));
    }

    @Override
    public Map<String, String> parts(Tick tick, String viewKey) {
        View v = view(null);
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : PARTS) {
            parts.put(part, dashboard.templates().part("database", v, part));
        }
        return parts;
    }

    private View view(Chrome chrome) {
        Optional<Database> db = database.get();
        StoreStatus status = db.map(Database::status).orElseGet(StoreStatus::disabled);
        DurableEventLog.Stats stats = db.map(Database::stats).orElse(new DurableEventLog.Stats(0, 0, 0, 0, 0, 0, 0));
        Optional<DatabaseReport> report = db.flatMap(Database::report);
        String error = db.flatMap(Database::reportError).orElse("");
        return new View(chrome, db, status, stats, report, error, System.currentTimeMillis());
    }
}
