#!/usr/bin/env python3
"""Load on `loupe serve` over 127.0.0.1: searches per second and p50/p99 latency with 1 and 8
concurrent clients (keep-alive connections), keyword and phrase queries apart, and the
server's peak RSS.

    python3 benches/serve_load.py LOUPE_BIN INDEX_DIR [QUERIES_FILE] [--requests N]

QUERIES_FILE (default benches/queries.txt): one query per line; lines starting with a quote are
phrase queries. Each client sends N requests (default 400) cycling over the queries.
"""
import argparse
import http.client
import re
import statistics
import subprocess
import threading
import time
import urllib.parse


def start(loupe, index):
    server = subprocess.Popen([loupe, "serve", "--index", index, "--addr", "127.0.0.1:0"],
                              stderr=subprocess.PIPE, text=True)
    for line in server.stderr:
        found = re.search(r"serving http://127\.0\.0\.1:(\d+)/", line)
        if found:
            threading.Thread(target=lambda: server.stderr.read(), daemon=True).start()
            return server, int(found.group(1))
    raise SystemExit("loupe serve did not start")


def client(port, queries, count, times, errors):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for i in range(count):
        q = queries[i % len(queries)]
        target = "/api/search?" + urllib.parse.urlencode({"q": q, "limit": 10})
        started = time.perf_counter()
        conn.request("GET", target)
        answer = conn.getresponse()
        answer.read()
        times.append((time.perf_counter() - started) * 1e3)
        if answer.status != 200:
            errors.append((q, answer.status))


def run(port, queries, clients, count):
    times, errors, threads = [], [], []
    started = time.perf_counter()
    for _ in range(clients):
        t = threading.Thread(target=client, args=(port, queries, count, times, errors))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(len(times) * q))]
    return len(times) / wall, p(0.5), p(0.99), len(errors)


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("loupe")
    ap.add_argument("index")
    ap.add_argument("queries", nargs="?", default="benches/queries.txt")
    ap.add_argument("--requests", type=int, default=400)
    args = ap.parse_args()
    lines = [l.strip() for l in open(args.queries) if l.strip()]
    kinds = {"keyword": [l for l in lines if not l.startswith('"')],
             "phrase": [l for l in lines if l.startswith('"')]}
    server, port = start(args.loupe, args.index)
    try:
        run(port, lines, 1, 50)  # warm-up
        print(f"index {args.index}, {args.requests} requests per client")
        print("| queries | clients | searches/s | p50 ms | p99 ms | errors |")
        print("|---|---:|---:|---:|---:|---:|")
        for kind, queries in kinds.items():
            for clients in (1, 8):
                qps, p50, p99, errors = run(port, queries, clients, args.requests)
                print(f"| {kind} | {clients} | {qps:.0f} | {p50:.2f} | {p99:.2f} | {errors} |")
        print(f"server peak RSS: {peak_rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
