//! `?format=prometheus` against the real Prometheus (Debian's `prometheus` package,
//! installed by `.ci/run`): `promtool check metrics` accepts the text, a Prometheus
//! server scraping three instances of the axum example names exactly the failing
//! instance and check, and the example alerting rule passes `promtool test rules`.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use healthcheck::{Check, Endpoint};
use support::http;

/// Whether `program` is installed. Under CI it must be; elsewhere the test is skipped.
fn installed(program: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        support::missing(&format!(
            "{program} is not installed (apt-get install prometheus)"
        ));
    }
    found
}

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The axum example on a free port, with a warm-up of `warmup_ms`; and its address.
fn example(warmup_ms: &str) -> (Killed, SocketAddr) {
    let mut child = Command::new(support::example("axum"))
        .env("ADDR", "127.0.0.1:0")
        .env("WARMUP_MS", warmup_ms)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the axum example starts");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    // "axum example: http://127.0.0.1:PORT/healthcheck"
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    (Killed(child), addr)
}

/// Runs `promtool` with `args`, `stdin` on its input; its exit status and output.
fn promtool(args: &[&str], stdin: &str, dir: &Path) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/prometheus")
}

#[tokio::test]
async fn the_prometheus_format_answers_200_with_a_failing_check_and_promtool_accepts_it() {
    let registry = support::registry([
        Check::new("db", || async { (false, "connection refused".to_string()) }),
        Check::new("cache", || async {
            healthcheck::Health::warn("slow: 1.2s")
        }),
        Check::new("queue", || async { (true, "ok".to_string()) })
            .kinds([healthcheck::Kind::Liveness, healthcheck::Kind::Readiness]),
    ]);
    let addr = support::servers::serve(
        support::servers::Adapter::Axum,
        Endpoint::new(registry.clone()),
    )
    .await;
    let response = http::get(addr, "/healthcheck?format=prometheus").await;
    assert_eq!(
        response.status, 200,
        "the health is in the values, not the code"
    );
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let body = &response.body;
    for line in [
        "healthcheck_check_status{check=\"db\",group=\"default\",kind=\"readiness\"} 0",
        "healthcheck_check_status{check=\"cache\",group=\"default\",kind=\"readiness\"} 0.5",
        "healthcheck_check_status{check=\"queue\",group=\"default\",kind=\"liveness\"} 1",
        "healthcheck_check_status{check=\"queue\",group=\"default\",kind=\"readiness\"} 1",
        "healthcheck_check_runs_total{check=\"db\",result=\"fail\"} 1",
        "healthcheck_check_runs_total{check=\"cache\",result=\"warn\"} 1",
        "healthcheck_check_duration_seconds_count{check=\"db\"} 1",
        "healthcheck_check_duration_seconds_bucket{check=\"db\",le=\"+Inf\"} 1",
        "healthcheck_phase{phase=\"DOWN\"} 1",
        "healthcheck_phase{phase=\"UP\"} 0",
        "# TYPE healthcheck_check_duration_seconds histogram",
    ] {
        assert!(
            body.lines().any(|l| l == line),
            "no line {line:?} in:\n{body}"
        );
    }
    // The same check asked again within its TTL: cached, no new run counted.
    let again = http::get(addr, "/healthcheck/db?format=prometheus").await;
    assert!(
        again
            .body
            .contains("healthcheck_check_runs_total{check=\"db\",result=\"fail\"} 1\n")
    );
    // An unknown name stays a 404: a bad request, not a health.
    assert_eq!(
        http::get(addr, "/healthcheck/nope?format=prometheus")
            .await
            .status,
        404
    );

    if !installed("promtool") {
        return;
    }
    let (accepted, said) = promtool(&["check", "metrics"], body, &examples_dir());
    assert!(
        accepted,
        "promtool check metrics rejected the text: {said}\n{body}"
    );
}

