#!/usr/bin/env bash
# A cached probe beside a bare handler, in one session: the bare axum handler and the
# library's endpoint (examples/bench_server.rs, release build) driven by wrk in turns,
# several rounds interleaved, for /healthcheck and /healthcheck/ready. Per server and
# path: req/s, p50 and p99 latency, and the server's CPU time per request (utime +
# stime from /proc), each as median and min–max over the rounds; then the ratios, of the
# medians and paired round by round (the servers take turns going first), with a 95 %
# interval of the paired medians (6 rounds or more; on a shared virtual machine a round
# differs from the next by ±20 %, so take 30 short rounds over 5 long ones).
#
#   scripts/bench-side-by-side.sh [ROUNDS] [SECONDS]     (defaults: 5 rounds of 5 s)
#   PIN=1 scripts/bench-side-by-side.sh …                 server on CPU 0, wrk on CPU 1
#   TOGETHER=1 scripts/bench-side-by-side.sh …            both servers at once on CPU 0,
#                                                          a wrk each on CPU 1
#
# Unpinned, wrk and the server's two workers share both cores, and the round-to-round
# spread on a shared 2-core virtual machine is wider than the difference measured;
# pinned, neither takes the other's core and the server's workers share one.
#
# Needs wrk (Debian: apt-get install wrk). Connections: 32, one wrk thread. The figures
# in BENCHMARKS.md come from it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-common.sh

rounds=${1:-5}
seconds=${2:-5}
connections=32
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }

cargo build --release --quiet --example bench_server
server=target/release/examples/bench_server
ticks=$(getconf CLK_TCK)
results=$(mktemp)
trap 'rm -f "$results"; kill "${pid:-0}" "${pids[@]}" 2>/dev/null || true' EXIT

# cpu_ticks PID: the process's user + system CPU time, in clock ticks.
cpu_ticks() {
    # Fields 14 and 15 of /proc/PID/stat, counted after the command name's parenthesis.
    sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# to_us LATENCY: wrk's "1.23ms" / "456.00us" / "1.2s" in microseconds.
to_us() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); print v }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); print v * 1000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000000 }
    }'
}

# With PIN=1 or TOGETHER=1, the servers on CPU 0 and wrk on CPU 1 (taskset, util-linux).
server_cpu=()
client_cpu=()
if [ -n "${PIN:-}${TOGETHER:-}" ]; then
    server_cpu=(taskset -c 0)
    client_cpu=(taskset -c 1)
fi

