#!/usr/bin/env bash
# Instructions per cached probe, counted rather than timed: the bare axum handler and
# the library's endpoint (examples/bench_server.rs, release build) each run under
# valgrind's callgrind while wrk probes /healthcheck; instructions of the whole server
# (user space: the kernel's share, the same system calls per request for both, is not
# counted) divided by wrk's request count, start-up included. Counts hardly move with the machine's load, where
# req/s and CPU time move by ±10 % on a shared machine.
#
#   scripts/bench-instructions.sh [SECONDS]     (default: 10 s per server)
#   PROBE='/healthcheck?format=ietf' scripts/bench-instructions.sh   (another path; the
#                                               bare handler answers its fixed body to any)
#
# Needs wrk and valgrind (Debian: apt-get install wrk valgrind). The figures in
# BENCHMARKS.md come from it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh

seconds=${1:-10}
probe=${PROBE:-/healthcheck}
for tool in wrk valgrind callgrind_annotate; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install wrk valgrind" >&2; exit 2; }
done

cargo build --release --quiet --example bench_server
server=target/release/examples/bench_server
out=$(mktemp -d)
trap 'rm -rf "$out"; kill "${pid:-0}" 2>/dev/null || true' EXIT

port=18180
for mode in bare healthcheck; do
    port=$((port + 1))
    ADDR=127.0.0.1:$port valgrind --tool=callgrind --callgrind-out-file="$out/$mode.out" \
        "$server" "$mode" >/dev/null 2>"$out/$mode.log" &
    pid=$!
    wait_for_port "$port" 10 # valgrind starts slowly
    # 4 connections: under valgrind the server runs one thread at a time anyway.
    requests=$(wrk -t1 -c4 -d"${seconds}s" "http://127.0.0.1:$port$probe" |
        awk '/requests in/ { print $1 }')
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    total=$(callgrind_annotate "$out/$mode.out" 2>/dev/null |
        awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
    awk -v mode="$mode" -v n="$requests" -v total="$total" 'BEGIN {
        printf "%-12s %8d requests  %6.0f instructions per request\n", mode, n, total / n
    }' | tee -a "$out/table"
done
awk '{ per[$1] = $4 } END { printf "ratio: %.2fx the bare handler'"'"'s instructions per request\n", per["healthcheck"] / per["bare"] }' "$out/table"
