#!/usr/bin/env bash
# The servers' resident memory (VmRSS from /proc) under two loads, the library beside a
# bare axum handler (examples/bench_server.rs, release build):
#
# 1. Floods: 1,000 probes sent at once over 1,000 connections to a check that never
#    returns (its 1 s timeout ends each run; the bare handler sleeps 1 s), FLOODS times.
#    RSS when started and answered once, then after each flood once its connections
#    are closed.
# 2. Cached probes: wrk (32 connections) for REQUESTS requests in all, in 10 s stretches;
#    RSS after the first stretch (warmed up) and after each later one.
#
#   scripts/bench-memory.sh [FLOODS] [REQUESTS]     (defaults: 3 floods, 3000000 requests)
#   ALLOCATOR=mimalloc scripts/bench-memory.sh      (both servers on mimalloc, set to give
#                                                     freed memory back at once)
#
# Needs wrk (Debian: apt-get install wrk) and python3. The figures in BENCHMARKS.md come
# from it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh

floods=${1:-3}
total=${2:-3000000}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
ulimit -n 8192

if [ "${ALLOCATOR:-system}" = mimalloc ]; then
    cargo build --release --quiet --example bench_server --features mimalloc
    export MIMALLOC_PURGE_DELAY=0 MIMALLOC_PURGE_DECOMMITS=1 MIMALLOC_ARENA_EAGER_COMMIT=0
else
    cargo build --release --quiet --example bench_server
fi
server=target/release/examples/bench_server
trap 'kill "${pid:-0}" 2>/dev/null || true' EXIT

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# start MODE PORT: runs the server in the background, sets pid, waits until it listens.
start() {
    ADDR=127.0.0.1:$2 "$server" "$1" >/dev/null &
    pid=$!
    wait_for_port "$2" 5
}

stop() {
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

echo "== floods of 1,000 probes of a hung check"
port=18180
for mode in bare-hung healthcheck-hung; do
    port=$((port + 1))
    start "$mode" "$port"
    curl -s -o /dev/null "http://127.0.0.1:$port/healthcheck"
    line="$mode: start $(rss_kib "$pid") KiB"
    for round in $(seq 1 "$floods"); do
        answered=$(flood "$port" 1000)
        [ "$answered" = 1000 ] || { echo "$mode: only $answered of 1000 answered" >&2; exit 1; }
        sleep 1
        line+=", flood $round $(rss_kib "$pid") KiB"
    done
    echo "$line"
    stop
done

echo "== $total cached probes (wrk -t1 -c32, 10 s stretches)"
for mode in bare healthcheck; do
    port=$((port + 1))
    start "$mode" "$port"
    done_requests=0
    line="$mode:"
    while [ "$done_requests" -lt "$total" ]; do
        out=$(wrk -t1 -c32 -d10s "http://127.0.0.1:$port/healthcheck")
        requests=$(awk '/requests in/ { print $1 }' <<<"$out")
        done_requests=$((done_requests + requests))
        line+=" $((done_requests / 1000))k=$(rss_kib "$pid")KiB"
    done
    echo "$line"
    stop
done
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
