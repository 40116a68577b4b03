//! Load for `{base}/events` (scripts/bench-events.sh runs it against
//! `examples/status_page.rs`): opens `STREAMS` streams, reads the server's memory and CPU
//! time from `/proc/$SERVER_PID` while they are idle, then makes `CHANGES` changes of
//! the check `db` and times each one's arrival at every stream.
//!
//! With `MODE=keepalive` it opens plain keep-alive HTTP connections instead (one probe
//! each, then idle): the baseline a connection costs the server without a stream.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server runs");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// The server's CPU time so far (user and system), in clock ticks (10 ms).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the server runs");
    // Fields after the command's closing parenthesis; utime and stime are 14 and 15.
    let rest = &stat[stat.rfind(')').expect("a command") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// The server's live heap (`GET /control/heap`), in bytes.
async fn heap_bytes(addr: SocketAddr) -> u64 {
    let answer = send(addr, "GET", "/control/heap").await;
    answer[answer.find("\r\n\r\n").expect("a body") + 4..]
        .parse()
        .unwrap()
}

/// `POST path` and the status code.
async fn post(addr: SocketAddr, path: &str) -> u16 {
    send(addr, "POST", path).await[9..12].parse().unwrap()
}

/// The whole answer to `method path`.
async fn send(addr: SocketAddr, method: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

/// Opens a stream and reads it until `changes` events of `db` have come, noting when
/// each came; counts each in `received`.
async fn subscriber(
    addr: SocketAddr,
    opened: Arc<AtomicUsize>,
    received: Arc<AtomicUsize>,
    changes: usize,
) -> Vec<Instant> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthcheck/events HTTP/1.1\r\nHost: bench\r\n\r\n")
        .await
        .unwrap();
    let mut lines = BufReader::new(stream).lines();
    let mut arrivals = Vec::with_capacity(changes);
    let mut counted = false;
    let mut status_event = false;
    while arrivals.len() < changes {
        let Some(line) = lines.next_line().await.unwrap() else {
            panic!("the stream ended");
        };
        if !counted && line.starts_with("retry:") {
            counted = true;
            opened.fetch_add(1, Ordering::AcqRel);
        }
        if line.starts_with("event: ") {
            status_event = line == "event: status";
        }
        if status_event && line.starts_with("data: {\"checker\":\"db\"") {
            arrivals.push(Instant::now());
            received.fetch_add(1, Ordering::AcqRel);
        }
    }
    arrivals
}

/// Opens a keep-alive connection, asks one probe, then holds it idle until told.
async fn idle_connection(
    addr: SocketAddr,
    opened: Arc<AtomicUsize>,
    hold: Arc<tokio::sync::Notify>,
) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthcheck/live HTTP/1.1\r\nHost: bench\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0; 4096];
    let _ = stream.read(&mut buffer).await.unwrap();
    opened.fetch_add(1, Ordering::AcqRel);
    hold.notified().await;
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

#[tokio::main]
async fn main() {
    let addr: SocketAddr = env("ADDR", "127.0.0.1:8088".parse().unwrap());
    let pid: u32 = env("SERVER_PID", 0);
    let streams: usize = env("STREAMS", 1000);
    let changes: usize = env("CHANGES", 50);
    let keepalive = std::env::var("MODE").is_ok_and(|mode| mode == "keepalive");
    assert!(pid > 0, "SERVER_PID names the server's process");

    assert_eq!(post(addr, "/control/check/warmup/pass").await, 204);
    assert_eq!(post(addr, "/control/check/db/pass").await, 204);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_kib(pid);
    let heap_before = heap_bytes(addr).await;

    let opened = Arc::new(AtomicUsize::new(0));
    let received = Arc::new(AtomicUsize::new(0));
    let hold = Arc::new(tokio::sync::Notify::new());
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(streams);
    let mut idle = Vec::new();
    for _ in 0..streams {
        if keepalive {
            idle.push(tokio::spawn(idle_connection(
                addr,
                Arc::clone(&opened),
                Arc::clone(&hold),
            )));
        } else {
            tasks.push(tokio::spawn(subscriber(
                addr,
                Arc::clone(&opened),
                Arc::clone(&received),
                changes,
            )));
        }
    }
    while opened.load(Ordering::Acquire) < streams {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let open_took = started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_open = rss_kib(pid);
    let heap_open = heap_bytes(addr).await;
    let kind = if keepalive {
        "keep-alive connections"
    } else {
        "event streams"
    };
    println!("{streams} {kind} open in {open_took:.2?}");
    println!(
        "server RSS: {rss_before} KiB before, {rss_open} KiB with them open: {:.1} KiB each",
        (rss_open.saturating_sub(rss_before)) as f64 / streams as f64
    );
    println!(
        "server heap: {heap_before} B before, {heap_open} B with them open: {:.1} KiB each",
        (heap_open.saturating_sub(heap_before)) as f64 / streams as f64 / 1024.0
    );

    // Idle: no change and no heartbeat (every stream opened within the first seconds,
    // the first heartbeats come 15 s after).
    let idle_from = cpu_ticks(pid);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let idle_ticks = cpu_ticks(pid) - idle_from;
    println!(
        "server CPU over 10 s idle (from {:.1} s to {:.1} s after opening): {} ms",
        open_took.as_secs_f64() + 1.0,
        open_took.as_secs_f64() + 11.0,
        idle_ticks * 10
    );
    if keepalive {
        hold.notify_waiters();
        return;
    }
    // Across the first heartbeat of every stream.
    let beat_from = cpu_ticks(pid);
    tokio::time::sleep(Duration::from_secs(6)).await;
    println!(
        "server CPU over the 6 s holding every stream's first heartbeat: {} ms",
        (cpu_ticks(pid) - beat_from) * 10
    );

    // Changes, one at a time: each timed from just before the request that makes it.
    let mut made = Vec::with_capacity(changes);
    for change in 0..changes {
        let status = if change % 2 == 0 { "fail" } else { "pass" };
        made.push(Instant::now());
        assert_eq!(
            post(addr, &format!("/control/check/db/{status}")).await,
            204
        );
        let all = streams * (change + 1);
        let waited = Instant::now();
        while received.load(Ordering::Acquire) < all {
            assert!(
                waited.elapsed() < Duration::from_secs(10),
                "change {change} did not reach every stream"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut latencies = Vec::with_capacity(streams * changes);
    for task in tasks {
        let arrivals = task.await.unwrap();
        for (change, arrived) in arrivals.into_iter().enumerate() {
            latencies.push(arrived.duration_since(made[change]));
        }
    }
    latencies.sort();
    println!(
        "a change to every stream ({} arrivals): p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1]
    );
}
