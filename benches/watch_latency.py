#!/usr/bin/env python3
"""Time from a file's arrival in the corpus to its first hit on `loupe serve --watch`, and from
its removal to its last hit gone. The corpus must be writable: use a copy.

    cp -r ../shared/corpora/reuters /tmp/reuters-copy
    python3 benches/watch_latency.py target/release/loupe /tmp/reuters-copy /tmp/reuters-copy-index [--rounds 5]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import threading
import time
import urllib.request


def hits(port, word):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={word}") as answer:
        return json.load(answer)["total_hits"]


def wait(port, word, want, started):
    while hits(port, word) != want:
        if time.perf_counter() - started > 60:
            raise SystemExit(f"{word}: still not {want} hits after 60 s")
        time.sleep(0.01)
    return time.perf_counter() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("loupe")
    ap.add_argument("corpus")
    ap.add_argument("index")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    subprocess.run([args.loupe, "index", "--corpus", args.corpus, "--index", args.index],
                   check=True, stderr=subprocess.DEVNULL)
    server = subprocess.Popen([args.loupe, "serve", "--watch", "--corpus", args.corpus, "--index",
                               args.index, "--addr", "127.0.0.1:0"], stderr=subprocess.PIPE, text=True)
    port = None
    for line in server.stderr:
        found = re.search(r"serving http://127\.0\.0\.1:(\d+)/", line)
        if found:
            port = int(found.group(1))
            break
    threading.Thread(target=lambda: server.stderr.read(), daemon=True).start()
    arrive, leave = [], []
    try:
        for r in range(args.rounds):
            word = f"zyxwatch{r}q"
            path = os.path.join(args.corpus, f"watch-{r}.txt")
            started = time.perf_counter()
            with open(path, "w") as f:
                f.write(f"Watch test {r}\n\nThe {word} arrived just now.\n")
            arrive.append(wait(port, word, 1, started))
            started = time.perf_counter()
            os.remove(path)
            leave.append(wait(port, word, 0, started))
    finally:
        server.terminate()
        server.wait()
    print(f"corpus {args.corpus}, {args.rounds} rounds")
    print(f"added file findable after: median {statistics.median(arrive):.2f} s, max {max(arrive):.2f} s")
    print(f"removed file gone after:   median {statistics.median(leave):.2f} s, max {max(leave):.2f} s")


if __name__ == "__main__":
    main()
