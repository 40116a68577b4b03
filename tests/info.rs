//! `GET {base}/info`: the application, its build, the process, sections of its own and
//! its environment with secrets masked; only the status for callers without details.

mod support;

use std::process::Stdio;

use healthcheck::http::Request;
use healthcheck::{Details, Endpoint, HealthCheck};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[tokio::test]
async fn info_shows_the_app_its_build_and_the_process() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .hostname("web-1")
        .info(
            healthcheck::app_info!()
                .build_fact("git_commit", "3f2c1e9")
                .section("team", serde_json::json!({"owner": "payments"})),
        )
        .build()
        .unwrap();
    let endpoint = Endpoint::new(health);
    let request = Request::get("/healthcheck/info").body(()).unwrap();
    let response = endpoint.respond(&request).await;
    assert_eq!(response.status(), 200);
    let json: serde_json::Value = serde_json::from_str(response.body()).unwrap();
    assert_eq!(json["status"], "UP");
    assert_eq!(json["app"]["name"], "healthcheck-workspace-tests");
    assert_eq!(json["app"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["build"]["git_commit"], "3f2c1e9");
    assert_eq!(json["team"]["owner"], "payments");
    assert_eq!(json["process"]["pid"], std::process::id());
    assert_eq!(json["process"]["hostname"], "web-1");
    assert!(
        json["process"]["rust_version"]
            .as_str()
            .unwrap()
            .starts_with("rustc 1.")
    );
    assert!(
        json["process"]["start_time"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert!(json["process"]["uptime_seconds"].is_u64());
    assert!(
        json.get("environment").is_none(),
        "the environment only when asked"
    );

    // Under a details policy that withholds, only the status.
    let withheld = Endpoint::new(endpoint.health().clone()).details(Details::Never);
    let response = withheld.respond(&request).await;
    assert_eq!(response.body(), r#"{"status":"UP"}"#);
}

#[tokio::test]
async fn the_environment_is_shown_with_secrets_masked() {
    let mut server = Command::new(support::example("axum"))
        .env("ADDR", "127.0.0.1:0")
        .env("WARMUP_MS", "0")
        .env("API_TOKEN", "s3cret")
        .env("Db_Password", "hunter2")
        .env("DATABASE_URL", "postgres://app:hunter2@db/app")
        .env("GREETING", "hello")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = stdout.next_line().await.unwrap().unwrap();
    let addr: std::net::SocketAddr = first
        .split("http://")
        .nth(1)
        .and_then(|url| url.strip_suffix("/healthcheck"))
        .and_then(|addr| addr.parse().ok())
        .unwrap();
    let response = support::http::get(addr, "/healthcheck/info").await;
    assert_eq!(response.status, 200);
    let json = response.json();
    let environment = &json["environment"];
    assert_eq!(environment["GREETING"], "hello");
    assert_eq!(environment["API_TOKEN"], healthcheck::defaults::MASKED);
    assert_eq!(environment["Db_Password"], healthcheck::defaults::MASKED);
    assert_eq!(environment["DATABASE_URL"], "postgres://app:******@db/app");
    assert!(!response.body.contains("hunter2") && !response.body.contains("s3cret"));
    assert_eq!(json["example"]["framework"], "axum and friends");
    assert_eq!(json["app"]["name"], "healthcheck-workspace-tests");
}
