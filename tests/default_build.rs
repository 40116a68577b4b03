//! The default build stays lean: with no feature, `healthcheck-kit` compiles none of the
//! crates its features bring (web frameworks, gRPC, metrics, tracing, drivers).

use std::process::Command;

/// Crates that only a feature may bring in.
const FEATURE_CRATES: [&str; 18] = [
    "axum",
    "actix-web",
    "tower-service",
    "tonic",
    "tonic-health",
    "prost",
    "metrics",
    "tracing",
    "tokio-postgres",
    "deadpool-postgres",
    "mysql_async",
    "redis",
    "lapin",
    "async-nats",
    "reqwest",
    "fs4",
    "hyper",
    // The status page's streaming body.
    "http-body",
];

#[test]
fn the_default_build_compiles_none_of_the_features_crates() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            "healthcheck-kit",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(crates.contains(&"tokio"), "the tree was read: {tree}");
    let pulled: Vec<&&str> = FEATURE_CRATES
        .iter()
        .filter(|name| crates.contains(name))
        .collect();
    assert!(
        pulled.is_empty(),
        "the default build compiles {pulled:?}:\n{tree}"
    );
    // Serialize is written by hand: serde_derive (and its syn) would add seconds to the
    // cold build of every service without derives of its own (BENCHMARKS.md).
    assert!(
        !crates.contains(&"serde_derive"),
        "the default build compiles serde_derive:\n{tree}"
    );
}
