#!/usr/bin/env python3
"""Prints the markdown tables of bench/idle-connections.sh from the JSON files idle_test.py wrote.

    bench/idle/summarize.py RESULT.json...
"""
import json
import sys


def lat(l):
    if not l or "error" in l:
        return f"wrk failed: {l.get('error', '')[:60]!r}" if l else "—"
    return f"{l['rps']:,} req/s, p50 {l['p50_ms']:.2f} ms, p99 {l['p99_ms']:.2f} ms, {l['errors']} errors"


def outcome(o):
    keys = [("ok", "answered 2xx"), ("waiting", "waiting"), ("refused", "refused"), ("reset", "reset"),
            ("closed", "closed unanswered"), ("other", "other errors"), ("bind_or_connect", "client-side errors")]
    parts = [f"{int(o.get(k, 0)):,} {label}" for k, label in keys if o.get(k)]
    parts += [f"{int(v):,} answered {k[5:]}" for k, v in sorted(o.items()) if k.startswith("http_") and v]
    return ", ".join(parts) or "none"


def main(paths):
    rs = [json.load(open(p)) for p in paths]
    print("Holding the idle connections:")
    print()
    print("| proxy | idle connections held | RSS idle → holding | descriptors | new requests (wrk -c16), none held | new requests while holding | still open after | second request on 1,000 of them |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rs:
        b, h = r.get("baseline", {}), r.get("hold", {})
        if not h:
            print(f"| {r['proxy']} | (did not finish) | | | | | | |")
            continue
        o = h["open"]
        sec = h["second_request_on_1000_idle"]
        print(f"| {r['proxy']} | {int(o.get('ok', 0)):,} of {r['count']:,}"
              + (f" ({outcome({k: v for k, v in o.items() if k != 'ok'})})" if o.get('ok', 0) < r['count'] else "")
              + f" in {o.get('seconds', 0)} s | {b['rss_mib']:.0f} → {h['rss_mib']:.0f} MiB"
              f" (after wrk {h['rss_after_wrk_mib']:.0f}) | {h['fds']:,} | {lat(b['latency'])} | {lat(h['latency'])} | "
              f"{h['still_open']:,} (closed by proxy: {h['closed_by_proxy']}) | {int(sec.get('ok', 0)):,} answered, "
              f"p99 {h['second_request_p99_ms']} ms |")
    print()
    print("Past the open-file limit, then freeing descriptors:")
    print()
    print("| proxy | extra connections (to reach the total) | their outcome | proxy CPU while saturated | held ones still open | after closing idle ones: waiting extras | 200 fresh connections | new requests after | alive at the end | fd-limit log lines |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rs:
        o, rec, af = r.get("over_limit"), r.get("recovery"), r.get("after", {})
        if not o or not rec:
            print(f"| {r['proxy']} | (did not finish) | | | | | | | {af.get('proxy_alive')} | |")
            continue
        w = rec["waiting_extras_outcome"]
        print(f"| {r['proxy']} | {o['extra']:,} (to {r['over']:,}) | {outcome(o['outcome'])} | "
              f"{o['proxy_cpu_pct']}% opening, {o['proxy_cpu_pct_saturated_5s']}% idle at the limit | "
              f"{o['held_still_open']:,} (closed by proxy: {o['held_closed_by_proxy']}) | {rec['closed_idle']:,} closed → {outcome(w)}"
              + (f"; answered within {rec['waiting_extras_answered_max_s']} s" if rec['waiting_extras_answered_max_s'] is not None else "")
              + f" | {outcome(rec['fresh_200'])} | {lat(rec['latency'])} | "
              f"{'yes' if af.get('proxy_alive') else 'NO'}, RSS {af.get('rss_mib')} MiB | {af.get('fd_limit_log_lines')} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
