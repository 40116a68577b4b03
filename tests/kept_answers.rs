//! A whole probe's answer kept by the thread that made it and given again while nothing
//! it shows has changed: only its top-level timestamp is new, and every change (a new
//! result, a result going stale, a check added, removed, enabled or disabled, the phase)
//! is in the next answer.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use healthcheck::http::{Request, StatusCode};
use healthcheck::{Check, Details, Endpoint, Kind, Phase, Probe, StatusCodes, format};
use serde_json::Value;

fn check(name: &str) -> Check {
    let output = format!("{name} ok");
    Check::new(name, move || {
        let output = output.clone();
        async move { (true, output) }
    })
    .success_ttl(Duration::from_secs(3600))
}

async fn get(endpoint: &Endpoint, path: &str) -> (u16, Value) {
    let response = endpoint
        .respond(&Request::get(path).body(()).unwrap())
        .await;
    let status = response.status().as_u16();
    (status, serde_json::from_str(response.body()).unwrap())
}

fn names(body: &Value) -> Vec<&str> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["checker"].as_str().unwrap())
        .collect()
}

fn outputs(body: &Value) -> Vec<&str> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["output"].as_str().unwrap())
        .collect()
}

/// The body without its top-level timestamp, the one field a kept answer renews.
fn without_timestamp(mut body: Value) -> Value {
    body.as_object_mut().unwrap().remove("timestamp");
    body
}

#[tokio::test]
async fn a_kept_answer_is_the_answer_made_afresh_but_for_its_new_top_level_timestamp() {
    let health = support::registry([check("cache"), check("db"), check("queue")]);
    let endpoint = Endpoint::new(health);
    for path in ["/healthcheck", "/healthcheck/ready", "/healthcheck/live"] {
        let (_, first) = get(&endpoint, path).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let (status, again) = get(&endpoint, path).await;
        assert_eq!(status, 200);
        // A copy configured apart keeps answers of its own: this one is made afresh.
        let afresh_endpoint = endpoint.clone().base_path("/healthcheck");
        let (_, afresh) = get(&afresh_endpoint, path).await;
        let stamp = |body: &Value| body["timestamp"].as_f64().unwrap();
        assert!(
            stamp(&again) > stamp(&first),
            "{path}: the timestamp is renewed"
        );
        assert_eq!(without_timestamp(again.clone()), without_timestamp(first));
        assert_eq!(without_timestamp(again), without_timestamp(afresh));
    }
}

#[tokio::test]
async fn every_format_is_answered_again_byte_for_byte_as_a_fresh_answer() {
    let health = support::registry([check("cache"), check("db")]);
    let endpoint = Endpoint::new(health);
    let body = |endpoint: &Endpoint, path: String, accept: &'static str| {
        let endpoint = endpoint.clone();
        async move {
            let request = Request::get(path)
                .header("accept", accept)
                .body(())
                .unwrap();
            let response = endpoint.respond(&request).await;
            let content_type = response.headers()["content-type"].clone();
            (response.status(), content_type, response.into_body())
        }
    };
    for name in [
        "ietf",
        "microprofile",
        "spring",
        "nablarch",
        "kubernetes",
        "prometheus",
    ] {
        for probe in ["", "/live", "/ready", "/startup"] {
            let path = format!("/healthcheck{probe}?format={name}");
            let first = body(&endpoint, path.clone(), "*/*").await;
            let again = body(&endpoint, path.clone(), "*/*").await;
            let afresh = body(&endpoint.clone().base_path("/healthcheck"), path, "*/*").await;
            assert_eq!(again, first, "{name}{probe}");
            assert_eq!(again, afresh, "{name}{probe}");
        }
    }
    // Chosen by `Accept` rather than named: the same answers.
    let named = body(&endpoint, "/healthcheck?format=ietf".into(), "*/*").await;
    let accepted = body(&endpoint, "/healthcheck".into(), "application/health+json").await;
    assert_eq!(named, accepted);
}

/// A format of one's own that counts its renderings and says how it may be reused.
struct Counted(Arc<AtomicUsize>, format::Reuse);

impl format::Format for Counted {
    fn media_type(&self) -> &'static str {
        "text/x-counted"
    }

    fn render(
        &self,
        report: &healthcheck::Report,
        rendering: format::Rendering,
    ) -> healthcheck::http::Response<String> {
        self.0.fetch_add(1, Ordering::SeqCst);
        let body = format!("{} checks", report.results.len());
        format::response(rendering.status, self.media_type(), body)
    }

    fn reuse(&self) -> format::Reuse {
        self.1
    }
}

