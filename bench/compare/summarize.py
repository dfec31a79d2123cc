#!/usr/bin/env python3
"""Turns bench/compare.sh's results.tsv into the markdown table it prints: per case and proxy the median requests/s
with [min-max] over the rounds, median p50 and p99, errors summed over the rounds, peak RSS, median proxy CPU and
CPU time per request (proxy CPU / requests: the figure least disturbed by a busy neighbour), and
the median CPU used meanwhile by everything else on the machine ("other load",
100% = one core: the noise on a shared machine), and each proxy's ratio to HAProxy in the same case (req/s: higher is better, target >= 1.0; p99: lower is better,
target <= 1.2), followed by a check of foss-infra against the issue's targets.

    bench/compare/summarize.py RESULTS.tsv
"""
import csv
import statistics
import sys

CASE_TITLES = {
    "1x64": "1 worker, 64 conns",
    "1x256": "1 worker, 256 conns",
    "2x64": "2 workers, 64 conns",
    "2x256": "2 workers, 256 conns",
    "10k": "1 worker, 64 conns, 10 KiB body",
    "1m": "1 worker, 16 conns, 1 MiB body",
}


QUIET_PCT = 15


def ms(us):
    return f"{us / 1000:.2f} ms"


def main(path):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    cases, by = [], {}
    for r in rows:
        key = (r["case"], r["proxy"])
        if r["case"] not in cases:
            cases.append(r["case"])
        by.setdefault(key, []).append(r)
    proxies_order = []
    for r in rows:
        if r["proxy"] not in proxies_order:
            proxies_order.append(r["proxy"])

    stats = {}
    for key, rs in by.items():
        rps = [float(r["rps"]) for r in rs]
        stats[key] = {
            "n": len(rs),
            "rps": statistics.median(rps), "min": min(rps), "max": max(rps),
            "p50": statistics.median(float(r["p50_us"]) for r in rs),
            "p99": statistics.median(float(r["p99_us"]) for r in rs),
            "errors": sum(int(r["errors"]) for r in rs),
            "err_detail": ", ".join(sorted({r["err_detail"] for r in rs if int(r["errors"]) > 0})),
            "rss": max(int(r["rss_kb"]) for r in rs),
            "cpu": statistics.median(float(r["cpu_pct"]) for r in rs),
            # the proxy's CPU time per request: far less sensitive to a busy neighbour than requests/s
            "cpu_us": statistics.median(float(r["cpu_pct"]) / 100 * 1e6 / float(r["rps"]) for r in rs if float(r["rps"]) > 0),
            "mbps": statistics.median(float(r["mbps"]) for r in rs),
            "other": statistics.median(float(r.get("other_cpu_pct") or "nan") for r in rs),
        }

    out = []
    out.append("| case | proxy | req/s median [min–max] | p50 | p99 | errors | RSS (peak) | proxy CPU | CPU per request | other load | req/s ÷ HAProxy | p99 ÷ HAProxy | CPU/req ÷ HAProxy |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    checks = []
    for c in cases:
        hap = stats.get((c, "haproxy"))
        for p in proxies_order:
            s = stats.get((c, p))
            if s is None:
                continue
            rate = f"{s['rps']:,.0f} [{s['min']:,.0f}–{s['max']:,.0f}]"
            if c == "1m":
                rate += f" = {s['mbps']:,.0f} MB/s"
            ratio_rps = ratio_p99 = ratio_cpu = "—" if p == "haproxy" else "n/a"
            if hap and p != "haproxy":
                rr = s["rps"] / hap["rps"] if hap["rps"] else float("nan")
                rp = s["p99"] / hap["p99"] if hap["p99"] else float("nan")
                ratio_rps, ratio_p99 = f"{rr:.2f}×", f"{rp:.2f}×"
                ratio_cpu = f"{s['cpu_us'] / hap['cpu_us']:.2f}×" if hap["cpu_us"] else "n/a"
                if p == "foss-infra":
                    checks.append((c, rr, rp, s))
            other = "n/a" if s["other"] != s["other"] else f"{s['other']:.0f}%"
            errors = str(s["errors"]) + (f" ({s['err_detail']})" if s["errors"] else "")
            out.append(f"| {CASE_TITLES.get(c, c)} | {p} | {rate} | {ms(s['p50'])} | {ms(s['p99'])} | {errors} | "
                       f"{s['rss'] / 1024:.0f} MiB | {s['cpu']:.0f}% | {s['cpu_us']:.1f} µs | {other} | {ratio_rps} | {ratio_p99} | {ratio_cpu} |")
    # The same, over the quiet rounds only: those during which the rest of the machine used little CPU. On a shared
    # machine this separates the proxies from the neighbours' noise (with fewer rounds behind each figure).
    quiet = [r for r in rows if r.get("other_cpu_pct") not in (None, "") and float(r["other_cpu_pct"]) < QUIET_PCT]
    if quiet and len(quiet) < len(rows):
        qby = {}
        for r in quiet:
            qby.setdefault((r["case"], r["proxy"]), []).append(r)
        out.append("")
        out.append(f"Quiet rounds only (everything else on the machine used < {QUIET_PCT}% of a core during the run):")
        out.append("")
        out.append("| case | proxy | quiet rounds | req/s median [min–max] | p50 | p99 | req/s ÷ HAProxy | p99 ÷ HAProxy |")
        out.append("|---|---|---|---|---|---|---|---|")
        for c in cases:
            qh = qby.get((c, "haproxy"))
            hr = statistics.median(float(r["rps"]) for r in qh) if qh else None
            hp = statistics.median(float(r["p99_us"]) for r in qh) if qh else None
            for p in proxies_order:
                rs = qby.get((c, p))
                if not rs:
                    out.append(f"| {CASE_TITLES.get(c, c)} | {p} | 0 of {len(by.get((c, p), []))} | | | | | |")
                    continue
                rps = [float(r["rps"]) for r in rs]
                med, p99 = statistics.median(rps), statistics.median(float(r["p99_us"]) for r in rs)
                p50 = statistics.median(float(r["p50_us"]) for r in rs)
                rr = "—" if p == "haproxy" else (f"{med / hr:.2f}×" if hr else "n/a")
                rp = "—" if p == "haproxy" else (f"{p99 / hp:.2f}×" if hp else "n/a")
                out.append(f"| {CASE_TITLES.get(c, c)} | {p} | {len(rs)} of {len(by[(c, p)])} | {med:,.0f} "
                           f"[{min(rps):,.0f}–{max(rps):,.0f}] | {ms(p50)} | {ms(p99)} | {rr} | {rp} |")
    if checks:
        out.append("")
        out.append("foss-infra against the targets (req/s ≥ 1.0× HAProxy, p99 ≤ 1.2× HAProxy, zero errors, "
                   "RSS ≤ 100 MB = 95 MiB at 256 connections):")
        out.append("")
        for c, rr, rp, s in checks:
            marks = [
                f"req/s {rr:.2f}× {'met' if rr >= 1.0 else 'MISSED'}",
                f"p99 {rp:.2f}× {'met' if rp <= 1.2 else 'MISSED'}",
                f"errors {s['errors']} {'met' if s['errors'] == 0 else 'MISSED'}",
            ]
            if c.endswith("256"):
                marks.append(f"RSS {s['rss'] / 1024:.0f} MiB = {s['rss'] * 1024 / 1e6:.0f} MB "
                             f"{'met' if s['rss'] * 1024 <= 100e6 else 'MISSED'}")
            out.append(f"- {CASE_TITLES.get(c, c)}: " + "; ".join(marks))
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
