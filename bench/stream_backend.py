#!/usr/bin/env python3
"""A minimal HTTP/1.1 backend for streaming benchmarks.

PUT/POST any path: reads the body (Content-Length or chunked) and discards it, answering with the byte count.
    ?rate=N (MB/s) makes it a slow reader, to show the proxy pushing back on its client instead of buffering.
GET /download?bytes=N: answers N zero bytes with a Content-Length.
GET /health: 200.
Usage: stream_backend.py PORT
"""
import socket
import sys
import threading
import time
from urllib.parse import urlparse, parse_qs

CHUNK = b"\0" * (1 << 20)


def read_line(f):
    line = f.readline(65537)
    if not line:
        raise EOFError
    return line


def handle(conn):
    f = conn.makefile("rb", buffering=1 << 16)
    try:
        while True:
            request_line = read_line(f).decode("latin-1").rstrip("\r\n")
            if not request_line:
                continue
            method, target, _ = request_line.split(" ", 2)
            headers = {}
            while True:
                line = read_line(f).decode("latin-1").rstrip("\r\n")
                if not line:
                    break
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
            url = urlparse(target)
            q = parse_qs(url.query)
            rate = float(q.get("rate", ["0"])[0]) * 1e6
            received = 0
            start = time.monotonic()

            def consume(n):
                nonlocal received
                while n > 0:
                    data = f.read(min(n, 1 << 16))
                    if not data:
                        raise EOFError
                    n -= len(data)
                    received += len(data)
                    if rate:
                        ahead = received / rate - (time.monotonic() - start)
                        if ahead > 0:
                            time.sleep(ahead)

            if "content-length" in headers:
                consume(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower().endswith("chunked"):
                while True:
                    size = int(read_line(f).split(b";")[0].strip(), 16)
                    if size == 0:
                        while read_line(f) not in (b"\r\n", b"\n"):
                            pass
                        break
                    consume(size)
                    read_line(f)
            if method == "GET" and url.path == "/download":
                n = int(q.get("bytes", ["0"])[0])
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % n)
                while n > 0:
                    part = CHUNK if n >= len(CHUNK) else CHUNK[:n]
                    conn.sendall(part)
                    n -= len(part)
            else:
                body = b"%d\n" % received
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    except (EOFError, ConnectionError, ValueError):
        pass
    finally:
        conn.close()


def main():
    port = int(sys.argv[1])
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(128)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
