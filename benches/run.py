#!/usr/bin/env python3
"""loupe's benchmark suite: indexing speed, memory and size, incremental re-indexing, and
search latency (whole process and in-process) on one or more corpora. Prints a Markdown
report with the machine and the corpora. Run through benches/run.sh, which builds first.

Usage: benches/run.py [--rounds N] [--skip-large-file] CORPUS_DIR [CORPUS_DIR ...]
"""
import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOUPE = os.path.join(ROOT, "target", "release", "loupe")
QUERIES = os.path.join(ROOT, "benches", "queries.txt")
GNU_TIME = "/usr/bin/time"


def timed(cmd):
    """Runs cmd; returns (wall s, cpu s, peak RSS MB, stdout, stderr)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        full = [GNU_TIME, "-f", "%e %U %S %M", "-o", t.name] + cmd
        p = subprocess.run(full, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}")
        wall, user, sys_, rss = t.read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss) / 1024, p.stdout, p.stderr


def corpus_size(path):
    files = total = 0
    for root, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for n in names:
            if n.endswith((".txt", ".md")) and not n.startswith("."):
                files += 1
                total += os.path.getsize(os.path.join(root, n))
    return files, total


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(r, n)) for r, _, ns in os.walk(path) for n in ns)


def percentile(values, p):
    values = sorted(values)
    return values[round((len(values) - 1) * p)]


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {model}, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def add_articles(corpus, count):
    """Writes `count` new articles under corpus/_bench_added/ and returns the folder."""
    folder = os.path.join(corpus, "_bench_added")
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        with open(os.path.join(folder, f"added-{i:03}.txt"), "w") as f:
            f.write(f"date 2026-11-24 Benchmark article {i}\n\n")
            f.write(f"Freshly added article number {i} about zyxwbench{i} and the markets.\n\n")
            f.write("A second paragraph with more words to index. " * 20 + "\n")
    return folder


def bench_corpus(path, rounds, work):
    files, size = corpus_size(path)
    name = os.path.basename(os.path.normpath(path))
    if not os.access(path, os.W_OK):
        copy = os.path.join(work, name)
        shutil.copytree(path, copy)
        path = copy
    index = os.path.join(work, f"index-{name}")
    row = {"corpus": name, "files": files, "mb": size / 1e6}

    wall, cpu, rss, _, _ = timed([LOUPE, "index", "--corpus", path, "--index", index])
    row.update(index_s=wall, index_cpu=cpu, index_rss=rss, mbps=size / 1e6 / wall)
    row["ratio"] = dir_bytes(index) / size

    added = add_articles(path, 20)
    row["add20_s"] = timed([LOUPE, "index", "--corpus", path, "--index", index])[0]
    row["noop_s"] = timed([LOUPE, "index", "--corpus", path, "--index", index])[0]
    shutil.rmtree(added)
    timed([LOUPE, "index", "--corpus", path, "--index", index])

    queries = [q for q in open(QUERIES).read().splitlines() if q.strip()]
    subprocess.run([LOUPE, "search", queries[0], "--index", index], capture_output=True)
    latencies = []
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            p = subprocess.run(
                [LOUPE, "search", q, "--index", index, "--corpus", path, "--color", "always"],
                capture_output=True,
            )
            latencies.append((time.perf_counter() - start) * 1e3)
            if p.returncode not in (0, 1):
                sys.exit(f"search {q!r} failed: {p.stderr.decode()}")
    row.update(p50=percentile(latencies, 0.5), p95=percentile(latencies, 0.95), max=max(latencies))
    bench = subprocess.run(
        ["cargo", "bench", "--quiet", "--bench", "query_latency", "--", index, QUERIES, "20"],
        cwd=ROOT, capture_output=True, text=True,
    )
    lines = bench.stdout.strip().splitlines() if bench.returncode == 0 else []
    figures = [line.split(": ", 1)[-1] for line in lines]
    row["in_process"] = figures[0] if figures else "failed"
    row["staleness"] = figures[1] if len(figures) > 1 else "failed"
    return row


def bench_large_file(work):
    """Peak memory and time for one 50 MB file on a single line."""
    corpus = os.path.join(work, "large-file-corpus")
    os.makedirs(corpus)
    sentence = "The quick brown fox jumps over the lazy dog near the river bank. "
    with open(os.path.join(corpus, "huge.txt"), "w") as f:
        for _ in range(50 * 2**20 // len(sentence)):
            f.write(sentence)
    index = os.path.join(work, "index-large-file")
    wall, _, rss, _, _ = timed([LOUPE, "index", "--corpus", corpus, "--index", index])
    return wall, rss


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of the query set")
    parser.add_argument("--skip-large-file", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(GNU_TIME):
        sys.exit("needs GNU time at /usr/bin/time (Debian package: time)")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"# loupe benchmark, {datetime.date.today()}, commit {commit}\n")
    print(f"Machine: {machine()}\n")
    rows = []
    with tempfile.TemporaryDirectory(prefix="loupe-bench-") as work:
        for corpus in args.corpora:
            print(f"benchmarking {corpus} ...", file=sys.stderr)
            rows.append(bench_corpus(corpus, args.rounds, work))
        large = None if args.skip_large_file else bench_large_file(work)
    print("| corpus | files | MB | full index s | MB/s | CPU s | peak RSS MB | index/corpus | add 20 s | no-op s | search p50 ms | p95 ms | max ms | in-process | staleness check |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        print(
            f"| {r['corpus']} | {r['files']:,} | {r['mb']:.0f} | {r['index_s']:.2f} | {r['mbps']:.1f} | {r['index_cpu']:.1f} | "
            f"{r['index_rss']:.0f} | {r['ratio']:.2f} | {r['add20_s']:.2f} | {r['noop_s']:.2f} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['max']:.1f} | {r['in_process']} | {r['staleness']} |"
        )
    if large:
        print(f"\nOne 50 MB single-line file: indexed in {large[0]:.1f} s, peak RSS {large[1]:.0f} MB.")
    print(f"\nWhole-process search: `loupe search QUERY --color always` (10 hits, highlighted), "
          f"{len(open(QUERIES).read().split(chr(10))) - 1} queries from benches/queries.txt x {args.rounds} rounds, warm cache.")


if __name__ == "__main__":
    main()
