#!/usr/bin/env bash
# Builds the fuzz targets as cargo-fuzz would (libFuzzer's sanitizer-coverage passes) on
# the pinned stable toolchain, and runs each for SECONDS (default 60) from its corpus
# in fuzz/corpus/TARGET (kept between runs, not committed); a crash is written to
# fuzz/artifacts/TARGET/ and fails the script. Prints each target's last libFuzzer line:
# executions (#N), coverage (cov: edges, ft: features), corpus size.
#
#   fuzz/run.sh [SECONDS] [TARGET ...]        (default: 60 s each, every target)
#   FUZZ_SEED=0 fuzz/run.sh …                  (a random seed; default 1, so that a run
#                                              from an empty corpus, as CI's, repeats)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(endpoint probe_input)
fi
host=$(rustc -vV | awk '/^host:/ { print $2 }')
# The flags cargo-fuzz passes; on stable, RUSTC_BOOTSTRAP lets libfuzzer-sys build.
export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# --target keeps the flags off build scripts and proc-macros.
cargo build --release --quiet --target "$host" --bins
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log=$(mktemp)
    if ! "target/$host/release/$target" -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" \
        -print_final_stats=1 \
        -artifact_prefix="artifacts/$target/" "corpus/$target" >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "FAIL: fuzz target $target found a crash (artifacts/$target/)" >&2
        exit 1
    fi
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    echo "$target: $last"
    rm -f "$log"
done
