#!/usr/bin/env python3
"""Turns bench/ratelimit.sh's results.tsv into its markdown table: per variant the median requests/s with
[min-max] over the rounds, median p50 and p99, socket errors and non-2xx answers summed over the rounds, Redis
script calls (checks) per request (median), the proxy's median CPU and CPU time per request, the median "other load" (CPU used
meanwhile by everything but the proxy, the backends, Redis and wrk: the noise on a shared machine), and the ratios
to the variant without a rule (req/s, p99, CPU per request).

    bench/ratelimit/summarize.py RESULTS.tsv
"""
import csv
import statistics
import sys

TITLES = {
    "none": "no rule",
    "local": "per-client rule, local store",
    "redis": "per-client rule, Redis",
    "local-429": "rule exceeded (429), local store",
    "redis-429": "rule exceeded (429), Redis",
}


def ms(us):
    return f"{us / 1000:.2f} ms"


def main(path):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    order, by = [], {}
    for r in rows:
        if r["variant"] not in order:
            order.append(r["variant"])
        by.setdefault(r["variant"], []).append(r)
    st = {}
    for v, rs in by.items():
        rps = [float(r["rps"]) for r in rs]
        st[v] = {
            "n": len(rs), "rps": statistics.median(rps), "min": min(rps), "max": max(rps),
            "p50": statistics.median(float(r["p50_us"]) for r in rs),
            "p99": statistics.median(float(r["p99_us"]) for r in rs),
            "err": sum(int(r["socket_errors"]) for r in rs),
            "non2xx": sum(int(r["non2xx"]) for r in rs),
            "req": sum(int(r["requests"]) for r in rs),
            "redis": statistics.median(int(r["redis_cmds"]) / max(1, int(r["requests"])) for r in rs),
            "cpu": statistics.median(float(r["cpu_pct"]) for r in rs),
            "cpu_us": statistics.median(float(r["cpu_pct"]) / 100 * 1e6 / float(r["rps"]) for r in rs
                                        if float(r["rps"]) > 0),
            "rss": max(int(r["rss_kb"]) for r in rs),
            "other": statistics.median(float(r["other_cpu_pct"]) for r in rs),
        }
    base = st.get("none")
    out = ["| variant | req/s median [min–max] | p50 | p99 | socket errors | non-2xx (429) | Redis checks / request "
           "| proxy CPU | CPU per request | RSS (peak) | other load | req/s ÷ no rule | p99 ÷ no rule "
           "| CPU/req ÷ no rule |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for v in order:
        s = st[v]
        if v == "none":
            ratios = ["—", "—", "—"]
        elif base:
            ratios = [f"{s['rps'] / base['rps']:.2f}×", f"{s['p99'] / base['p99']:.2f}×",
                      f"{s['cpu_us'] / base['cpu_us']:.2f}×"]
        else:
            ratios = ["n/a"] * 3
        non2xx = f"{s['non2xx']:,} of {s['req']:,}"
        out.append(f"| {TITLES.get(v, v)} | {s['rps']:,.0f} [{s['min']:,.0f}–{s['max']:,.0f}] | {ms(s['p50'])} | "
                   f"{ms(s['p99'])} | {s['err']} | {non2xx} | {s['redis']:.2f} | {s['cpu']:.0f}% | "
                   f"{s['cpu_us']:.1f} µs | {s['rss'] / 1024:.0f} MiB | {s['other']:.0f}% | " + " | ".join(ratios) + " |")
    print("\n".join(out))
    print()
    print(f"{st[order[0]]['n']} interleaved rounds per variant; medians over the rounds, errors and answers summed.")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
