//! The status page in a real browser: headless Chromium (Debian's `chromium`) driven by
//! `playwright-core`, checked by `axe-core` (both from npm, in `tests/browser/`, which
//! `.ci/run` installs), against `examples/status_page.rs`. The script,
//! `tests/browser/page.mjs`, says each expectation it checks; the screenshots of both
//! themes are written to `target/browser/`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// What the browser test needs: node, Chromium and the npm packages; else why not.
fn tools(root: &Path) -> Result<PathBuf, String> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.exists() {
        return Err(format!(
            "{} is missing: install Debian's chromium (.ci/run does)",
            chromium.display()
        ));
    }
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|output| output.status.success()) {
        return Err("node is missing: install Node.js".into());
    }
    for package in ["playwright-core", "axe-core"] {
        if !root
            .join("tests/browser/node_modules")
            .join(package)
            .exists()
        {
            return Err(format!(
                "{package} is missing: run `npm ci --prefix tests/browser` (.ci/run does)"
            ));
        }
    }
    Ok(chromium)
}

#[tokio::test]
async fn the_status_page_in_headless_chromium_shows_every_phase_and_status_live_and_without_javascript()
 {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium = match tools(root) {
        Ok(chromium) => chromium,
        Err(why) => return support::missing(&why),
    };
    let mut server = Command::new(support::example("status_page"))
        .env("STATUS_PAGE_ADDR", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the example");
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let line = lines
        .next_line()
        .await
        .unwrap()
        .expect("the example prints its URL");
    let url = line.trim_start_matches("status page: ").to_owned();
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

    let shots = root.join("target/browser");
    let run = Command::new("node")
        .arg(root.join("tests/browser/page.mjs"))
        .env("STATUS_PAGE_URL", &url)
        .env("SCREENSHOT_DIR", &shots)
        .env("CHROMIUM", &chromium)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("the browser test ends within 3 minutes")
        .expect("node runs");
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{said}");
    assert!(output.status.success(), "{said}");
    assert!(said.contains("all expectations met"), "{said}");
    for theme in ["light", "dark"] {
        let shot = shots.join(format!("status-page-{theme}.png"));
        assert!(shot.exists(), "{} was written", shot.display());
    }
}
