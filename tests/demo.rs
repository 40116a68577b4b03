//! The demo server (`examples/demo.rs`) as a user runs it: a real process, queried
//! through a real socket.

mod support;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running demo process; dropping it kills the process and removes its data.
struct Demo {
    _process: Child,
    dir: PathBuf,
    addr: SocketAddr,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts the demo on a free port, in a data directory of its own.
async fn start_demo(fail: bool) -> Demo {
    start_demo_with(fail, &[]).await
}

/// [`start_demo`] with more environment variables.
async fn start_demo_with(fail: bool, env: &[(&str, String)]) -> Demo {
    let dir = std::env::temp_dir().join(format!(
        "healthcheck-demo-test-{}-{fail}-{}",
        std::process::id(),
        env.len()
    ));
    let mut command = Command::new(support::example("demo"));
    command
        .env("DEMO_ADDR", "127.0.0.1:0")
        .env("DEMO_DIR", &dir)
        .env_remove("DEMO_FAIL")
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .envs(env.iter().map(|(key, value)| (key, value)))
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    if fail {
        command.env("DEMO_FAIL", "1");
    }
    let mut child = command.spawn().expect("start the demo");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = lines
        .next_line()
        .await
        .unwrap()
        .expect("the demo prints its URL");
    let status_line = lines.next_line().await.unwrap();
    assert_eq!(
        status_line,
        Some(line.replace("healthcheck demo: ", "status page: ") + "/status"),
        "the demo prints its status page's URL"
    );
    // Read on, so the demo never writes to a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let url = line.split("http://").nth(1).expect("a URL");
    let addr = url.trim_end_matches("/healthcheck").parse().unwrap();
    Demo {
        _process: child,
        dir,
        addr,
    }
}

fn assert_flask_result(result: &Value) {
    assert!(result["checker"].is_string(), "{result}");
    assert!(result["output"].is_string(), "{result}");
    assert!(result["passed"].is_boolean(), "{result}");
    let timestamp = result["timestamp"].as_f64().expect("timestamp is a number");
    let expires = result["expires"].as_f64().expect("expires is a number");
    assert!(expires >= timestamp, "{result}");
    assert!(result["response_time"].as_f64().expect("a number") >= 0.0);
}

#[tokio::test]
async fn the_demo_serves_every_flask_field_with_the_right_type() {
    let demo = start_demo(false).await;
    let response = support::http::get(demo.addr, "/healthcheck").await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let json = response.json();
    assert_eq!(json["status"], "success");
    assert_eq!(json["phase"], "UP");
    assert!(json["timestamp"].as_f64().unwrap() > 1.6e9);
    assert!(!json["hostname"].as_str().unwrap().is_empty());
    let results = json["results"].as_array().unwrap();
    let names: Vec<&str> = results
        .iter()
        .map(|r| r["checker"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["disk_space", "runtime", "sqlite", "toggle"]);
    results.iter().for_each(assert_flask_result);
    assert!(
        results[2]["output"]
            .as_str()
            .unwrap()
            .starts_with("sqlite ok: ")
    );
}

#[tokio::test]
async fn the_demo_fails_with_503_when_demo_fail_is_set() {
    let demo = start_demo(true).await;
    let response = support::http::get(demo.addr, "/healthcheck").await;
    assert_eq!(response.status, 503, "{}", response.body);
    let json = response.json();
    assert_eq!(json["status"], "failure");
    let toggle = &json["results"][3];
    assert_eq!(toggle["checker"], "toggle");
    assert_eq!(toggle["passed"], false);
    assert_eq!(toggle["output"], "failing because DEMO_FAIL=1");
    assert_eq!(
        json["results"][0]["passed"], true,
        "the other checks still pass"
    );
}

#[tokio::test]
async fn with_database_url_and_redis_url_the_demo_checks_postgres_and_redis() {
    use support::backing::{POSTGRES, REDIS};
    if !POSTGRES.available().await || !REDIS.available().await {
        return;
    }
    let env = [
        (
            "DATABASE_URL",
            format!("postgres://postgres:hunter2@{}/test", POSTGRES.addr),
        ),
        ("REDIS_URL", format!("redis://{}/", REDIS.addr)),
    ];
    let demo = start_demo_with(false, &env).await;
    let response = support::http::get(demo.addr, "/healthcheck/group/services").await;
    assert_eq!(response.status, 200, "{}", response.body);
    let json = response.json();
    let names: Vec<&str> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["checker"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["postgres", "redis"]);
    assert!(json["results"][0]["details"]["server_version"].is_string());
    assert!(!response.body.contains("hunter2"), "{}", response.body);
}

#[tokio::test]
async fn the_demo_serves_its_status_page_and_follows_a_check_that_changes() {
    let demo = start_demo(false).await;
    let page = support::http::get(demo.addr, "/healthcheck/status").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<tr data-check=\"toggle\" class=\"st-pass\">")
    );
    let events = format!("http://{}/healthcheck/events", demo.addr);
    let mut stream = support::sse::Sse::open(&events, &[]).await;
    stream.block().await;
    // The demo runs its checks every 2 s: the file makes `toggle` fail at the next run.
    std::fs::write(demo.dir.join("fail"), b"").unwrap();
    let event = loop {
        let event = stream.event().await.expect("the stream stays open");
        if event.kind == "status" && event.data["checker"] == "toggle" {
            break event;
        }
    };
    assert_eq!(event.data["status"], "fail");
    assert!(
        event.data["output"]
            .as_str()
            .unwrap()
            .starts_with("failing because ")
    );
}
