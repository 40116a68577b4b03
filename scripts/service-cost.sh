#!/usr/bin/env bash
# What the library costs a service: the README's quickstart app beside a bare axum app,
# each a fresh package outside the workspace, built cold (`cargo build --release` in an
# empty target directory, crates already downloaded) in turns, ROUNDS times. Prints the
# build time and its CPU time (median, min–max), the crates compiled and the release
# binary's size, what the library adds to each, and the ratios paired round by round. Three apps:
#
#   bare      axum + tokio, `/` and a fixed-JSON `/healthcheck` handler
#   default   the same plus healthcheck-kit with default features: one #[health_check],
#             answered by `Endpoint::respond` from an axum handler of the app's own
#   axum      the README's quickstart as written (healthcheck-kit with "axum")
#
# Then `cargo build --release --timings` of the quickstart; its HTML report is kept
# in target/service-cost/ for "which dependency takes the time".
#
#   scripts/service-cost.sh [ROUNDS]     (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
rounds=${1:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo fetch --quiet

# The quickstart's blocks from the README, as tests/quickstart.rs takes them.
python3 - "$work" "$checkout" <<'EOF'
import os
import sys

work, checkout = sys.argv[1], sys.argv[2]
readme = open(os.path.join(checkout, "README.md")).read()

def block(after, fence):
    start = readme.index(after) + len(after)
    body = readme.index("\n", readme.index(fence, start)) + 1
    return readme[body:readme.index("\n```", body) + 1]

dependencies = block("## Quickstart", "```toml")
main = block("`src/main.rs`", "```rust")
library = f'healthcheck-kit = {{ path = "{checkout}/healthcheck",'
pointed = dependencies.replace('healthcheck-kit = { version = "0.1",', library, 1)
assert pointed != dependencies, "the quickstart's dependency line changed"
without_library = "".join(
    line for line in dependencies.splitlines(True) if not line.startswith("healthcheck-kit")
)

def package(name, dependencies, main):
    os.makedirs(os.path.join(work, name, "src"))
    with open(os.path.join(work, name, "Cargo.toml"), "w") as f:
        f.write(f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2024"\n\n'
                f"[workspace]\n\n{dependencies}")
    with open(os.path.join(work, name, "src/main.rs"), "w") as f:
        f.write(main)

package("bare", without_library, '''\
const BODY: &str = r#"{"status":"success","results":[]}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "hello" }))
        .route(
            "/healthcheck",
            axum::routing::get(|| async {
                ([(axum::http::header::CONTENT_TYPE, "application/json")], BODY)
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    println!("health: http://{}/healthcheck", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
''')

package("default", without_library + f'healthcheck-kit = {{ path = "{checkout}/healthcheck" }}\n', '''\
use healthcheck::{Endpoint, HealthCheck, health_check};

#[health_check(name = "cache", timeout = "500ms", success_ttl = "10s")]
async fn cache() -> (bool, String) {
    (true, "cache ok".to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let health = HealthCheck::collect()?;
    let endpoint = Endpoint::new(health.clone());
    let answer = move |request: axum::extract::Request| {
        let endpoint = endpoint.clone();
        async move { endpoint.respond(&request).await }
    };
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "hello" }))
        .route("/healthcheck", axum::routing::any(answer.clone()))
        .route("/healthcheck/{*rest}", axum::routing::any(answer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    println!("health: http://{}/healthcheck", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(health.shutdown_signal())
        .await?;
    health.finish_shutdown().await;
    Ok(())
}
''')

package("axum", pointed, main)
EOF

# The workspace's lock file: the same versions; what it lacks (axum's default features)
# is downloaded before the clock starts.
for app in bare default axum; do
    cp Cargo.lock "$work/$app/"
    (cd "$work/$app" && cargo fetch --quiet)
done

results=$work/results
# Wall and CPU (user + system, the build's processes included) from bash's `time`.
TIMEFORMAT='%R %U %S'
for round in $(seq 1 "$rounds"); do
    for app in bare default axum; do
        rm -rf "$work/target"
        { time (cd "$work/$app" && CARGO_TARGET_DIR="$work/target" \
            cargo build --release --offline >"$work/build.log" 2>&1); } 2>"$work/time"
        read -r seconds user system <"$work/time"
        crates=$(grep -c '^ *Compiling' "$work/build.log" || true)
        size=$(stat -c %s "$work/target/release/$app")
        cpu=$(echo "$user + $system" | bc)
        echo "$round $app $seconds $crates $size $cpu" | tee -a "$results"
    done
done

echo
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "rounds: $rounds, cargo build --release, cold, crates downloaded"
python3 - "$results" <<'EOF'
import statistics
import sys

rows = [line.split() for line in open(sys.argv[1])]
apps = {}
rounds = {}
for round_, app, seconds, crates, size, cpu in rows:
    apps.setdefault(app, []).append((float(seconds), int(crates), int(size), float(cpu)))
    rounds.setdefault(round_, {})[app] = apps[app][-1]

def median(app, i):
    return statistics.median(row[i] for row in apps[app])

def spread(app, i):
    values = [row[i] for row in apps[app]]
    return f"{median(app, i):.1f} ({min(values):.1f}–{max(values):.1f})"

def paired(app, i):
    # Each round builds the three apps one after the other: its ratio to that round's
    # bare build leaves out how the machine's speed drifts between rounds.
    ratios = [r[app][i] / r["bare"][i] for r in rounds.values() if app in r and "bare" in r]
    return f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}–{max(ratios):.2f})"

print("| app | cold release build (s) | build CPU (s) | crates compiled | binary | added to bare |")
print("|---|---|---|---|---|---|")
for app in ["bare", "default", "axum"]:
    added = median(app, 2) - median("bare", 2)
    print(f"| {app} | {spread(app, 0)} | {spread(app, 3)} "
          f"| {median(app, 1):.0f} | {median(app, 2) / 2**20:.2f} MiB "
          f"| {median(app, 0) / median('bare', 0):.2f}x build, "
          f"{median(app, 3) / median('bare', 3):.2f}x CPU, {added / 2**20:+.2f} MiB |")
print()
for app in ["default", "axum"]:
    print(f"{app}, paired by round: build {paired(app, 0)}, CPU {paired(app, 3)}")
EOF

# Where the quickstart's build goes, crate by crate.
rm -rf "$work/target"
(cd "$work/axum" && CARGO_TARGET_DIR="$work/target" cargo build --release --offline --timings --quiet)
mkdir -p target/service-cost
cp "$work"/target/cargo-timings/cargo-timing.html target/service-cost/
echo "timings: target/service-cost/cargo-timing.html"
