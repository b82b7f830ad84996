#!/usr/bin/env bash
# A real OpenSearch cluster on 127.0.0.1, N nodes in one JVM, for tests, benchmarks and trying
# `loupe push` out. Needs Java 17 and Maven (the artifacts come from Maven Central on first use).
#
#   cluster/run.sh build          compiles the launcher (start does it when needed)
#   cluster/run.sh start N        starts N nodes; prints each node's HTTP base URL, one per line,
#                                 once the cluster is green
#   cluster/run.sh stop-node K    stops node K (1-based)
#   cluster/run.sh stop           stops every node
#
# LOUPE_CLUSTER_DIR (default: a folder under the system temp dir) holds the nodes' data, the
# log (cluster.log) and the control files; one cluster runs per folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${LOUPE_CLUSTER_DIR:-${TMPDIR:-/tmp}/loupe-cluster}"
heap="${LOUPE_CLUSTER_HEAP:-1536m}"

die() { echo "cluster/run.sh: $*" >&2; exit 1; }

build() {
  if [ ! -f "$here/target/classpath.txt" ] || [ "$here/pom.xml" -nt "$here/target/classpath.txt" ] \
     || [ -n "$(find "$here/src" -newer "$here/target/classpath.txt" -print -quit)" ]; then
    command -v mvn >/dev/null || die "Maven (mvn) is needed to build the cluster launcher"
    (cd "$here" && mvn -q -B -Dstyle.color=never package -DskipTests) >&2 || die "the Maven build failed"
  fi
}

running() { [ -f "$work/pid" ] && kill -0 "$(cat "$work/pid")" 2>/dev/null; }

start() {
  local nodes="$1"
  [[ "$nodes" =~ ^[1-9][0-9]?$ ]] || die "start: N must be a number of nodes, 1 to 99"
  command -v java >/dev/null || die "Java 17 or newer is needed"
  running && die "a cluster is already running in $work (cluster/run.sh stop first)"
  build
  rm -rf "$work"
  mkdir -p "$work"
  local classpath
  classpath="$here/target/classes:$(cat "$here/target/classpath.txt")"
  nohup java -Xms256m -Xmx"$heap" -XX:+UseSerialGC -cp "$classpath" loupe.cluster.Cluster "$nodes" "$work" \
    >"$work/cluster.log" 2>&1 &
  echo $! >"$work/pid"
  # The nodes have started when the launcher writes their URLs; then wait for green.
  local waited=0
  until [ -f "$work/urls" ]; do
    running || { tail -n 30 "$work/cluster.log" >&2; die "the cluster did not start (log: $work/cluster.log)"; }
    sleep 0.5
    waited=$((waited + 1))
    [ "$waited" -lt 600 ] || { stop; die "the cluster did not start within 5 minutes"; }
  done
  local first
  first="$(head -n 1 "$work/urls")"
  curl -fsS "$first/_cluster/health?wait_for_status=green&wait_for_nodes=$nodes&timeout=120s" >/dev/null \
    || { stop; die "the cluster did not turn green (log: $work/cluster.log)"; }
  cat "$work/urls"
}

stop_node() {
  local k="$1"
  running || die "no cluster is running in $work"
  local url
  url="$(sed -n "${k}p" "$work/urls")"
  [ -n "$url" ] || die "stop-node: there is no node $k"
  touch "$work/stop-node-$k"
  for _ in $(seq 1 600); do
    [ -f "$work/stopped-node-$k" ] && return 0
    sleep 0.1
  done
  die "node $k did not stop within a minute"
}

stop() {
  running || { rm -f "$work/pid"; return 0; }
  local pid
  pid="$(cat "$work/pid")"
  touch "$work/stop"
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$work/pid"; return 0; }
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  rm -f "$work/pid"
}

case "${1:-}" in
  build) build ;;
  start) start "${2:?start N}" ;;
  stop-node) stop_node "${2:?stop-node K}" ;;
  stop) stop ;;
  *) die "usage: run.sh build | start N | stop-node K | stop" ;;
esac