#[tokio::test]
async fn a_format_is_written_again_only_when_it_does_not_say_it_may_be_reused() {
    for (reuse, renders) in [(format::Reuse::AsWritten, 1), (format::Reuse::Never, 3)] {
        let counted = Arc::new(AtomicUsize::new(0));
        let endpoint = Endpoint::new(support::registry([check("db")]))
            .with_format("counted", Counted(Arc::clone(&counted), reuse));
        // Run first: an answer that waited on a run is not kept (nothing was fresh).
        endpoint.health().run().await;
        for _ in 0..3 {
            let request = Request::get("/healthcheck?format=counted")
                .body(())
                .unwrap();
            let response = endpoint.respond(&request).await;
            assert_eq!(response.body(), "1 checks");
            assert_eq!(response.headers()["content-type"], "text/x-counted");
        }
        assert_eq!(counted.load(Ordering::SeqCst), renders, "{reuse:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_kept_answer_is_not_given_once_a_result_in_it_goes_stale() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let check = Check::new("db", move || {
        let run = counted.fetch_add(1, Ordering::SeqCst) + 1;
        async move { (true, format!("run {run}")) }
    })
    .success_ttl(Duration::from_secs(10));
    let endpoint = Endpoint::new(support::registry([check]));
    assert_eq!(outputs(&get(&endpoint, "/healthcheck").await.1), ["run 1"]);
    tokio::time::advance(Duration::from_secs(9)).await;
    assert_eq!(outputs(&get(&endpoint, "/healthcheck").await.1), ["run 1"]);
    tokio::time::advance(Duration::from_secs(2)).await;
    // Same status, new result: the answer kept with the old one is not given.
    assert_eq!(outputs(&get(&endpoint, "/healthcheck").await.1), ["run 2"]);
    assert_eq!(outputs(&get(&endpoint, "/healthcheck").await.1), ["run 2"]);
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_kept_answer_is_not_given_once_a_check_is_added_removed_enabled_or_disabled() {
    let health = Arc::new(support::registry([check("core")]));
    let endpoint = Endpoint::new(Arc::clone(&health));
    assert_eq!(names(&get(&endpoint, "/healthcheck").await.1), ["core"]);
    health.register(check("mongodb")).unwrap();
    assert_eq!(
        names(&get(&endpoint, "/healthcheck").await.1),
        ["core", "mongodb"]
    );
    assert!(health.disable("mongodb"));
    assert_eq!(names(&get(&endpoint, "/healthcheck").await.1), ["core"]);
    assert!(health.enable("mongodb"));
    assert_eq!(
        names(&get(&endpoint, "/healthcheck").await.1),
        ["core", "mongodb"]
    );
    assert!(health.unregister("mongodb"));
    assert_eq!(names(&get(&endpoint, "/healthcheck").await.1), ["core"]);
}

#[tokio::test]
async fn a_kept_answer_is_not_given_once_shutdown_begins_or_ends() {
    let health = Arc::new(support::registry([check("core")]));
    let endpoint = Endpoint::new(Arc::clone(&health));
    let (status, body) = get(&endpoint, "/healthcheck/ready").await;
    assert_eq!((status, body["phase"].as_str()), (200, Some("UP")));
    assert_eq!(get(&endpoint, "/healthcheck/ready").await.0, 200);
    health.begin_shutdown();
    let (status, body) = get(&endpoint, "/healthcheck/ready").await;
    assert_eq!((status, body["phase"].as_str()), (503, Some("STOPPING")));
    health.finish_shutdown().await;
    let (status, body) = get(&endpoint, "/healthcheck").await;
    assert_eq!((status, body["phase"].as_str()), (503, Some("STOPPED")));
}

#[tokio::test]
async fn a_kept_answer_is_given_only_to_callers_who_may_see_what_it_shows() {
    let health = support::registry([check("core")]);
    let endpoint = Endpoint::new(health).details(Details::WhenAuthorized("s3cret".into()));
    let ask = |token: Option<&'static str>| {
        let endpoint = endpoint.clone();
        async move {
            let mut request = Request::get("/healthcheck");
            if let Some(token) = token {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            let response = endpoint.respond(&request.body(()).unwrap()).await;
            serde_json::from_str::<Value>(response.body()).unwrap()
        }
    };
    // Each twice, in turns: a kept answer never crosses from one caller to the other.
    for _ in 0..2 {
        assert_eq!(outputs(&ask(Some("s3cret")).await), ["core ok"]);
        assert_ne!(outputs(&ask(None).await), ["core ok"]);
    }
}

#[tokio::test]
async fn endpoints_configured_apart_keep_their_answers_apart() {
    let first = Endpoint::new(support::registry([check("core")]));
    // Copies changed after they were cloned answer by their own configuration, each
    // after the other has kept its answer.
    let teapot = first.clone().status_codes(StatusCodes::default().set(
        Probe::Readiness,
        Phase::Up,
        StatusCode::IM_A_TEAPOT,
    ));
    let ietf = first.clone().format(format::Ietf);
    for _ in 0..2 {
        assert_eq!(get(&first, "/healthcheck/ready").await.0, 200);
        assert_eq!(get(&teapot, "/healthcheck/ready").await.0, 418);
        let response = ietf
            .respond(&Request::get("/healthcheck/ready").body(()).unwrap())
            .await;
        assert_eq!(
            response.headers()["content-type"],
            "application/health+json"
        );
    }
}

/// Bounded stress: probers on every worker keep answers warm while the list of checks
/// changes under them; a change that returned before a probe began is always in its
/// answer, whichever thread answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_made_before_a_probe_begins_is_in_its_answer_on_every_thread() {
    const ROUNDS: usize = 200;
    let health = Arc::new(support::registry([check("core")]));
    let endpoint = Endpoint::new(Arc::clone(&health));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probers: Vec<_> = (0..8)
        .map(|_| {
            let endpoint = endpoint.clone();
            let stop = Arc::clone(&stop);
            tokio::spawn(async move {
                let mut answered = 0;
                while !stop.load(Ordering::Relaxed) {
                    let (status, body) = get(&endpoint, "/healthcheck").await;
                    assert_eq!(status, 200);
                    assert_eq!(names(&body)[0], "core");
                    answered += 1;
                    tokio::task::yield_now().await;
                }
                answered
            })
        })
        .collect();
    for round in 0..ROUNDS {
        let name = format!("extra-{round}");
        health.register(check(&name)).unwrap();
        // Asked from a task of its own, so any worker may answer it.
        let with = tokio::spawn({
            let endpoint = endpoint.clone();
            async move { get(&endpoint, "/healthcheck").await.1 }
        });
        let with = with.await.unwrap();
        assert_eq!(names(&with), ["core", name.as_str()], "round {round}");
        assert!(health.unregister(&name));
        let without = tokio::spawn({
            let endpoint = endpoint.clone();
            async move { get(&endpoint, "/healthcheck").await.1 }
        });
        assert_eq!(names(&without.await.unwrap()), ["core"], "round {round}");
    }
    stop.store(true, Ordering::Relaxed);
    for prober in probers {
        assert!(prober.await.unwrap() > 0);
    }
}

