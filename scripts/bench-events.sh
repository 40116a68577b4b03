#!/usr/bin/env bash
# 1,000 open event streams on this machine: the server's memory per stream, its CPU
# while they are idle and across their heartbeats, and how soon a change reaches every
# stream (p50, p99, max over 1,000 streams x 50 changes). The server is
# examples/status_page.rs, the load examples/events_load.rs, both release builds on the
# default multi-threaded runtime, unpinned, on the same machine. The baseline: the same
# number of plain keep-alive connections (one probe each, then idle) to a fresh server.
# Each is served twice: by axum::serve, and by hyper's HTTP/1 connection alone (the same
# axum router as its service), which holds less per connection.
#
#   scripts/bench-events.sh [STREAMS] [CHANGES]     (defaults: 1000 50)
#
# The figures in BENCHMARKS.md come from it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh

streams=${1:-1000}
changes=${2:-50}
port=8088
ulimit -n 16384
cargo build --release --quiet --example status_page --example events_load
trap 'kill "${pid:-0}" 2>/dev/null || true' EXIT

for server in axum hyper; do
    for mode in keepalive streams; do
        SERVER=$server STATUS_PAGE_ADDR=127.0.0.1:$port target/release/examples/status_page >/dev/null &
        pid=$!
        wait_for_port "$port" 10
        echo "== $server: $mode"
        MODE=$mode ADDR=127.0.0.1:$port SERVER_PID=$pid STREAMS=$streams CHANGES=$changes \
            target/release/examples/events_load
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    done
done
