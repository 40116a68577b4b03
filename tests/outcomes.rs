//! Warnings, non-critical checks, failure thresholds and status-change listeners.

mod support;

use support::switched;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use healthcheck::http::Request;
use healthcheck::{Check, Endpoint, Health, HealthCheck, HealthStatus};

#[tokio::test]
async fn a_warning_answers_200_and_a_failure_of_a_non_critical_check_is_a_warning() {
    let failing = Arc::new(AtomicBool::new(true));
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("pool", || async {
            Health::warn("45 of 50 connections in use")
        }))
        .check(switched("recommendations", &failing).critical(false))
        .build()
        .unwrap();
    let endpoint = Endpoint::new(Arc::new(health));
    let response = endpoint
        .respond(&Request::get("/healthcheck").body(()).unwrap())
        .await;
    assert_eq!(response.status(), 200);
    let json: serde_json::Value = serde_json::from_str(response.body()).unwrap();
    assert_eq!(json["phase"], "UP");
    assert_eq!(json["status"], "success");
    assert_eq!(json["results"][0]["status"], "warn");
    assert_eq!(json["results"][1]["status"], "warn");
    assert_eq!(json["results"][1]["output"], "down (not critical)");
    assert_eq!(json["results"][1]["passed"], true);
}

#[tokio::test]
async fn listeners_hear_each_change_of_status_and_only_changes() {
    let failing = Arc::new(AtomicBool::new(false));
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&heard);
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(switched("db", &failing).failure_threshold(2))
        .on_change(move |previous, result| {
            log.lock().unwrap().push(format!(
                "{}: {} -> {}",
                result.checker,
                previous.as_str(),
                result.status.as_str()
            ));
        })
        .on_change(|_, _| panic!("a broken listener"))
        .build()
        .unwrap();

    health.run().await; // first result: nothing to compare with
    health.run().await; // pass again: no change
    failing.store(true, Ordering::SeqCst);
    health.run().await; // warn (1 of 2)
    let report = health.run().await; // fail
    assert_eq!(
        report.results[0].status,
        HealthStatus::Fail,
        "the panicking listener is contained"
    );
    failing.store(false, Ordering::SeqCst);
    health.run().await; // pass
    assert_eq!(
        *heard.lock().unwrap(),
        ["db: pass -> warn", "db: warn -> fail", "db: fail -> pass"]
    );
}

#[tokio::test]
async fn details_are_withheld_with_the_output_from_callers_without_the_token() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("pool", || async {
            Health::pass("pool ok")
                .observed(3, "connections")
                .detail("host", "db-7.internal")
        }))
        .build()
        .unwrap();
    let endpoint = Endpoint::new(Arc::new(health))
        .details(healthcheck::Details::WhenAuthorized("t0ken".into()));
    let ask = |authorization: Option<&'static str>| {
        let endpoint = endpoint.clone();
        async move {
            let mut request = Request::get("/healthcheck");
            if let Some(value) = authorization {
                request = request.header("authorization", value);
            }
            let response = endpoint.respond(&request.body(()).unwrap()).await;
            serde_json::from_str::<serde_json::Value>(response.body()).unwrap()
        }
    };
    let anonymous = ask(None).await;
    assert_eq!(
        anonymous["results"][0]["output"],
        healthcheck::defaults::WITHHELD
    );
    assert!(
        anonymous["results"][0].get("details").is_none(),
        "{anonymous}"
    );
    let authorized = ask(Some("Bearer t0ken")).await;
    assert_eq!(authorized["results"][0]["details"]["host"], "db-7.internal");
}