# drive ROUND MODE PID URL: wrk against the server PID (of MODE) at URL for the run's
# seconds; prints the row of figures for the round.
drive() {
    local before after out rps requests p50 p99 errors cpu_us
    before=$(cpu_ticks "$3")
    out=$("${client_cpu[@]}" wrk -t1 -c"$connections" -d"${seconds}s" --latency "$4")
    after=$(cpu_ticks "$3")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    p50=$(to_us "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    p99=$(to_us "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    errors=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out")
    [ -z "$errors" ] || { echo "errors for $2 at $4: $errors" >&2; return 1; }
    cpu_us=$(awk -v t=$((after - before)) -v hz="$ticks" -v n="$requests" \
        'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
    echo "$1 /${4#http://*/} $2 $rps $p50 $p99 $cpu_us"
}

# start MODE PORT: starts the server in MODE on PORT; sets pid.
start() {
    ADDR=127.0.0.1:$2 "${server_cpu[@]}" "$server" "$1" >/dev/null &
    pid=$!
    wait_for_port "$2" 5
}

port=18080
pids=()
declare -A pid_of port_of
paths="healthcheck healthcheck/ready"
for round in $(seq 1 "$rounds"); do
    # The servers take turns going first, so a drift of the machine's speed during the
    # session weighs on both alike.
    order="bare healthcheck"
    [ $((round % 2)) -eq 0 ] && order="healthcheck bare"
    if [ -n "${TOGETHER:-}" ]; then
        # Both at once, sharing CPU 0, each driven by its own wrk on CPU 1: whatever
        # slows the machine slows both in the same seconds.
        pids=()
        for mode in $order; do
            port=$((port + 1))
            start "$mode" "$port"
            pid_of[$mode]=$pid
            port_of[$mode]=$port
            pids+=("$pid")
        done
        for path in $paths; do
            drivers=()
            for mode in $order; do
                "${client_cpu[@]}" wrk -t1 -c"$connections" -d1s \
                    "http://127.0.0.1:${port_of[$mode]}/$path" >/dev/null & # warm-up
                drivers+=($!)
            done
            wait "${drivers[@]}"
            rows=()
            drivers=()
            for mode in $order; do
                rows+=("$(mktemp)")
                drive "$round" "$mode" "${pid_of[$mode]}" \
                    "http://127.0.0.1:${port_of[$mode]}/$path" >"${rows[-1]}" &
                drivers+=($!)
            done
            wait "${drivers[@]}" || true
            cat "${rows[@]}" | tee -a "$results"
            [ "$(cat "${rows[@]}" | wc -l)" -eq 2 ] || exit 1
            rm -f "${rows[@]}"
        done
        kill "${pids[@]}"
        wait "${pids[@]}" 2>/dev/null || true
        continue
    fi
    for mode in $order; do
        port=$((port + 1))
        start "$mode" "$port"
        for path in $paths; do
            url="http://127.0.0.1:$port/$path"
            "${client_cpu[@]}" wrk -t1 -c"$connections" -d1s "$url" >/dev/null # warm-up
            drive "$round" "$mode" "$pid" "$url" | tee -a "$results"
        done
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    done
done

echo
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "rounds: $rounds x ${seconds}s, $connections connections, wrk -t1${PIN:+, server on CPU 0, wrk on CPU 1}${TOGETHER:+, both servers at once on CPU 0, a wrk each on CPU 1}"
python3 - "$results" <<'EOF'
import math
import statistics
import sys


def median_interval(values):
    """A 95 % interval of the median, free of any assumed distribution: the k-th
    smallest and k-th largest of n values, k the largest for which a fair coin shows
    fewer than k heads in n tosses with probability at most 2.5 %. None below 6 rounds."""
    n = len(values)
    below = lambda k: sum(math.comb(n, i) for i in range(k)) / 2**n
    k = max((k for k in range(1, n // 2 + 1) if below(k) <= 0.025), default=None)
    if k is None:
        return None
    ordered = sorted(values)
    return ordered[k - 1], ordered[n - k]

rows = [line.split() for line in open(sys.argv[1])]
table = {}
by_round = {}
for round_, path, mode, *values in rows:
    table.setdefault((path, mode), []).append([float(v) for v in values])
    by_round.setdefault((path, round_), {})[mode] = [float(v) for v in values]
names = ["req/s", "p50 µs", "p99 µs", "CPU µs/req"]
for path in dict.fromkeys(path for path, _ in table):
    print(f"\n{path}")
    print(f"  {'server':12} " + " ".join(f"{n:>24}" for n in names))
    medians = {}
    for mode in ("bare", "healthcheck"):
        runs = table[(path, mode)]
        columns = list(zip(*runs))
        medians[mode] = [statistics.median(c) for c in columns]
        cells = [f"{statistics.median(c):.1f} ({min(c):.1f}–{max(c):.1f})" for c in columns]
        print(f"  {mode:12} " + " ".join(f"{c:>24}" for c in cells))
    bare, lib = medians["bare"], medians["healthcheck"]
    print(f"  ratio: req/s {lib[0] / bare[0]:.2f} of bare, CPU per request {lib[3] / bare[3]:.2f}x")
    # Paired: the two servers of one round ran minutes apart at most.
    pairs = [r for (p, _), r in by_round.items() if p == path]
    rps = [r["healthcheck"][0] / r["bare"][0] for r in pairs]
    cpu = [r["healthcheck"][3] / r["bare"][3] for r in pairs]
    print(f"  paired, median of {len(pairs)} rounds: req/s {statistics.median(rps):.2f} "
          f"({min(rps):.2f}–{max(rps):.2f}), CPU per request {statistics.median(cpu):.2f}x "
          f"({min(cpu):.2f}–{max(cpu):.2f})")
    rps_interval, cpu_interval = median_interval(rps), median_interval(cpu)
    if rps_interval and cpu_interval:
        print(f"  95 % interval of the paired medians: req/s {rps_interval[0]:.2f}–"
              f"{rps_interval[1]:.2f}, CPU per request {cpu_interval[0]:.2f}–{cpu_interval[1]:.2f}x")
EOF
