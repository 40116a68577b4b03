#!/usr/bin/env bash
# Live heap, not RSS: what the program still holds after floods of 1,000 probes of a
# hung check and after a stretch of cached probes, the bare axum handler beside the
# library's endpoint (examples/bench_server.rs, release build). Each server runs under
# valgrind's massif; a snapshot taken on demand (vgdb) gives the bytes allocated and not
# freed. RSS also counts what the allocator keeps after the program freed it
# (scripts/bench-memory.sh); this tells the two apart.
#
#   scripts/bench-heap.sh [FLOODS] [SECONDS]     (defaults: 3 floods, 10 s of cached probes)
#
# Needs valgrind and wrk (Debian: apt-get install valgrind wrk). The figures in
# BENCHMARKS.md come from it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh

floods=${1:-3}
seconds=${2:-10}
for tool in wrk valgrind vgdb; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install valgrind wrk" >&2; exit 2; }
done
ulimit -n 8192

cargo build --release --quiet --example bench_server
server=target/release/examples/bench_server
out=$(mktemp -d)
trap 'rm -rf "$out"; kill "${pid:-0}" 2>/dev/null || true' EXIT

start() {
    ADDR=127.0.0.1:$2 valgrind --tool=massif --massif-out-file="$out/$1.out" \
        "$server" "$1" >/dev/null 2>"$out/$1.log" &
    pid=$!
    wait_for_port "$2" 20 # valgrind starts slowly
}

stop() {
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

# heap_kib: the live heap of the server now, in KiB.
heap_kib() {
    vgdb --pid="$pid" snapshot "$out/snapshot" >/dev/null 2>&1
    awk -F= '/^mem_heap_B=/ { printf "%.0f", $2 / 1024 }' "$out/snapshot"
}

echo "== live heap after floods of 1,000 probes of a hung check"
port=18280
for mode in bare-hung healthcheck-hung; do
    port=$((port + 1))
    start "$mode" "$port"
    curl -s -o /dev/null "http://127.0.0.1:$port/healthcheck"
    sleep 2
    line="$mode: start $(heap_kib) KiB"
    for round in $(seq 1 "$floods"); do
        answered=$(flood "$port" 1000)
        [ "$answered" = 1000 ] || { echo "$mode: only $answered of 1000 answered" >&2; exit 1; }
        sleep 3 # the connections' tasks end after the answers
        line+=", flood $round $(heap_kib) KiB"
    done
    stop
    # massif's own record, written at exit, keeps the peak to within 1 %.
    peak=$(awk -F= '/^mem_heap_B=/ && $2 > max { max = $2 } END { printf "%.1f", max / 1048576 }' "$out/$mode.out")
    echo "$line; peak $peak MiB"
done

echo "== live heap around ${seconds} s of cached probes (wrk -t1 -c4)"
for mode in bare healthcheck; do
    port=$((port + 1))
    start "$mode" "$port"
    wrk -t1 -c4 -d2s "http://127.0.0.1:$port/healthcheck" >/dev/null
    sleep 1
    before=$(heap_kib)
    requests=$(wrk -t1 -c4 -d"${seconds}s" "http://127.0.0.1:$port/healthcheck" |
        awk '/requests in/ { print $1 }')
    sleep 1
    echo "$mode: after warm-up $before KiB, after $requests more requests $(heap_kib) KiB"
    stop
done
