//! Feature `grpc`: `grpc.health.v1.Health` over a real socket, asked by tonic's client
//! and by the reference client from another language (Python's
//! `grpcio-health-checking`, in the virtual environment `.ci/run` makes).

mod support;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use healthcheck::{Check, HealthCheck};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

/// A registry of `db` (passes while `healthy`, cached for `ttl`, counting its runs)
/// and `cache` (always passes).
fn registry(healthy: &Arc<AtomicBool>, runs: &Arc<AtomicUsize>, ttl: Duration) -> HealthCheck {
    let (healthy, runs) = (Arc::clone(healthy), Arc::clone(runs));
    support::registry([
        Check::new("db", move || {
            runs.fetch_add(1, Ordering::SeqCst);
            let healthy = healthy.load(Ordering::SeqCst);
            async move { (healthy, format!("healthy: {healthy}")) }
        })
        .success_ttl(ttl)
        .failed_ttl(ttl),
        Check::new("cache", || async { (true, "ok".to_string()) }),
    ])
}

/// The health service on a free port of 127.0.0.1.
async fn serve(health: HealthCheck) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(healthcheck::grpc::server(health))
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    addr
}

async fn client(addr: SocketAddr) -> HealthClient<Channel> {
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .expect("connects");
    HealthClient::new(channel)
}

const MINUTE: Duration = Duration::from_secs(60);

fn request(service: &str) -> HealthCheckRequest {
    HealthCheckRequest {
        service: service.to_string(),
    }
}

fn status_of(response: HealthCheckResponse) -> ServingStatus {
    ServingStatus::try_from(response.status).expect("a known status")
}

/// The next message of a watch, bounded so a missing one fails instead of hanging.
async fn next(stream: &mut tonic::Streaming<HealthCheckResponse>) -> ServingStatus {
    let message = tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .expect("a message within 10 s")
        .expect("no error")
        .expect("the stream goes on");
    status_of(message)
}

#[tokio::test]
async fn check_answers_the_readiness_probe_each_check_and_not_found_reading_through_the_cache() {
    let healthy = Arc::new(AtomicBool::new(true));
    let runs = Arc::new(AtomicUsize::new(0));
    let addr = serve(registry(&healthy, &runs, MINUTE)).await;
    let mut client = client(addr).await;

    let overall = client.check(request("")).await.unwrap().into_inner();
    assert_eq!(status_of(overall), ServingStatus::Serving);
    for _ in 0..5 {
        let db = client.check(request("db")).await.unwrap().into_inner();
        assert_eq!(status_of(db), ServingStatus::Serving);
    }
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "six answers, one run: the cache"
    );
    let unknown = client.check(request("nope")).await.unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    assert!(
        unknown.message().contains("no check named \"nope\""),
        "{}",
        unknown.message()
    );
}

#[tokio::test]
async fn a_failing_check_is_not_serving_for_itself_and_for_the_readiness_probe() {
    let healthy = Arc::new(AtomicBool::new(false));
    let runs = Arc::new(AtomicUsize::new(0));
    let addr = serve(registry(&healthy, &runs, MINUTE)).await;
    let mut client = client(addr).await;
    let db = client.check(request("db")).await.unwrap().into_inner();
    assert_eq!(status_of(db), ServingStatus::NotServing);
    let cache = client.check(request("cache")).await.unwrap().into_inner();
    assert_eq!(status_of(cache), ServingStatus::Serving);
    let overall = client.check(request("")).await.unwrap().into_inner();
    assert_eq!(status_of(overall), ServingStatus::NotServing);
}

#[tokio::test]
async fn watch_sends_every_change_and_not_serving_as_soon_as_shutdown_begins() {
    let healthy = Arc::new(AtomicBool::new(true));
    let runs = Arc::new(AtomicUsize::new(0));
    let health = registry(&healthy, &runs, Duration::ZERO);
    let addr = serve(health.clone()).await;
    let mut client = client(addr).await;

    let mut db = client.watch(request("db")).await.unwrap().into_inner();
    let mut overall = client.watch(request("")).await.unwrap().into_inner();
    let mut cache = client.watch(request("cache")).await.unwrap().into_inner();
    let mut unknown = client.watch(request("nope")).await.unwrap().into_inner();
    assert_eq!(next(&mut db).await, ServingStatus::Serving);
    assert_eq!(next(&mut overall).await, ServingStatus::Serving);
    assert_eq!(next(&mut cache).await, ServingStatus::Serving);
    assert_eq!(next(&mut unknown).await, ServingStatus::ServiceUnknown);

    // The check starts failing: its next run (it caches nothing) says so, and every
    // watcher hears the change.
    healthy.store(false, Ordering::SeqCst);
    assert_eq!(next(&mut db).await, ServingStatus::NotServing);
    assert_eq!(next(&mut overall).await, ServingStatus::NotServing);

    // Shutdown begins: every service is NOT_SERVING at once, a passing one too.
    health.begin_shutdown();
    assert_eq!(next(&mut cache).await, ServingStatus::NotServing);
}

