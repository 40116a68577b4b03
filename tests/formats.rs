//! Golden files of every format for one report holding a pass, a warning, a failure, a
//! timed-out check and a flapping one (`tests/golden/`). Regenerate with `GOLDEN=overwrite cargo test
//! --test formats` and read the diff.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use healthcheck::Check;
use healthcheck::format::{
    Flask, Format, Ietf, Kubernetes, MicroProfile, Nablarch, Rendering, Spring,
};
use healthcheck::http::StatusCode;
use healthcheck::{CheckResult, Endpoint, Health, HealthCheck, Phase, Probe, Report, StatusCodes};

/// A report from real runs (paused clock), with wall-clock times pinned so the golden
/// files do not change from run to run.
async fn report() -> Report {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .hostname("web-1")
        .check(
            Check::new("api", || async {
                Health::pass("api ok").observed(12, "ms")
            })
            .group("web"),
        )
        .check(
            Check::new("cache", || async {
                Health::warn("hit ratio low").observed(0.42, "ratio")
            })
            .group("web"),
        )
        .check(
            Check::new("db", || async { (false, "connection refused".to_string()) })
                .group("storage"),
        )
        .check(
            Check::new("queue", || async {
                std::future::pending::<(bool, String)>().await
            })
            .timeout(Duration::from_secs(2))
            .group("storage"),
        )
        .check({
            // Passes and fails by turns, run anew each time: flapping by its 7th run.
            let runs = Arc::new(AtomicUsize::new(0));
            Check::new("flaky", move || {
                let run = runs.fetch_add(1, Ordering::SeqCst);
                async move { (run.is_multiple_of(2), format!("run {run}")) }
            })
            .success_ttl(Duration::ZERO)
            .failed_ttl(Duration::ZERO)
            .group("web")
        })
        .build()
        .unwrap();
    for _ in 0..7 {
        health.run().await;
    }
    let report = health.run().await;
    pinned(report)
}

fn pinned(mut report: Report) -> Report {
    let at = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    report.timestamp = at + Duration::from_secs(2);
    for result in &mut report.results {
        let ttl = result.expires.duration_since(result.timestamp).unwrap();
        let mut pinned = CheckResult::clone(result);
        pinned.timestamp = at;
        pinned.expires = at + ttl;
        *result = Arc::new(pinned);
    }
    report
}

/// Status line, content type and body, as the golden file holds them.
fn rendered(format: &dyn Format, report: &Report, rendering: Rendering) -> String {
    let response = format.render(report, rendering);
    format!(
        "{}\n{}\n\n{}\n",
        response.status().as_u16(),
        response.headers()["content-type"].to_str().unwrap(),
        response.body()
    )
}

fn assert_golden(name: &str, actual: &str) {
    let path = format!("{}/tests/golden/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("GOLDEN").is_some_and(|v| v == "overwrite") {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{path}: {err}; run with GOLDEN=overwrite to create it"));
    assert_eq!(actual, expected, "{name} differs from {path}");
}

#[tokio::test(start_paused = true)]
async fn every_format_matches_its_golden_file() {
    let report = report().await;
    assert_eq!(report.phase, Phase::Down);
    let status = StatusCodes::default().get(Probe::Combined, report.phase);
    let plain = Rendering::new(status);
    let mut verbose = plain.clone();
    verbose.verbose = true;
    let formats: [(&str, &dyn Format, Rendering); 8] = [
        ("flask", &Flask, plain.clone()),
        ("ietf", &Ietf, plain.clone()),
        ("microprofile", &MicroProfile, plain.clone()),
        ("spring", &Spring, plain.clone()),
        ("nablarch", &Nablarch::default(), plain.clone()),
        (
            "nablarch_custom",
            &Nablarch::default()
                .labels("OK", "WARN", "NG")
                .status_codes(StatusCode::OK, StatusCode::INTERNAL_SERVER_ERROR),
            plain.clone(),
        ),
        ("kubernetes", &Kubernetes, plain.clone()),
        ("kubernetes_verbose", &Kubernetes, verbose),
    ];
    for (name, format, rendering) in formats {
        assert_golden(name, &rendered(format, &report, rendering));
    }
}

#[tokio::test(start_paused = true)]
async fn keyed_formats_write_checks_by_name_whatever_the_reports_order_the_last_of_a_name_kept() {
    // A report of an application's own making may come in any order, even repeat a
    // name: IETF, Spring and Kubernetes key or list checks by name, as a map keeps them.
    let report = report().await;
    let status = StatusCodes::default().get(Probe::Combined, report.phase);
    let mut reversed = report.clone();
    reversed.results.reverse();
    for format in [&Ietf as &dyn Format, &Spring, &Kubernetes] {
        assert_eq!(
            rendered(format, &reversed, Rendering::new(status)),
            rendered(format, &report, Rendering::new(status)),
        );
    }
    let mut repeated = reversed;
    let api = report.results.iter().find(|r| r.checker == "api").unwrap();
    let mut failed = CheckResult::clone(api);
    failed.passed = false;
    failed.status = healthcheck::HealthStatus::Fail;
    failed.output = "api down".to_string();
    repeated.results.push(Arc::new(failed));
    let body = |format: &dyn Format| -> serde_json::Value {
        serde_json::from_str(Format::render(format, &repeated, Rendering::new(status)).body())
            .unwrap()
    };
    let ietf = body(&Ietf);
    let names: Vec<&String> = ietf["checks"].as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        ["api", "cache", "db", "flaky", "flaky:stateChange", "queue"]
    );
    assert_eq!(ietf["checks"]["api"][0]["status"], "fail");
    assert_eq!(ietf["checks"]["api"][0]["output"], "api down");
    let spring = body(&Spring);
    let web = &spring["components"]["web"];
    assert_eq!(web["status"], "DOWN");
    assert_eq!(web["components"].as_object().unwrap().len(), 3);
    assert_eq!(web["components"]["api"]["details"]["output"], "api down");
}

