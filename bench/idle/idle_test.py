#!/usr/bin/env python3
"""Idle keep-alive connections against one running proxy (started by bench/idle-connections.sh).

Phases:
  1. baseline: the proxy's RSS and open descriptors, and the latency of new requests (wrk -c16) with nothing else open;
  2. hold: opens --count connections (default 19,000) from several client processes, spread over source addresses
     127.0.0.2.. (bind before connect); each sends one request, reads the whole response, then stays idle. Then the
     proxy's RSS and descriptors, the latency of new requests again (wrk -c16) while they are held, and a check that
     the idle ones are still open and still answer a second request;
  3. over the limit: opens connections up to --over in total (default 20,500, past the proxy's 20,000 open files)
     and classifies each extra one: answered, refused, reset, closed without answer, or still waiting after
     --extra-wait seconds (left open, its request sent). Samples the proxy's CPU meanwhile (a stuck acceptor spins);
  4. recovery: closes --free idle connections (default 2,000) and counts the waiting extras that get answered in the
     next --recover-wait seconds, then opens 200 fresh connections and runs wrk -c16 again;
  5. closes everything and checks that the proxy is still running.

Prints a human log and writes a JSON summary (--json). Each client process raises its own open-files limit to the
hard limit; with a hard limit of 20,000 the connections are split over --procs processes.
"""
import argparse
import errno
import json
import multiprocessing as mp
import os
import re
import resource
import selectors
import socket
import subprocess
import sys
import time

IP_BIND_ADDRESS_NO_PORT = 24


# ------------------------------------------------------------------------------------------------ client process

class Conn:
    __slots__ = ("sock", "state", "buf", "deadline", "need", "t0")


