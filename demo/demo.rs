//! The demo server: real checks on resources that need nothing installed, served by
//! axum at `/healthcheck` (and `/healthcheck/ready`, `/healthcheck/services`, …).
//!
//! ```text
//! cargo run -p healthcheck-demo --example demo                   # all checks pass: 200
//! DEMO_FAIL=1 cargo run -p healthcheck-demo --example demo       # the `toggle` check fails: 503
//! ```
//!
//! The status page is at `/healthcheck/status` (the URL is printed at start): the checks
//! run every 2 s, and the page follows their changes live. Create the file `fail` in the
//! data directory to make `toggle` fail while it runs, remove it to make it pass again.
//!
//! `DEMO_ADDR` sets the address (default `127.0.0.1:8000`; port 0 picks a free one) and
//! `DEMO_DIR` the directory of the SQLite file (default: a folder in the temp dir).
//! With `DATABASE_URL` (`postgres://…`) and `REDIS_URL` (`redis://…`) set, the demo
//! also checks that PostgreSQL and Redis through the built-in checks:
//!
//! ```text
//! DATABASE_URL=postgres://postgres@127.0.0.1/test REDIS_URL=redis://127.0.0.1/ cargo run -p healthcheck-demo --example demo
//! ```

use std::path::PathBuf;
use std::sync::Arc;

use healthcheck::{Builder, Endpoint, Health, HealthCheck, State, checks, health_check};

/// The directory holding the demo's SQLite database, handed to the checks as state.
#[derive(Clone)]
struct DataDir(PathBuf);

/// Less free space than this fails `disk_space`.
const MIN_FREE_BYTES: u64 = 100 * 1024 * 1024;

/// Writes a heartbeat row to an embedded SQLite database and counts the rows. A plain
/// `fn`: it blocks, so it runs on tokio's blocking pool.
#[health_check(name = "sqlite", timeout = "2s", group = "storage")]
fn sqlite(State(DataDir(dir)): State<DataDir>) -> Result<String, rusqlite::Error> {
    let path = dir.join("demo.sqlite3");
    let db = rusqlite::Connection::open(&path)?;
    db.execute_batch("CREATE TABLE IF NOT EXISTS heartbeat (at TEXT NOT NULL)")?;
    db.execute("INSERT INTO heartbeat (at) VALUES (datetime('now'))", ())?;
    let rows: i64 = db.query_row("SELECT count(*) FROM heartbeat", (), |row| row.get(0))?;
    Ok(format!(
        "sqlite ok: {rows} heartbeats in {}",
        path.display()
    ))
}

/// Passes while the database's directory has at least 100 MiB free; the free space is
/// the observed value.
#[health_check(name = "disk_space", success_ttl = "10s", group = "storage")]
async fn disk_space(State(DataDir(dir)): State<DataDir>) -> Health {
    match fs4::available_space(&dir) {
        Ok(free) => {
            let free_mib = free / (1024 * 1024);
            let message = format!("{free_mib} MiB free in {}", dir.display());
            let health = if free >= MIN_FREE_BYTES {
                Health::pass(message)
            } else {
                Health::fail(format!("{message}; need at least 100 MiB"))
            };
            health.observed(free_mib, "MiB")
        }
        Err(err) => Health::fail(format!(
            "cannot read free space of {}: {err}",
            dir.display()
        )),
    }
}

/// Fails when the environment asks it to (`DEMO_FAIL` set to anything but empty), or
/// while the file `fail` exists in the data directory.
#[health_check(name = "toggle", success_ttl = "0s", failed_ttl = "0s")]
async fn toggle(State(DataDir(dir)): State<DataDir>) -> (bool, String) {
    let switch = dir.join("fail");
    match std::env::var("DEMO_FAIL") {
        Ok(value) if !value.is_empty() => (false, format!("failing because DEMO_FAIL={value}")),
        _ if switch.exists() => (
            false,
            format!("failing because {} exists", switch.display()),
        ),
        _ => (
            true,
            format!(
                "passing; set DEMO_FAIL=1 or create {} to make it fail",
                switch.display()
            ),
        ),
    }
}

/// Adds the built-in PostgreSQL and Redis checks for the servers the environment names.
async fn with_services(mut builder: Builder) -> Result<Builder, Box<dyn std::error::Error>> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let config = deadpool_postgres::Config {
            url: Some(url),
            ..Default::default()
        };
        let pool = config.create_pool(
            Some(deadpool_postgres::Runtime::Tokio1),
            tokio_postgres::NoTls,
        )?;
        builder = builder.check(checks::postgres::pool("postgres", pool).group("services"));
    }
    if let Ok(url) = std::env::var("REDIS_URL") {
        let client = redis::Client::open(url)?;
        // Connects lazily: a Redis that is down at start is a failing check, not a crash.
        // No response timeout of the client's own (500 ms by default): the check's
        // timeout governs, so a slow Redis is a warning above `slow_after`, not a failure.
        let config = redis::aio::ConnectionManagerConfig::new().set_response_timeout(None);
        let manager = redis::aio::ConnectionManager::new_lazy_with_config(client, config)?;
        builder = builder.check(checks::redis::connection("redis", manager).group("services"));
    }
    Ok(builder)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::var_os("DEMO_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("healthcheck-demo"));
    std::fs::create_dir_all(&dir)?;

    let builder = HealthCheck::builder()
        .state(DataDir(dir))
        .check(checks::runtime::responsive("runtime"));
    let health = Arc::new(with_services(builder).await?.build()?);
    // Every check runs every 2 s, so the status page shows changes as they happen.
    health.spawn_refresh(std::time::Duration::from_secs(2));
    let app = healthcheck::axum::router(Endpoint::new(health.clone()));

    let addr = std::env::var("DEMO_ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let addr = listener.local_addr()?;
    println!("healthcheck demo: http://{addr}/healthcheck");
    println!("status page: http://{addr}/healthcheck/status");
    axum::serve(listener, app)
        .with_graceful_shutdown(health.shutdown_signal())
        .await?;
    health.finish_shutdown().await;
    Ok(())
}
