#!/usr/bin/env python3
"""Summarises `jfr print --stack-depth 64` output of jdk.ExecutionSample and jdk.ObjectAllocationSample events:
top frames by self and inclusive samples, and which foss-infra (org.fossinfra.*) frames lead to the hottest ones.

    jfr_stacks.py EXECUTION_SAMPLES.txt [ALLOCATION_SAMPLES.txt]
"""
import collections
import re
import sys

FRAME = re.compile(r"^\s+([\w$.<>]+)\(([^)]*)\)\s+line:\s*(\d+)", re.M)
WEIGHT = re.compile(r"weight = ([\d.]+) (bytes|kB|MB|GB)")
UNITS = {"bytes": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}


def short(method, line):
    parts = method.split(".")
    return f"{parts[-2]}.{parts[-1]}:{line}"


def events(path):
    for chunk in open(path).read().split("\njdk.")[0:]:
        frames = FRAME.findall(chunk)
        if not frames:
            continue
        m = WEIGHT.search(chunk)
        weight = float(m.group(1)) * UNITS[m.group(2)] if m else 1.0
        yield frames, weight


def own_path(frames, start, n=3):
    mine = [short(f[0], f[2]) for f in frames[start:] if f[0].startswith("org.fossinfra.")]
    return " <- ".join(mine[:n]) or "(no foss-infra frame)"


def report(path, what, top=15, callers_of=6):
    evs = list(events(path))
    total = sum(w for _, w in evs) or 1
    self_, incl = collections.Counter(), collections.Counter()
    for frames, w in evs:
        self_[frames[0][0]] += w
        for name in {f[0] for f in frames}:
            incl[name] += w
    print(f"{what}: {len(evs)} samples")
    print("\nTop frames (self):")
    for name, w in self_.most_common(top):
        print(f"{100 * w / total:5.1f}%  {name}")
    print("\nInclusive, foss-infra methods:")
    for name, w in [(n, w) for n, w in incl.most_common() if n.startswith("org.fossinfra.")][:top]:
        print(f"{100 * w / total:5.1f}%  {name}")
    print(f"\nWhere the {callers_of} hottest frames are reached from (foss-infra frames, innermost first):")
    for name, w in self_.most_common(callers_of):
        paths = collections.Counter()
        for frames, fw in evs:
            if frames[0][0] == name:
                paths[own_path(frames, 1)] += fw
        print(f"{100 * w / total:5.1f}%  {name}")
        for p, pw in paths.most_common(3):
            print(f"         {100 * pw / total:5.1f}%  {p}")
    print()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    report(sys.argv[1], "CPU (jdk.ExecutionSample, Java code only)")
    if len(sys.argv) > 2:
        report(sys.argv[2], "Allocation (jdk.ObjectAllocationSample, by sampled weight)", top=10, callers_of=4)
