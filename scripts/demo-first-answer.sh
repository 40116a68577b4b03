#!/usr/bin/env bash
# Cold time from the README's demo command (`cargo run -p healthcheck-demo --example
# demo`) to the demo's first answer, in an empty target directory with the crates
# already downloaded, and how many crates it compiles.
#
#   scripts/demo-first-answer.sh
#   DEMO_COMMAND='cargo run --example demo' scripts/demo-first-answer.sh   (another command)
set -euo pipefail
cd "$(dirname "$0")/.."
target=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$target" "$log"; kill "$demo" 2>/dev/null || true' EXIT
cargo fetch --quiet
start=$(date +%s.%N)
command=${DEMO_COMMAND:-cargo run -p healthcheck-demo --example demo}
CARGO_TARGET_DIR="$target" DEMO_ADDR=127.0.0.1:0 $command >"$log" 2>&1 &
demo=$!
until url=$(grep -o 'http://[^ ]*' "$log"); do sleep 0.2; done
until curl -sf -o /dev/null "$url"; do sleep 0.1; done
end=$(date +%s.%N)
printf 'first answer after %.1f s; %s crates compiled\n' "$(echo "$end - $start" | bc)" "$(grep -c '^ *Compiling' "$log")"