#[tokio::test]
async fn flapping_and_changes_are_series_promtool_accepts() {
    let runs = Arc::new(AtomicUsize::new(0));
    let registry = support::registry([Check::new("flaky", move || {
        let run = runs.fetch_add(1, Ordering::SeqCst);
        async move { (run.is_multiple_of(2), format!("run {run}")) }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)]);
    for _ in 0..7 {
        registry.run().await;
    }
    let addr =
        support::servers::serve(support::servers::Adapter::Axum, Endpoint::new(registry)).await;
    // The 8th run: pass, fail, … , fail.
    let body = http::get(addr, "/healthcheck?format=prometheus").await.body;
    for line in [
        "# TYPE healthcheck_check_flapping gauge",
        "healthcheck_check_flapping{check=\"flaky\"} 1",
        "# TYPE healthcheck_check_state_change_percent gauge",
        "healthcheck_check_state_change_percent{check=\"flaky\"} 40.99",
        "# TYPE healthcheck_check_transitions_total counter",
        "healthcheck_check_transitions_total{check=\"flaky\",from=\"pass\",to=\"fail\"} 4",
        "healthcheck_check_transitions_total{check=\"flaky\",from=\"fail\",to=\"pass\"} 3",
    ] {
        assert!(
            body.lines().any(|l| l == line),
            "no line {line:?} in:\n{body}"
        );
    }
    if !installed("promtool") {
        return;
    }
    let (accepted, said) = promtool(&["check", "metrics"], &body, &examples_dir());
    assert!(
        accepted,
        "promtool check metrics rejected the text: {said}\n{body}"
    );
}

#[test]
fn the_example_alerting_rule_passes_promtool_test_rules() {
    if !installed("promtool") {
        return;
    }
    let (passed, said) = promtool(&["test", "rules", "alerts_test.yml"], "", &examples_dir());
    assert!(passed, "promtool test rules failed: {said}");
    let (valid, said) = promtool(&["check", "config", "prometheus.yml"], "", &examples_dir());
    assert!(valid, "the example scrape config is invalid: {said}");
}

/// A free port on 127.0.0.1, released for the child that will bind it.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The series a PromQL instant query returns: their labels.
async fn query(prometheus: SocketAddr, promql: &str) -> Option<Vec<serde_json::Value>> {
    let encoded: String = promql
        .bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect();
    let response = http::get(prometheus, &format!("/api/v1/query?query={encoded}")).await;
    if response.status != 200 {
        return None;
    }
    let body = response.json();
    let series = body["data"]["result"].as_array()?;
    Some(series.iter().map(|each| each["metric"].clone()).collect())
}

#[tokio::test]
async fn a_real_prometheus_scraping_three_instances_names_the_failing_instance_and_check() {
    if !installed("prometheus") {
        return;
    }
    // Two instances warm up at once; the third's startup check fails for ten minutes.
    let (_a, healthy_a) = example("0");
    let (_b, healthy_b) = example("0");
    let (_c, failing) = example("600000");

    let dir = std::env::temp_dir().join(format!("healthcheck-prometheus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let targets = [healthy_a, healthy_b, failing]
        .map(|addr| format!("\"{addr}\""))
        .join(", ");
    // The shipped example config, scraping every second, with the three instances.
    let config = std::fs::read_to_string(examples_dir().join("prometheus.yml"))
        .unwrap()
        .replace("scrape_interval: 15s", "scrape_interval: 1s")
        .replace("evaluation_interval: 15s", "evaluation_interval: 1s")
        .replace("\"127.0.0.1:8000\"", &targets)
        .replace(
            "  - alerts.yml",
            &format!("  - {}", examples_dir().join("alerts.yml").display()),
        );
    std::fs::write(dir.join("prometheus.yml"), config).unwrap();
    let port = free_port();
    let prometheus_addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let _prometheus = Killed(
        Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={prometheus_addr}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus starts"),
    );

    // Bounded: Prometheus starts, scrapes all three, and the failing series shows.
    let deadline = Instant::now() + Duration::from_secs(60);
    let failing_series = loop {
        assert!(
            Instant::now() < deadline,
            "Prometheus did not see all three instances and the failing check within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Some(up) = query(prometheus_addr, "up{job=\"health\"} == 1").await else {
            continue;
        };
        if up.len() < 3 {
            continue;
        }
        let Some(failing_series) = query(prometheus_addr, "healthcheck_check_status == 0").await
        else {
            continue;
        };
        let scraped_warm = query(
            prometheus_addr,
            "healthcheck_check_status{check=\"warmup\"} == 1",
        )
        .await
        .unwrap_or_default();
        if !failing_series.is_empty() && scraped_warm.len() == 2 {
            break failing_series;
        }
    };
    assert_eq!(
        failing_series.len(),
        1,
        "exactly one failing series: {failing_series:?}"
    );
    assert_eq!(failing_series[0]["instance"], failing.to_string());
    assert_eq!(failing_series[0]["check"], "warmup");
    assert_eq!(failing_series[0]["kind"], "startup");
    let starting = query(
        prometheus_addr,
        "healthcheck_phase{phase=\"STARTING\"} == 1",
    )
    .await
    .unwrap();
    assert_eq!(starting.len(), 1, "{starting:?}");
    assert_eq!(starting[0]["instance"], failing.to_string());
    let _ = std::fs::remove_dir_all(&dir);
}
