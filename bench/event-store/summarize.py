#!/usr/bin/env python3
"""Turns bench/event-store.sh's RESULT lines into its markdown tables: per write phase the median events/s with
[min-max] over the windows and the median of the windows' batch-latency p50/p99/max; per read query the median ms
(and the first run), rows returned, the indexes its plan used and the execution time EXPLAIN ANALYZE reported.

    bench/event-store/summarize.py RESULTS.txt SIZE.txt LOAD_SECONDS ROWS MONTHS
"""
import statistics
import sys

QUERY_TITLES = {
    "first-page": "first page (newest 100)",
    "second-page": "next page (cursor of the first)",
    "deep-page": "a page half-way down (cursor ~5M rows deep)",
    "type-common": "type filter, common type (20%), first page",
    "type-rare": "type filter, rare type (0.01%), first page",
    "type-rare-page2": "rare type, next page by cursor",
    "type-deep-page": "common type, a page half-way down by cursor",
    "time-range": "time range (one day, 4 months back), first page",
    "time-range-type": "time range + type (10%), first page",
    "time-range-type-rare": "time range + rare type, first page",
}


def parse(path):
    out = []
    for line in open(path):
        if line.startswith("RESULT "):
            out.append(dict(kv.split("=", 1) for kv in line.split()[1:]))
    return out


def main(results, size, load_s, rows, months):
    rs = parse(results)
    count, table, idx = (open(size).read().strip().split("|") + ["?", "?", "?"])[:3]
    print("Write path (EventLog.writeBehind → journal → PostgresEventStore.insert), one producer as fast as the log"
          " drains; per measured window the events/s and the latency of each insert (one batch, one commit):")
    print()
    print("| table | windows | batch size | events/s median [min–max] | insert p50 | insert p99 | insert max"
          " | events dropped |")
    print("|---|---|---|---|---|---|---|---|")
    for phase, title in (("empty", "empty"), ("loaded", f"{int(rows):,} rows loaded")):
        w = [r for r in rs if r.get("mode") == "write" and r.get("phase") == phase]
        if not w:
            continue
        eps = [float(r["events_per_s"]) for r in w]
        print(f"| {title} | {len(w)} | {w[0]['batch_size']} (mean sent {statistics.median(float(r['mean_batch']) for r in w):.0f})"
              f" | {statistics.median(eps):,.0f} [{min(eps):,.0f}–{max(eps):,.0f}]"
              f" | {statistics.median(float(r['p50_ms']) for r in w):.1f} ms"
              f" | {statistics.median(float(r['p99_ms']) for r in w):.1f} ms"
              f" | {max(float(r['max_ms']) for r in w):.1f} ms | {max(int(r['dropped']) for r in w)} |")
    print()
    print(f"Reads at {int(rows):,} rows over {months} monthly partitions ({table} of table, {idx} of indexes;"
          f" loaded and analysed in {load_s} s), through PostgresEventStore.query, limit 100:")
    print()
    print("| query | rows | median | first run | min–max | indexes in the plan | EXPLAIN ANALYZE execution |")
    print("|---|---|---|---|---|---|---|")
    for r in rs:
        if r.get("mode") != "read":
            continue
        print(f"| {QUERY_TITLES.get(r['query'], r['query'])} | {r['rows']} | {float(r['median_ms']):.2f} ms"
              f" | {float(r['first_ms']):.2f} ms | {float(r['min_ms']):.2f}–{float(r['max_ms']):.2f} ms"
              f" | {r['index'].replace(',', ', ')} | {r['exec_ms']} ms |")
    reads = [r for r in rs if r.get("mode") == "read"]
    if reads:
        print()
        print(f"{reads[0]['reps']} runs of each query in a row; median over the runs.")


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