#[tokio::test(start_paused = true)]
async fn a_healthy_report_with_a_warning_answers_200_and_shows_the_warning() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .hostname("web-1")
        .check(Check::new("api", || async { Health::pass("api ok") }))
        .check(Check::new("cache", || async {
            Health::warn("hit ratio low")
        }))
        .build()
        .unwrap();
    let report = pinned(health.run().await);
    assert_eq!(report.phase, Phase::Up, "a warning is degraded, not down");
    let ok = Rendering::new(StatusCodes::default().get(Probe::Combined, report.phase));
    assert_eq!(ok.status, 200);
    let mut verbose = ok.clone();
    verbose.verbose = true;
    assert_golden(
        "kubernetes_warn_verbose",
        &rendered(&Kubernetes, &report, verbose),
    );
    assert_golden(
        "kubernetes_warn",
        &rendered(&Kubernetes, &report, ok.clone()),
    );
    assert_golden("spring_warn", &rendered(&Spring, &report, ok.clone()));
    assert_golden("ietf_warn", &rendered(&Ietf, &report, ok.clone()));
    assert_golden(
        "microprofile_warn",
        &rendered(&MicroProfile, &report, ok.clone()),
    );
    assert_golden(
        "nablarch_warn",
        &rendered(&Nablarch::default(), &report, ok),
    );
}

#[test]
fn nablarch_can_leave_the_body_out() {
    let report = Report::new("web-1", Phase::Up, Vec::new());
    let response = Nablarch::default()
        .write_body(false)
        .render(&report, Rendering::new(StatusCode::OK));
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), "");
}

/// One line per check: a user-defined format.
struct Lines;

impl Format for Lines {
    fn media_type(&self) -> &'static str {
        "text/x-health-lines"
    }

    fn render(&self, report: &Report, rendering: Rendering) -> healthcheck::http::Response<String> {
        let body = report
            .results
            .iter()
            .map(|r| format!("{}: {}\n", r.checker, r.status.as_str()))
            .collect();
        healthcheck::format::response(rendering.status, self.media_type(), body)
    }
}

#[tokio::test]
async fn the_format_is_picked_by_query_accept_or_configuration() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("api", || async { Health::pass("api ok") }))
        .build()
        .unwrap();
    let endpoint = Endpoint::new(Arc::new(health)).with_format("lines", Lines);

    let (_, content_type, body) = support::get_accepting(&endpoint, "/healthcheck", None).await;
    assert_eq!(content_type, "application/json");
    assert!(
        body.contains("\"checker\":\"api\""),
        "Flask by default: {body}"
    );

    let (_, content_type, body) =
        support::get_accepting(&endpoint, "/healthcheck?format=ietf", None).await;
    assert_eq!(content_type, "application/health+json");
    assert!(body.starts_with("{\"status\":\"pass\""), "{body}");

    let (_, _, body) = support::get_accepting(&endpoint, "/healthcheck?format=spring", None).await;
    assert!(body.contains("\"components\""), "{body}");
    let (_, _, body) =
        support::get_accepting(&endpoint, "/healthcheck?format=microprofile", None).await;
    assert!(body.contains("\"checks\":[{\"name\":\"api\""), "{body}");
    let (_, _, body) =
        support::get_accepting(&endpoint, "/healthcheck?format=nablarch", None).await;
    assert_eq!(
        body,
        "{\"status\":\"UP\",\"targets\":[{\"name\":\"api\",\"status\":\"UP\"}]}"
    );
    let (_, _, body) =
        support::get_accepting(&endpoint, "/healthcheck/ready?format=kubernetes", None).await;
    assert_eq!(body, "ok");
    let (_, _, body) =
        support::get_accepting(&endpoint, "/healthcheck?format=kubernetes&verbose", None).await;
    assert_eq!(body, "[+]api ok\nhealthz check passed\n");

    let accept = |value| support::get_accepting(&endpoint, "/healthcheck", Some(value));
    assert_eq!(
        accept("application/health+json").await.1,
        "application/health+json"
    );
    assert_eq!(accept("text/plain").await.2, "ok");
    assert_eq!(
        accept("text/html, text/plain;q=0.9").await.1,
        "text/plain; charset=utf-8"
    );
    assert_eq!(accept("*/*").await.1, "application/json");
    assert_eq!(
        accept("Application/Health+JSON ; q=1").await.1,
        "application/health+json",
        "media types match whatever their case"
    );
    assert_eq!(
        accept("application/xml").await.1,
        "application/json",
        "else the default"
    );
    assert_eq!(accept("text/x-health-lines").await.2, "api: pass\n");
    assert_eq!(
        support::get_accepting(&endpoint, "/healthcheck?format=lines", None)
            .await
            .2,
        "api: pass\n"
    );

    let (status, _, body) =
        support::get_accepting(&endpoint, "/healthcheck?format=xml", None).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("unknown format \\\"xml\\\"; the formats are flask, ietf"),
        "{body}"
    );

    let ietf_default = endpoint.clone().format(healthcheck::format::Ietf);
    assert_eq!(
        support::get_accepting(&ietf_default, "/healthcheck", None)
            .await
            .1,
        "application/health+json"
    );
    let nablarch = endpoint.with_format("nablarch", Nablarch::default().labels("OK", "WARN", "NG"));
    let (_, _, body) =
        support::get_accepting(&nablarch, "/healthcheck?format=nablarch", None).await;
    assert_eq!(
        body,
        "{\"status\":\"OK\",\"targets\":[{\"name\":\"api\",\"status\":\"OK\"}]}"
    );
}
