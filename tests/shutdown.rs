//! SIGTERM to a running example server (`examples/axum.rs`): readiness turns 503 while
//! the server still accepts, the in-flight request completes, the process exits 0; a
//! second signal ends the drain, and one after it ends the process.

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

    // The startup check runs in the background: ready within moments (bounded).
    let mut ready = 0;
    for _ in 0..500 {
        ready = support::http::get(addr, "/healthcheck/ready").await.status;
        if ready == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(ready, 200);

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

/// Starts the axum example with `env`, returning it and its address.
async fn start(env: &[(&str, &str)]) -> (tokio::process::Child, std::net::SocketAddr) {
    let mut command = Command::new(support::example("axum"));
    command
        .env("ADDR", "127.0.0.1:0")
        .env("WARMUP_MS", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, value) in env {
        command.env(key, value);
    }
    let mut server = command.spawn().expect("start the example");
    let mut stdout = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = stdout.next_line().await.unwrap().expect("the URL line");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|url| url.strip_suffix("/healthcheck"))
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    // Keep reading stdout so the example never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = stdout.next_line().await {} });
    // Once it answers, it serves, and its signal handlers are installed.
    support::http::get(addr, "/healthcheck/live").await;
    (server, addr)
}

fn sigterm(server: &tokio::process::Child) {
    send(server, "-TERM");
}

fn send(server: &tokio::process::Child, signal: &str) {
    let pid = server.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args([signal, &pid])
        .status();
    assert!(killed.unwrap().success());
}

/// Readiness after `signal`, polled until it is 503 or the connection is refused.
async fn after_signal(addr: std::net::SocketAddr) -> Option<u16> {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return None;
        }
        let status = support::http::get(addr, "/healthcheck/ready").await.status;
        if status == 503 {
            return Some(status);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("readiness never turned 503");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_skips_the_drain_unless_the_builder_asks_for_it() {
    // Default: the process is gone at once, no 503 window.
    let (mut server, _) = start(&[("DRAIN_DELAY_MS", "60000")]).await;
    send(&server, "-INT");
    let exit = tokio::time::timeout(Duration::from_secs(10), server.wait())
        .await
        .expect("Ctrl-C skips the 60 s drain")
        .unwrap();
    assert!(exit.success(), "{exit:?}");

    // `drain_on_interrupt(true)`: readiness answers 503 while the server still accepts.
    let (server, addr) = start(&[("DRAIN_DELAY_MS", "60000"), ("DRAIN_ON_INTERRUPT", "1")]).await;
    send(&server, "-INT");
    assert_eq!(
        after_signal(addr).await,
        Some(503),
        "still accepting, answering 503"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        support::http::get(addr, "/healthcheck/ready").await.status,
        503,
        "the drain goes on"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sigterm_during_the_drain_ends_the_drain_at_once() {
    let (mut server, addr) = start(&[("DRAIN_DELAY_MS", "60000")]).await;
    sigterm(&server);
    let mut stopping = false;
    for _ in 0..200 {
        if support::http::get(addr, "/healthcheck/ready").await.status == 503 {
            stopping = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(stopping, "readiness never turned 503");
    sigterm(&server);
    let exit = tokio::time::timeout(Duration::from_secs(10), server.wait())
        .await
        .expect("the drain of 60 s ended at the second signal")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(server.stderr.as_mut().unwrap(), &mut stderr)
        .await
        .unwrap();
    assert!(
        stderr.contains("healthcheck: SIGTERM during the drain: ending the drain now"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigterm_after_the_drain_ends_the_process_as_the_default_action_would() {
    let (mut server, addr) = start(&[("DRAIN_DELAY_MS", "0"), ("WORK_MS", "60000")]).await;
    // In-flight work keeps the server's graceful shutdown waiting for a minute.
    let _work = tokio::spawn(support::http::get(addr, "/work"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    sigterm(&server);
    // The drain is over once the server stops accepting.
    let mut closed = false;
    for _ in 0..400 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(closed, "the server never stopped accepting");
    sigterm(&server);
    let exit = tokio::time::timeout(Duration::from_secs(10), server.wait())
        .await
        .expect("the process ended at the signal, not after the minute of work")
        .unwrap();
    assert_eq!(exit.code(), Some(143), "{exit:?}");
}