#[tokio::test]
async fn check_is_not_serving_after_a_shutdown_whose_hook_failed() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("db", || async { (true, "ok".to_string()) }))
        .shutdown_hook(Check::new("flush", || async {
            (false, "queue unreachable".to_string())
        }))
        .build()
        .unwrap();
    let addr = serve(health.clone()).await;
    let mut client = client(addr).await;
    assert_eq!(
        status_of(client.check(request("db")).await.unwrap().into_inner()),
        ServingStatus::Serving
    );
    let hooks = health.finish_shutdown().await;
    assert_eq!(hooks.phase, healthcheck::Phase::Down, "the hook failed");
    for service in ["db", ""] {
        let answer = client.check(request(service)).await.unwrap().into_inner();
        assert_eq!(status_of(answer), ServingStatus::NotServing, "{service:?}");
    }
    let unknown = client.check(request("nope")).await.unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
}

#[tokio::test]
async fn watch_hears_shutdown_at_once_while_a_slow_check_runs() {
    // The first run passes at once; every later one takes 10 s and caches nothing, so
    // the watcher is inside a run when shutdown begins.
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let health = support::registry([Check::new("db", move || {
        let slow = counted.fetch_add(1, Ordering::SeqCst) > 0;
        async move {
            if slow {
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
            (true, "ok".to_string())
        }
    })
    .timeout(Duration::from_secs(30))
    .success_ttl(Duration::ZERO)]);
    let addr = serve(health.clone()).await;
    let mut client = client(addr).await;
    let mut db = client.watch(request("db")).await.unwrap().into_inner();
    assert_eq!(next(&mut db).await, ServingStatus::Serving);
    // The watcher looks again after a second, and waits on the slow run.
    tokio::time::timeout(Duration::from_secs(5), async {
        while runs.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the watcher runs the check again within 5 s");
    health.begin_shutdown();
    let heard = tokio::time::timeout(Duration::from_secs(2), db.message())
        .await
        .expect("NOT_SERVING long before the slow run ends")
        .unwrap()
        .unwrap();
    assert_eq!(status_of(heard), ServingStatus::NotServing);
}

/// The virtual environment's Python with `grpcio-health-checking`, if there is one.
fn python() -> Option<PathBuf> {
    let python = std::env::var_os("HEALTHCHECK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"));
    if python.exists() {
        return Some(python);
    }
    support::missing(&format!(
        "{} is missing: python3 -m venv .venv && .venv/bin/pip install grpcio-health-checking",
        python.display()
    ));
    None
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/grpc_client.py")
}

async fn python_check(python: &PathBuf, addr: SocketAddr, service: &str) -> String {
    let output = tokio::process::Command::new(python)
        .arg(script())
        .args([&addr.to_string(), "check", service])
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[tokio::test]
async fn the_python_reference_client_checks_and_watches() {
    let Some(python) = python() else {
        return;
    };
    let healthy = Arc::new(AtomicBool::new(true));
    let runs = Arc::new(AtomicUsize::new(0));
    let health = registry(&healthy, &runs, MINUTE);
    let addr = serve(health.clone()).await;

    assert_eq!(python_check(&python, addr, "").await, "SERVING");
    assert_eq!(python_check(&python, addr, "db").await, "SERVING");
    assert_eq!(python_check(&python, addr, "nope").await, "NOT_FOUND");

    let mut watch = tokio::process::Command::new(&python)
        .arg(script())
        .args([&addr.to_string(), "watch", "cache", "2"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let mut next_line = async || {
        tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("a line within 20 s")
            .unwrap()
            .expect("the client goes on")
    };
    assert_eq!(next_line().await, "SERVING");
    health.begin_shutdown();
    assert_eq!(next_line().await, "NOT_SERVING");
    assert!(watch.wait().await.unwrap().success());
}

#[tokio::test]
async fn the_grpc_example_serves_health_beside_its_own_service_and_shuts_down_gracefully() {
    let mut server = tokio::process::Command::new(support::example("grpc"))
        .env("ADDR", "127.0.0.1:0")
        .env("WARMUP_MS", "0")
        .env("DRAIN_DELAY_MS", "300")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    // "grpc example: 127.0.0.1:PORT (…)"
    let addr: SocketAddr = first
        .split_whitespace()
        .nth(2)
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    let mut client = client(addr).await;
    let mut watch = client.watch(request("")).await.unwrap().into_inner();
    // Serving once the startup check has passed (the warm-up is zero).
    let mut status = next(&mut watch).await;
    if status != ServingStatus::Serving {
        status = next(&mut watch).await;
    }
    assert_eq!(status, ServingStatus::Serving);
    // The example asked its own server for a check, through a client.
    let asked = lines.next_line().await.unwrap().unwrap();
    assert_eq!(asked, "liveness check `uptime`: Serving");

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &server.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(
        next(&mut watch).await,
        ServingStatus::NotServing,
        "at once on SIGTERM"
    );
    let exit = tokio::time::timeout(Duration::from_secs(20), server.wait())
        .await
        .expect("exits after the drain")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    let mut rest = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        rest.push(line);
    }
    assert!(
        rest.iter()
            .any(|line| line.starts_with("shutdown: STOPPED")),
        "{rest:?}"
    );
}