#[tokio::test(start_paused = true)]
async fn a_kept_answer_is_not_given_once_a_run_brings_a_new_result_before_the_old_goes_stale() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&attempts);
    // A startup check failing the same way each time, its failures kept an hour: the
    // startup driver runs it again anyway, every STARTUP_RETRY, and each new result
    // (same status, new output) is what a probe must show.
    let check = Check::new("migrations", move || {
        let attempt = counted.fetch_add(1, Ordering::SeqCst) + 1;
        async move { (false, format!("attempt {attempt}")) }
    })
    .kinds([Kind::Startup])
    .failed_ttl(Duration::from_secs(3600));
    let endpoint = Endpoint::new(support::registry([check]));
    tokio::time::sleep(Duration::from_millis(10)).await;
    let (status, body) = get(&endpoint, "/healthcheck/startup").await;
    assert_eq!((status, outputs(&body)), (503, vec!["attempt 1"]));
    assert_eq!(
        outputs(&get(&endpoint, "/healthcheck/startup").await.1),
        ["attempt 1"]
    );
    tokio::time::sleep(healthcheck::defaults::STARTUP_RETRY + Duration::from_millis(10)).await;
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(
        outputs(&get(&endpoint, "/healthcheck/startup").await.1),
        ["attempt 2"]
    );
}
