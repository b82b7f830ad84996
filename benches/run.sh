#!/usr/bin/env bash
# Builds loupe in release mode once, then runs the benchmark suite on the given corpora
# (default: ../shared/corpora/reuters) and prints a Markdown report.
#   benches/run.sh [--rounds N] [CORPUS_DIR ...]
# A 1 GB corpus: python3 ../shared/tools/scale_corpus.py 1024 /tmp/scale-1g
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo bench --no-run --quiet --bench query_latency 2>/dev/null
if [ "$#" -eq 0 ] || [[ "$1" == --* && "$#" -le 2 ]]; then
  set -- "$@" ../shared/corpora/reuters
fi
exec python3 benches/run.py "$@"
