#!/usr/bin/env python3
"""loupe on an OpenSearch cluster, side by side with the local index, in one run.

    python3 benches/cluster.py target/release/loupe CORPUS [--nodes 3] [--shards 3] [--replicas 1]

Starts a cluster with cluster/run.sh (or uses --url), indexes CORPUS into a temporary index,
pushes it (timed), and prints:
- the push's wall time and passages per second, and a second push with nothing to send;
- for 50 queries of one to three title words, how far the top-10 documents of the cluster
  agree with the local plain BM25 ranking (mean overlap, and queries with identical lists);
- search latency of whole `loupe search` processes, local and remote (p50 / p95);
- adding 20 documents and pushing again.
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STOP = set("a an and are as at be by for from has in is it of on or that the to was were will with".split())


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def titles(corpus):
    out = []
    for root, _, files in os.walk(corpus):
        for name in sorted(files):
            if name.endswith(".txt"):
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                    lines = [l for l in f.read(4096).splitlines() if l.strip() and not l.startswith("date ")]
                if lines:
                    out.append(lines[0])
    return sorted(out)


def queries(corpus, n=50):
    rng = random.Random(7)
    pool = titles(corpus)
    chosen = []
    while len(chosen) < n:
        words = [w for w in re.findall(r"[A-Za-z]{3,}", rng.choice(pool)) if w.lower() not in STOP]
        if words:
            k = min(len(words), 1 + len(chosen) % 3)
            chosen.append(" ".join(rng.sample(words, k)))
    return chosen


def top10(loupe, index, qs, extra, work, tag):
    qfile, qrels, runfile = (os.path.join(work, f"{tag}.{x}") for x in ("tsv", "qrels", "run"))
    with open(qfile, "w") as f:
        f.writelines(f"q{i}\t{q}\n" for i, q in enumerate(qs))
    with open(qrels, "w") as f:
        f.writelines(f"q{i} 0 none 1\n" for i in range(len(qs)))
    run([loupe, "eval", "--index", index, "--queries", qfile, "--qrels", qrels, "--ranking", "bm25",
         "--depth", "10", "--run", runfile] + extra)
    ranked = {f"q{i}": [] for i in range(len(qs))}
    for line in open(runfile):
        qid, _, doc, *_ = line.split()
        ranked[qid].append(doc)
    return [ranked[f"q{i}"] for i in range(len(qs))]


def latency(loupe, index, qs, extra):
    times = []
    for q in qs:
        t = time.perf_counter()
        subprocess.run([loupe, "search", "--index", index, "--format", "json", q] + extra,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("loupe")
    p.add_argument("corpus")
    p.add_argument("--url")
    p.add_argument("--nodes", type=int, default=3)
    p.add_argument("--shards", type=int, default=3)
    p.add_argument("--replicas", type=int, default=1)
    a = p.parse_args()
    loupe = os.path.abspath(a.loupe)
    work = tempfile.mkdtemp(prefix="loupe-cluster-bench-")
    env = dict(os.environ, LOUPE_CLUSTER_DIR=os.path.join(work, "cluster"))
    script = os.path.join(HERE, "..", "cluster", "run.sh")
    url = a.url
    try:
        if not url:
            t = time.perf_counter()
            url = ",".join(run([script, "start", str(a.nodes)], env=env).stdout.split())
            print(f"cluster: {a.nodes} nodes green in {time.perf_counter() - t:.1f} s")
        corpus = os.path.join(work, "corpus")
        shutil.copytree(a.corpus, corpus)
        index = os.path.join(work, "index")
        t = time.perf_counter()
        run([loupe, "index", "--corpus", corpus, "--index", index])
        indexed = time.perf_counter() - t
        files = sum(len([f for f in fs if f.endswith(".txt")]) for _, _, fs in os.walk(corpus))
        mb = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(corpus) for f in fs) / 1e6
        print(f"corpus: {files} documents, {mb:.1f} MB; loupe index: {indexed:.1f} s "
              f"({files / indexed:.0f} documents/s, {mb / indexed:.1f} MB/s)")
        push = [loupe, "push", "--index", index, "--url", url, "--index-name", "bench",
                "--shards", str(a.shards), "--replicas", str(a.replicas), "--rebuild"]
        t = time.perf_counter()
        out = run(push).stderr
        took = time.perf_counter() - t
        passages = int(re.search(r"holds (\d+) passage", out).group(1))
        print(f"push: {took:.1f} s: {files / took:.0f} documents/s, {mb / took:.2f} MB/s, "
              f"{passages / took:.0f} passages/s ({passages} passages, {a.shards} shards, "
              f"{a.replicas} replica(s))")
        if not a.url:
            pid = open(os.path.join(env["LOUPE_CLUSTER_DIR"], "pid")).read().strip()
            status = open(f"/proc/{pid}/status").read()
            peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
            now = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
            print(f"cluster JVM ({a.nodes} nodes): {now:.0f} MB resident, peak {peak:.0f} MB")
        t = time.perf_counter()
        run(push[:-1])
        print(f"push again, nothing to send: {time.perf_counter() - t:.2f} s")

        qs = queries(corpus)
        local = top10(loupe, index, qs, [], work, "local")
        remote = top10(loupe, index, qs, ["--url", url, "--index-name", "bench"], work, "remote")
        overlap = statistics.mean(len(set(l) & set(r)) / max(len(l), 1) for l, r in zip(local, remote))
        same = sum(l == r for l, r in zip(local, remote))
        print(f"top-10 documents, cluster vs local --ranking bm25, {len(qs)} queries: "
              f"mean overlap {overlap:.3f}, identical lists {same}/{len(qs)}")

        lp = latency(loupe, index, qs, [])
        rp = latency(loupe, index, qs, ["--url", url, "--index-name", "bench"])
        print(f"search, whole process, p50 / p95: local {lp[0]:.1f} / {lp[1]:.1f} ms, "
              f"cluster {rp[0]:.1f} / {rp[1]:.1f} ms")

        paths = sorted(os.path.join(r, f) for r, _, fs in os.walk(corpus) for f in fs if f.endswith(".txt"))
        os.makedirs(os.path.join(corpus, "added"), exist_ok=True)
        for i, src in enumerate(paths[:20]):
            with open(src, encoding="utf-8", errors="replace") as f:
                text = f.read()
            with open(os.path.join(corpus, "added", f"{i:02}.txt"), "w", encoding="utf-8") as f:
                f.write(f"Added story {i}\n\n{text}")
        t = time.perf_counter()
        out = run(push[:-1]).stderr
        sent = re.search(r"(\d+) files? sent", out).group(0)
        print(f"20 documents added, index + push: {time.perf_counter() - t:.2f} s ({sent})")
    finally:
        if not a.url:
            subprocess.run([script, "stop"], env=env)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
