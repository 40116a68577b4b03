//! SIGTERM to a running example server (`examples/axum.rs`): readiness turns 503 while
//! the server still accepts, the in-flight request completes, the process exits 0.

mod support;

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_turns_readiness_503_drains_in_flight_work_and_exits_zero() {
    let mut server = Command::new(support::example("axum"))
        .env("ADDR", "127.0.0.1:0")
        .env("WARMUP_MS", "0")
        .env("DRAIN_DELAY_MS", "1000")
        .env("WORK_MS", "1500")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the example");
    let mut stdout = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = stdout.next_line().await.unwrap().expect("the URL line");
    let addr: std::net::SocketAddr = first
        .split("http://")
        .nth(1)
        .and_then(|url| url.strip_suffix("/healthcheck"))
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("no address in {first:?}"));

    assert_eq!(
        support::http::get(addr, "/healthcheck/ready").await.status,
        200
    );

    // In-flight work that outlasts the signal.
    let work = tokio::spawn(support::http::get(addr, "/work"));
    assert_eq!(
        stdout.next_line().await.unwrap().as_deref(),
        Some("work: started")
    );

    let pid = server.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    assert!(killed.unwrap().success());

    // The signal is handled asynchronously: poll (bounded) until readiness turns.
    let mut readiness = None;
    for _ in 0..200 {
        let response = support::http::get(addr, "/healthcheck/ready").await;
        if response.status == 503 {
            readiness = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let readiness = readiness.expect("readiness never turned 503");
    assert_eq!(
        readiness.json()["phase"],
        "STOPPING",
        "answered by a server still accepting"
    );

    let work = work.await.unwrap();
    assert_eq!(
        (work.status, work.body.as_str()),
        (200, "done"),
        "in-flight work completed"
    );

    let exit = tokio::time::timeout(Duration::from_secs(10), server.wait())
        .await
        .expect("the server exits after draining")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    let last = stdout.next_line().await.unwrap();
    assert_eq!(
        last.as_deref(),
        Some("shutdown: STOPPED (flush: flushed buffered work)")
    );
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}
