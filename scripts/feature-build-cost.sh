#!/usr/bin/env bash
# Cold debug build time of the `healthcheck` crate with no features and with each
# built-in check's feature alone, each in a fresh target directory; and the number of
# crates each compiles. Writes a Markdown table to stdout. Run from the repository root:
#   scripts/feature-build-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
cargo fetch --quiet
echo "| features | cold build (s) | crates compiled |"
echo "|---|---|---|"
for feature in "" postgres mysql redis rabbitmq nats http tcp disk memory; do
    rm -rf "$target"/*
    start=$(date +%s.%N)
    crates=$(CARGO_TARGET_DIR="$target" cargo build -p healthcheck-kit --no-default-features \
        ${feature:+--features "$feature"} 2>&1 | grep -c '^ *Compiling' || true)
    end=$(date +%s.%N)
    printf '| %s | %.1f | %s |\n' "${feature:-(none)}" "$(echo "$end - $start" | bc)" "$crates"
done
