#!/usr/bin/env python3
"""Dashboard viewers for bench/dashboard-viewers.sh: signs in a few sessions, then holds N live streams
(GET /stream/overview, text/event-stream) open for a while, reading everything the node sends, and reports how
many ticks each viewer received. Standard library only (asyncio, raw sockets), so the client stays cheap next to
the node it measures.

  viewers.py --host 127.0.0.1 --port 9090 --user bench --password ... --viewers 500 --sessions 50 --seconds 60
Prints one JSON line at the end: {"viewers": ..., "connected": ..., "ticks_min": ..., ...}.
"""
import argparse
import asyncio
import json
import sys
import time
import urllib.parse


async def sign_in(host, port, user, password):
    body = urllib.parse.urlencode({"user": user, "password": password, "next": "/"}).encode()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write((f"POST /login HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body)
    await writer.drain()
    head = (await reader.read(65536)).decode("latin-1")
    writer.close()
    for line in head.split("\r\n"):
        if line.lower().startswith("set-cookie:") and "foss_session=" in line:
            return line.split(":", 1)[1].strip().split(";", 1)[0]
    raise SystemExit("sign-in failed: " + head.split("\r\n", 1)[0])


class Viewer:
    def __init__(self):
        self.connected = False
        self.open = True
        self.ticks = 0
        self.bytes = 0
        self.first_tick = None


async def watch(host, port, cookie, viewer, stop):
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write((f"GET /stream/overview HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
                      "Accept: text/event-stream\r\n\r\n").encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            return
        viewer.connected = True
        tail = b""
        while not stop.is_set():
            chunk = await reader.read(65536)
            if not chunk:
                break
            viewer.bytes += len(chunk)
            data = tail + chunk
            n = data.count(b"event: chart")
            if n and viewer.first_tick is None:
                viewer.first_tick = time.monotonic()
            viewer.ticks += n
            tail = data[-16:]
        writer.close()
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        viewer.open = False


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--viewers", type=int, default=500)
    p.add_argument("--sessions", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--ready-file", help="written once every viewer is connected")
    a = p.parse_args()

    cookies = []
    for _ in range(a.sessions):
        cookies.append(await sign_in(a.host, a.port, a.user, a.password))
    stop = asyncio.Event()
    viewers = [Viewer() for _ in range(a.viewers)]
    tasks = [asyncio.create_task(watch(a.host, a.port, cookies[i % len(cookies)], v, stop))
             for i, v in enumerate(viewers)]
    deadline = time.monotonic() + 30
    while sum(v.connected for v in viewers) < a.viewers and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    connected = sum(v.connected for v in viewers)
    print(f"viewers: {connected} of {a.viewers} connected with {len(cookies)} sessions", file=sys.stderr, flush=True)
    if a.ready_file:
        open(a.ready_file, "w").write(str(connected))
    start = time.monotonic()
    base = [v.ticks for v in viewers]
    bytes0 = sum(v.bytes for v in viewers)
    await asyncio.sleep(a.seconds)
    elapsed = time.monotonic() - start
    got = [v.ticks - b for v, b in zip(viewers, base)]
    received = sum(v.bytes for v in viewers) - bytes0
    still_open = sum(v.connected and v.open for v in viewers)
    stop.set()
    for t in tasks:
        t.cancel()
    print(json.dumps({
        "viewers": a.viewers, "connected": connected, "still_open": still_open, "sessions": len(cookies), "seconds": round(elapsed, 1),
        "ticks_min": min(got), "ticks_max": max(got), "ticks_per_viewer_per_s": round(sum(got) / len(got) / elapsed, 2),
        "bytes_per_s_all_viewers": round(received / elapsed), "bytes_per_viewer_per_tick":
            round(received / max(1, sum(got)))}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
