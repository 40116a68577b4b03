//! The demo server: real checks on resources that need nothing installed, served by
//! axum at `/healthcheck` (and `/healthcheck/ready`, `/healthcheck/services`, …).
//!
//! ```text
//! cargo run --example demo                   # all checks pass: 200
//! DEMO_FAIL=1 cargo run --example demo       # the `toggle` check fails: 503
//! ```
//!
//! `DEMO_ADDR` sets the address (default `127.0.0.1:8000`; port 0 picks a free one) and
//! `DEMO_DIR` the directory of the SQLite file (default: a folder in the temp dir).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use healthcheck::{Endpoint, HealthCheck, health_check};

/// The directory holding the demo's SQLite database; set once in `main`.
static DATA_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Less free space than this fails `disk_space`.
const MIN_FREE_BYTES: u64 = 100 * 1024 * 1024;

fn data_dir() -> &'static Path {
    DATA_DIR.get().expect("main sets DATA_DIR before serving")
}

/// Writes a heartbeat row to an embedded SQLite database and counts the rows.
#[health_check(name = "sqlite", timeout = "2s")]
async fn sqlite() -> (bool, String) {
    let path = data_dir().join("demo.sqlite3");
    // rusqlite blocks: keep it off the async workers.
    let counted = tokio::task::spawn_blocking(move || -> rusqlite::Result<(i64, PathBuf)> {
        let db = rusqlite::Connection::open(&path)?;
        db.execute_batch("CREATE TABLE IF NOT EXISTS heartbeat (at TEXT NOT NULL)")?;
        db.execute("INSERT INTO heartbeat (at) VALUES (datetime('now'))", ())?;
        let rows = db.query_row("SELECT count(*) FROM heartbeat", (), |row| row.get(0))?;
        Ok((rows, path))
    })
    .await;
    match counted {
        Ok(Ok((rows, path))) => (
            true,
            format!("sqlite ok: {rows} heartbeats in {}", path.display()),
        ),
        Ok(Err(err)) => (false, format!("sqlite failed: {err}")),
        Err(err) => (false, format!("sqlite task failed: {err}")),
    }
}

/// Passes while the database's directory has at least 100 MiB free.
#[health_check(name = "disk_space", success_ttl = "10s")]
async fn disk_space() -> (bool, String) {
    let dir = data_dir();
    match fs4::available_space(dir) {
        Ok(free) => {
            let free_mib = free / (1024 * 1024);
            let message = format!("{free_mib} MiB free in {}", dir.display());
            if free >= MIN_FREE_BYTES {
                (true, message)
            } else {
                (false, format!("{message}; need at least 100 MiB"))
            }
        }
        Err(err) => (
            false,
            format!("cannot read free space of {}: {err}", dir.display()),
        ),
    }
}

/// Fails when the environment asks it to (`DEMO_FAIL` set to anything but empty).
#[health_check(name = "toggle", success_ttl = "0s", failed_ttl = "0s")]
async fn toggle() -> (bool, String) {
    match std::env::var("DEMO_FAIL") {
        Ok(value) if !value.is_empty() => (false, format!("failing because DEMO_FAIL={value}")),
        _ => (true, "passing; set DEMO_FAIL=1 to make it fail".to_string()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::var_os("DEMO_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("healthcheck-demo"));
    std::fs::create_dir_all(&dir)?;
    DATA_DIR.set(dir).expect("set once");

    let health = Arc::new(HealthCheck::collect()?);
    let app = healthcheck::axum::router(Endpoint::new(health.clone()));

    let addr = std::env::var("DEMO_ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "healthcheck demo: http://{}/healthcheck",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(health.shutdown_signal())
        .await?;
    health.finish_shutdown().await;
    Ok(())
}
