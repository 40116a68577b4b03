//! The README's quickstart as a newcomer uses it: its `Cargo.toml` lines and its
//! `src/main.rs`, pasted into a fresh package outside the workspace with the dependency
//! pointed at this checkout, built, run, and asked over a real socket.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tokio::io::{AsyncBufReadExt, BufReader};

const README: &str = include_str!("../README.md");

/// The body of the first fenced block after `after` that opens with `fence`.
fn block<'a>(after: &str, fence: &str) -> &'a str {
    let start = README.find(after).expect("the section") + after.len();
    let open = README[start..].find(fence).expect("the block") + start;
    let body = README[open..].find('\n').unwrap() + open + 1;
    let end = README[body..].find("\n```").unwrap() + body;
    &README[body..end + 1]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_quickstart_builds_in_a_fresh_package_and_answers() {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dependencies = block("## Quickstart", "```toml");
    let main = block("`src/main.rs`", "```rust");
    assert!(dependencies.starts_with("[dependencies]\nhealthcheck-kit = { version = \"0.1\""));

    let package =
        std::env::temp_dir().join(format!("healthcheck-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(package.join("src")).unwrap();
    let pointed = dependencies.replacen(
        "healthcheck-kit = { version = \"0.1\",",
        &format!(
            "healthcheck-kit = {{ path = {:?},",
            checkout.join("healthcheck")
        ),
        1,
    );
    std::fs::write(
        package.join("Cargo.toml"),
        format!("[package]\nname = \"quickstart\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n\n{pointed}"),
    )
    .unwrap();
    // A free port instead of 8000, so the test can run beside anything.
    std::fs::write(
        package.join("src/main.rs"),
        main.replace("127.0.0.1:8000", "127.0.0.1:0"),
    )
    .unwrap();
    // The workspace's lock file: the same versions, nothing new to download.
    std::fs::copy(checkout.join("Cargo.lock"), package.join("Cargo.lock")).unwrap();

    let target: PathBuf = checkout.join("target/quickstart");
    let built = Command::new(env!("CARGO"))
        .args(["build", "--quiet"])
        .current_dir(&package)
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(built.success(), "the quickstart does not build");

    let mut server = tokio::process::Command::new(target.join("debug/quickstart"))
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    let line = BufReader::new(stdout)
        .lines()
        .next_line()
        .await
        .unwrap()
        .unwrap();
    let addr: std::net::SocketAddr = line
        .split("http://")
        .nth(1)
        .and_then(|url| url.strip_suffix("/healthcheck"))
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let response = support::http::get(addr, "/healthcheck").await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["results"][0]["checker"], "cache");
    assert_eq!(support::http::get(addr, "/").await.body, "hello");
    std::fs::remove_dir_all(&package).unwrap();
}