def response_complete(buf):
    """True when buf holds a whole response head and its Content-Length body."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return False
    m = re.search(rb"\r\ncontent-length:\s*(\d+)", buf[:end], re.I)
    length = int(m.group(1)) if m else 0
    return len(buf) >= end + 4 + length


def request_bytes(port, path="/"):
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: idle-test\r\n\r\n".encode()


class Client:
    def __init__(self, port, sources, idx):
        self.port = port
        self.sources = sources
        self.idx = idx
        self.idle = []      # answered, idle connections
        self.pending = []   # Conn objects whose request was sent but not yet answered
        self.n = 0

    def _new(self):
        src = self.sources[(self.n + self.idx) % len(self.sources)]
        self.n += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        s.bind((src, 0))
        s.setblocking(False)
        c = Conn()
        c.sock, c.state, c.buf, c.need = s, "connect", b"", True
        c.t0 = time.monotonic()
        err = s.connect_ex(("127.0.0.1", self.port))
        if err not in (0, errno.EINPROGRESS):
            s.close()
            raise OSError(err, os.strerror(err))
        return c

    def drive(self, conns, timeout, keep_waiting):
        """Drives conns (new or pending) until each is answered, fails, or timeout passes. Returns counts."""
        counts = {"ok": 0, "refused": 0, "reset": 0, "closed": 0, "waiting": 0, "other": 0}
        latencies = []
        sel = selectors.DefaultSelector()
        req = request_bytes(self.port)
        deadline = time.monotonic() + timeout
        live = 0
        for c in conns:
            sel.register(c.sock, selectors.EVENT_WRITE if c.state == "connect" else selectors.EVENT_READ, c)
            live += 1

        def finish(c, outcome):
            nonlocal live
            sel.unregister(c.sock)
            live -= 1
            counts[outcome] += 1
            if outcome == "ok":
                latencies.append(time.monotonic() - c.t0)
                self.idle.append(c.sock)
            else:
                c.sock.close()

        while live > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for key, _ in sel.select(min(left, 0.5)):
                c = key.data
                if c.state == "connect":
                    err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        finish(c, "refused" if err == errno.ECONNREFUSED else "reset" if err == errno.ECONNRESET else "other")
                        continue
                    try:
                        c.sock.send(req)
                    except OSError as e:
                        finish(c, "reset" if e.errno in (errno.ECONNRESET, errno.EPIPE) else "other")
                        continue
                    c.state = "read"
                    sel.modify(c.sock, selectors.EVENT_READ, c)
                else:
                    try:
                        data = c.sock.recv(65536)
                    except BlockingIOError:
                        continue
                    except OSError as e:
                        finish(c, "reset" if e.errno == errno.ECONNRESET else "other")
                        continue
                    if not data:
                        finish(c, "closed")
                        continue
                    c.buf += data
                    if response_complete(c.buf):
                        m = re.match(rb"HTTP/1\.[01] (\d{3})", c.buf)
                        status = int(m.group(1)) if m else 0
                        c.buf = b""
                        if 200 <= status < 400:
                            finish(c, "ok")
                        else:  # an error response (e.g. 503 when the proxy has no descriptor for the server side)
                            counts.setdefault(f"http_{status}", 0)
                            finish(c, f"http_{status}")
        still = [key.data for key in list(sel.get_map().values())]
        for c in still:
            sel.unregister(c.sock)
            counts["waiting"] += 1
            if keep_waiting:
                self.pending.append(c)
            else:
                c.sock.close()
        sel.close()
        return counts, latencies

    def open(self, n, timeout, concurrency, keep_waiting):
        """Opens n connections, at most `concurrency` in flight at a time."""
        total = {"ok": 0, "refused": 0, "reset": 0, "closed": 0, "waiting": 0, "other": 0, "bind_or_connect": 0}
        lats = []
        t0 = time.monotonic()
        left = n
        while left > 0:
            batch = []
            for _ in range(min(concurrency, left)):
                try:
                    batch.append(self._new())
                except OSError as e:
                    total["bind_or_connect"] += 1
                    total.setdefault("first_error", str(e))
            left -= min(concurrency, left)
            counts, l = self.drive(batch, timeout, keep_waiting)
            for k, v in counts.items():
                total[k] = total.get(k, 0) + v
            lats += l
        total["seconds"] = round(time.monotonic() - t0, 2)
        return total, lats

    def check(self):
        """Counts idle connections still open; drops those the peer closed."""
        alive, closed = [], 0
        sel = selectors.DefaultSelector()
        for s in self.idle:
            sel.register(s, selectors.EVENT_READ)
        ready = {key.fileobj for key, _ in sel.select(0)}
        sel.close()
        for s in self.idle:
            if s in ready:
                try:
                    if s.recv(1, socket.MSG_PEEK) == b"":
                        closed += 1
                        s.close()
                        continue
                except OSError:
                    closed += 1
                    s.close()
                    continue
            alive.append(s)
        self.idle = alive
        return {"alive": len(alive), "closed_by_proxy": closed}

    def reuse(self, n, timeout):
        """Sends a second request on n idle connections; counts the answers."""
        conns = []
        take, self.idle = self.idle[:n], self.idle[n:]
        req = request_bytes(self.port)
        for s in take:
            c = Conn()
            c.sock, c.state, c.buf, c.need, c.t0 = s, "read", b"", True, time.monotonic()
            try:
                s.send(req)
            except OSError:
                s.close()
                continue
            conns.append(c)
        counts, lats = self.drive(conns, timeout, keep_waiting=False)
        return counts, lats

    def close(self, n):
        take, self.idle = self.idle[:n], self.idle[n:]
        for s in take:
            s.close()
        return len(take)

    def close_all(self):
        for s in self.idle:
            s.close()
        for c in self.pending:
            c.sock.close()
        self.idle, self.pending = [], []


def client_main(pipe, port, sources, idx):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    cl = Client(port, sources, idx)
    while True:
        cmd, *args = pipe.recv()
        try:
            if cmd == "open":
                n, timeout, conc, keep = args
                r, l = cl.open(n, timeout, conc, keep)
                pipe.send((r, l))
            elif cmd == "check":
                pipe.send(cl.check())
            elif cmd == "reuse":
                pipe.send(cl.reuse(*args))
            elif cmd == "close":
                pipe.send(cl.close(args[0]))
            elif cmd == "wait_pending":
                timeout = args[0]
                pend, cl.pending = cl.pending, []
                now = time.monotonic()
                for c in pend:
                    c.t0 = now  # answered-after is counted from the moment descriptors were freed
                pipe.send(cl.drive(pend, timeout, keep_waiting=True))
            elif cmd == "counts":
                pipe.send({"idle": len(cl.idle), "pending": len(cl.pending)})
            elif cmd == "quit":
                cl.close_all()
                pipe.send("bye")
                return
        except Exception as e:  # report, don't die: the parent decides
            pipe.send({"error": repr(e)})


# ------------------------------------------------------------------------------------------------ orchestration

def tree(pid):
    pids = [pid]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return pids


def rss_mib(pid):
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def fds(pid):
    n = 0
    for p in tree(pid):
        try:
            n += len(os.listdir(f"/proc/{p}/fd"))
        except OSError:
            pass
    return n


def cpu_seconds(pid):
    t = 0
    hz = os.sysconf("SC_CLK_TCK")
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
                t += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return t / hz


def fd_limit(pid):
    try:
        with open(f"/proc/{pid}/limits") as f:
            for line in f:
                if line.startswith("Max open files"):
                    return line.split()[3]
    except OSError:
        pass
    return "unknown"


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def wrk(port, secs, cpus, lua):
    cmd = ["timeout", "-k", "5", str(secs + 30), "taskset", "-c", cpus, "wrk", "-t1", "-c16", f"-d{secs}s",
           "--timeout", "5s", "--latency", "-s", lua, f"http://127.0.0.1:{port}/"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"^RESULT (.*)$", p.stdout, re.M)
    if not m:
        return {"error": (p.stdout + p.stderr)[-500:]}
    kv = dict(x.split("=") for x in m.group(1).split())
    kv = {k: int(v) for k, v in kv.items()}
    errs = kv["connect"] + kv["read"] + kv["write"] + kv["timeout"] + kv["status"]
    return {"rps": round(kv["requests"] / (kv["duration_us"] / 1e6)), "p50_ms": kv["p50_us"] / 1000,
            "p99_ms": kv["p99_us"] / 1000, "errors": errs, "requests": kv["requests"]}


def pct(lats, q):
    if not lats:
        return None
    s = sorted(lats)
    return round(s[min(len(s) - 1, int(q * len(s)))] * 1000, 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--log", default="", help="the proxy's log, to count fd-limit messages")
    ap.add_argument("--count", type=int, default=19000)
    ap.add_argument("--over", type=int, default=20500)
    ap.add_argument("--free", type=int, default=2000)
    ap.add_argument("--sources", type=int, default=10, help="source addresses 127.0.0.2 ..")
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--concurrency", type=int, default=200, help="connections in flight per client process")
    ap.add_argument("--extra-wait", type=float, default=5.0)
    ap.add_argument("--recover-wait", type=float, default=10.0)
    ap.add_argument("--wrk-secs", type=int, default=10)
    ap.add_argument("--wrk-cpus", default="0")
    ap.add_argument("--lua", required=True)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()

    res = {"proxy": a.name, "count": a.count, "over": a.over}

    def say(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {a.name}: {msg}", flush=True)

    def log_lines():
        if not a.log or not os.path.exists(a.log):
            return 0
        with open(a.log, errors="replace") as f:
            return sum(1 for line in f if re.search(r"too many open files|EMFILE|FD limit|maxsock|accept", line, re.I))

    sources = [f"127.0.0.{i}" for i in range(2, 2 + a.sources)]
    res["baseline"] = {"rss_mib": rss_mib(a.pid), "fds": fds(a.pid),
                       "latency": wrk(a.port, a.wrk_secs, a.wrk_cpus, a.lua)}
    res["baseline"]["rss_after_wrk_mib"] = rss_mib(a.pid)
    say(f"baseline: {res['baseline']}")

    ctx = mp.get_context("fork")
    pipes, procs = [], []
    for i in range(a.procs):
        parent, child = ctx.Pipe()
        p = ctx.Process(target=client_main, args=(child, a.port, sources, i), daemon=True)
        p.start()
        pipes.append(parent)
        procs.append(p)

    def all_(cmd_for):
        for i, pp in enumerate(pipes):
            pp.send(cmd_for(i))
        return [pp.recv() for pp in pipes]

    def share(total, i):
        return total // a.procs + (1 if i < total % a.procs else 0)

    def add(results):
        tot, lats = {}, []
        for r, l in results:
            for k, v in r.items():
                if isinstance(v, (int, float)):
                    tot[k] = round(tot.get(k, 0) + v, 2) if k != "seconds" else max(tot.get(k, 0), v)
                else:
                    tot.setdefault(k, v)
            lats += l
        return tot, lats

    log0 = log_lines()
    try:
        # 2. hold
        say(f"opening {a.count} idle keep-alive connections from {a.procs} processes over {len(sources)} source addresses")
        tot, lats = add(all_(lambda i: ("open", share(a.count, i), 10.0, a.concurrency, False)))
        time.sleep(2)
        hold = {"open": tot, "first_response_p50_ms": pct(lats, 0.5), "first_response_p99_ms": pct(lats, 0.99),
                "rss_mib": rss_mib(a.pid), "fds": fds(a.pid), "proxy_alive": alive(a.pid)}
        say(f"held: {hold}")
        hold["latency"] = wrk(a.port, a.wrk_secs, a.wrk_cpus, a.lua)
        hold["rss_after_wrk_mib"] = rss_mib(a.pid)
        chk = all_(lambda i: ("check",))
        hold["still_open"] = sum(c["alive"] for c in chk)
        hold["closed_by_proxy"] = sum(c["closed_by_proxy"] for c in chk)
        reuse, rl = add(all_(lambda i: ("reuse", share(1000, i), 10.0)))
        hold["second_request_on_1000_idle"] = reuse
        hold["second_request_p99_ms"] = pct(rl, 0.99)
        say(f"while held: new requests {hold['latency']}; still open {hold['still_open']}, "
            f"closed by proxy {hold['closed_by_proxy']}; second request on 1000 idle: {reuse}")
        res["hold"] = hold

        # 3. over the limit
        cur = sum(c["idle"] for c in all_(lambda i: ("counts",)))
        extra = max(0, a.over - cur)
        say(f"{cur} open; opening {extra} more (to {a.over}; the proxy's open-file limit is {fd_limit(a.pid)}), "
            f"{a.extra_wait}s each")
        c0, t0 = cpu_seconds(a.pid), time.monotonic()
        tot, lats = add(all_(lambda i: ("open", share(extra, i), a.extra_wait, a.concurrency, True)))
        c1, t1 = cpu_seconds(a.pid), time.monotonic()
        over = {"extra": extra, "outcome": tot, "proxy_cpu_pct": round(100 * (c1 - c0) / (t1 - t0)),
                "rss_mib": rss_mib(a.pid), "fds": fds(a.pid), "proxy_alive": alive(a.pid)}
        # a few seconds more with the proxy saturated: does it spin?
        c0, t0 = cpu_seconds(a.pid), time.monotonic()
        time.sleep(5)
        over["proxy_cpu_pct_saturated_5s"] = round(100 * (cpu_seconds(a.pid) - c0) / (time.monotonic() - t0))
        chk = all_(lambda i: ("check",))
        over["held_still_open"] = sum(c["alive"] for c in chk)
        over["held_closed_by_proxy"] = sum(c["closed_by_proxy"] for c in chk)
        say(f"over the limit: {over}")
        res["over_limit"] = over

        # 4. recovery
        freed = sum(all_(lambda i: ("close", share(a.free, i))))
        t0 = time.monotonic()
        tot, lats = add(all_(lambda i: ("wait_pending", a.recover_wait)))
        rec = {"closed_idle": freed, "waiting_extras_outcome": tot,
               "waiting_extras_answered_p50_s": round(pct(lats, 0.5) / 1000, 2) if lats else None,
               "waiting_extras_answered_max_s": round(max(lats), 2) if lats else None}
        fresh, fl = add(all_(lambda i: ("open", share(200, i), 5.0, 50, False)))
        rec["fresh_200"] = fresh
        rec["fresh_p99_ms"] = pct(fl, 0.99)
        rec["latency"] = wrk(a.port, min(5, a.wrk_secs), a.wrk_cpus, a.lua)
        rec["proxy_alive"] = alive(a.pid)
        rec["fds"] = fds(a.pid)
        say(f"recovery: {rec}")
        res["recovery"] = rec
    finally:
        for pp in pipes:
            try:
                pp.send(("quit",))
            except OSError:
                pass
        for pp in pipes:
            try:
                pp.recv()
            except (OSError, EOFError):
                pass
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
    time.sleep(2)
    res["after"] = {"proxy_alive": alive(a.pid), "rss_mib": rss_mib(a.pid) if alive(a.pid) else None,
                    "fds": fds(a.pid) if alive(a.pid) else None,
                    "latency": wrk(a.port, 3, a.wrk_cpus, a.lua) if alive(a.pid) else None,
                    "fd_limit_log_lines": log_lines() - log0}
    say(f"after closing all: {res['after']}")
    with open(a.json, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
