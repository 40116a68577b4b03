//! The face (feature `status-page`): the status page and the stream of changes, served
//! through real sockets by the axum and actix-web adapters. The page in a real browser
//! is `tests/browser.rs`.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use healthcheck::{Check, Details, Endpoint, HealthCheck, http};
use support::servers::{Adapter, serve};
use support::sse::Sse;
use tokio::io::AsyncWriteExt;

fn url(addr: SocketAddr, path: &str) -> String {
    format!("http://{addr}{path}")
}

/// `health` served by axum, and a stream of its changes opened past its first lines.
async fn follow(health: &HealthCheck) -> (SocketAddr, Sse) {
    let addr = serve(Adapter::Axum, Endpoint::new(health.clone())).await;
    let mut stream = Sse::open(&url(addr, "/healthcheck/events"), &[]).await;
    stream.block().await;
    (addr, stream)
}

/// Runs `db` after switching it, so its change is told.
async fn switch(health: &HealthCheck, failing: &AtomicBool, fail: bool) {
    failing.store(fail, std::sync::atomic::Ordering::SeqCst);
    health.run_named(["db"]).await;
}

#[tokio::test]
async fn the_stream_tells_status_and_phase_changes_in_order_through_axum_and_actix() {
    for adapter in [Adapter::Axum, Adapter::Actix] {
        let failing = Arc::new(AtomicBool::new(false));
        let health = support::registry([support::switched("db", &failing)]);
        health.run().await;
        let addr = serve(adapter, Endpoint::new(health.clone())).await;
        let mut stream = Sse::open(&url(addr, "/healthcheck/events"), &[]).await;
        assert_eq!(stream.response.status(), 200, "{adapter:?}");
        assert_eq!(
            stream.response.headers()["content-type"],
            "text/event-stream"
        );
        assert_eq!(stream.response.headers()["cache-control"], "no-store");
        assert!(stream.block().await.unwrap().starts_with("retry: 2000"));

        switch(&health, &failing, true).await;
        let down = stream.expect("status").await;
        assert_eq!(down.data["checker"], "db", "{adapter:?}");
        assert_eq!(down.data["from"], "pass");
        assert_eq!(down.data["status"], "fail");
        assert_eq!(down.data["output"], "down");
        let phase = stream.expect("phase").await;
        assert_eq!(phase.data["phase"], "DOWN");
        assert_eq!(phase.id, Some(down.id.unwrap() + 1), "ids are consecutive");

        switch(&health, &failing, false).await;
        let up = stream.expect("status").await;
        assert_eq!(
            (&up.data["from"], &up.data["status"]),
            (&"fail".into(), &"pass".into())
        );
        assert_eq!(stream.expect("phase").await.data["phase"], "UP");
    }
}

#[tokio::test]
async fn last_event_id_resumes_after_that_event_and_a_gap_is_told_with_a_reset() {
    let failing = Arc::new(AtomicBool::new(false));
    let health = support::registry([support::switched("db", &failing)]);
    health.run().await;
    let (addr, mut first) = follow(&health).await;
    for fail in [true, false, true] {
        switch(&health, &failing, fail).await;
    }
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(first.event().await.unwrap().id.unwrap());
    }
    drop(first);
    // A browser reconnecting sends the last id it saw: the rest follows, nothing lost.
    let seen = ids[1].to_string();
    let mut again = Sse::open(
        &url(addr, "/healthcheck/events"),
        &[("last-event-id", &seen)],
    )
    .await;
    for id in &ids[2..] {
        assert_eq!(again.event().await.unwrap().id, Some(*id));
    }
    // The page's first connection names the id in the query.
    let query = format!("/healthcheck/events?last_event_id={}", ids[4]);
    let mut page = Sse::open(&url(addr, &query), &[]).await;
    assert_eq!(page.event().await.unwrap().id, Some(ids[5]));

    // More changes than the ring keeps: resuming from the first id is a gap, told.
    for round in 0..300 {
        switch(&health, &failing, round % 2 == 0).await;
    }
    let old = ids[0].to_string();
    let mut late = Sse::open(
        &url(addr, "/healthcheck/events"),
        &[("last-event-id", &old)],
    )
    .await;
    let reset = late.expect("reset").await;
    assert_eq!(reset.data["reason"], "gap");
    let oldest = reset.data["oldest_id"].as_u64().unwrap();
    assert!(
        reset.data["error"]
            .as_str()
            .unwrap()
            .contains("no longer kept"),
        "{reset:?}"
    );
    assert_eq!(late.event().await.unwrap().id, Some(oldest));

    let bad = support::http::get(addr, "/healthcheck/events?last_event_id=soon").await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.json()["error"],
        "last_event_id is \"soon\"; it must be an event's id, a whole number"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn changes_of_concurrent_checks_arrive_once_each_in_order_with_consecutive_ids() {
    // 8 checks switched at once, 60 rounds: each change is one event, each check's
    // events follow one another (`from` is the status before), ids have no gap.
    const CHECKS: usize = 8;
    const ROUNDS: usize = 60;
    let switches: Vec<Arc<AtomicBool>> = (0..CHECKS).map(|_| Arc::default()).collect();
    let health = support::registry(
        switches
            .iter()
            .enumerate()
            .map(|(index, failing)| support::switched(&format!("c{index}"), failing)),
    );
    health.run().await;
    let (_, mut stream) = follow(&health).await;
    let mut last_id = None;
    let mut status: std::collections::HashMap<String, String> = Default::default();
    for round in 0..ROUNDS {
        let runs = switches.iter().enumerate().map(|(index, failing)| {
            let (health, failing) = (health.clone(), Arc::clone(failing));
            tokio::spawn(async move {
                failing.store(round % 2 == 0, std::sync::atomic::Ordering::SeqCst);
                health.run_named([format!("c{index}")]).await;
            })
        });
        for run in runs.collect::<Vec<_>>() {
            run.await.unwrap();
        }
        let mut heard = 0;
        while heard < CHECKS {
            let event = stream.event().await.expect("the stream stays open");
            if let (Some(last), Some(id)) = (last_id, event.id) {
                assert_eq!(id, last + 1, "{event:?}");
            }
            last_id = event.id;
            if event.kind != "status" {
                continue;
            }
            heard += 1;
            let name = event.data["checker"].as_str().unwrap().to_owned();
            let before = status.insert(name, event.data["status"].as_str().unwrap().into());
            assert_eq!(
                event.data["from"].as_str().unwrap(),
                before.as_deref().unwrap_or("pass"),
                "{event:?}"
            );
            let expected = if round % 2 == 0 { "fail" } else { "pass" };
            assert_eq!(event.data["status"], expected, "{event:?}");
        }
    }
    assert_eq!(status.len(), CHECKS);
}

#[tokio::test]
async fn the_phase_is_told_when_a_failing_readiness_check_is_disabled_or_removed() {
    let failing = Arc::new(AtomicBool::new(true));
    let health = support::registry([
        support::switched("db", &failing),
        Check::new("cache", || async { (true, "fine".to_string()) }),
    ]);
    health.run().await;
    let (_, mut stream) = follow(&health).await;
    // No run: the list of checks changing is enough.
    assert!(health.disable("db"));
    assert_eq!(stream.expect("phase").await.data["phase"], "UP");
    assert!(health.enable("db"));
    assert_eq!(stream.expect("phase").await.data["phase"], "DOWN");
    assert!(health.unregister("db"));
    assert_eq!(stream.expect("phase").await.data["phase"], "UP");
}

#[tokio::test]
async fn a_last_event_id_from_before_a_restart_is_told_with_a_reset_not_met_with_silence() {
    // A browser that followed an earlier run of the server comes back with an id this
    // run has not reached: the events from now on would all be at or below it.
    let failing = Arc::new(AtomicBool::new(false));
    let health = support::registry([support::switched("db", &failing)]);
    health.run().await;
    let addr = serve(Adapter::Axum, Endpoint::new(health.clone())).await;
    let mut stream = Sse::open(
        &url(addr, "/healthcheck/events"),
        &[("last-event-id", "5000")],
    )
    .await;
    let reset = stream.expect("reset").await;
    assert_eq!(reset.data["reason"], "unknown");
    let next = reset.data["oldest_id"].as_u64().unwrap();
    assert!(next < 5000, "{reset:?}");
    switch(&health, &failing, true).await;
    let down = stream.expect("status").await;
    assert_eq!(down.id, Some(next));
    assert_eq!(down.data["status"], "fail");
}

#[tokio::test]
async fn an_ended_stream_polled_again_says_it_ended_again() {
    // Found by the fuzzer: the stream it wraps panicked when polled after its end.
    use futures_util::StreamExt;
    let health = support::registry([]);
    health.run().await;
    let endpoint = Endpoint::new(health.clone());
    let request = http::Request::get("/healthcheck/events").body(()).unwrap();
    let mut body = endpoint.events(&request).into_body();
    health.finish_shutdown().await;
    let mut text = String::new();
    while let Some(chunk) = body.next().await {
        text.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
    }
    assert!(
        text.ends_with("event: end\ndata: {\"reason\":\"shutdown\"}\n\n"),
        "{text}"
    );
    assert!(body.next().await.is_none());
    assert!(axum::body::HttpBody::is_end_stream(&body));
}

#[tokio::test]
async fn a_shutdown_hook_named_like_a_check_is_not_streamed_as_that_check() {
    use futures_util::StreamExt;
    let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
    let hooks_heard = Arc::clone(&heard);
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("db", || async { (true, "db up".to_string()) }))
        .shutdown_hook(Check::new("db", || async {
            (false, "flush failed".to_string())
        }))
        .on_change(move |_, result| hooks_heard.lock().unwrap().push(result.output.clone()))
        .build()
        .unwrap();
    health.run().await;
    let endpoint = Endpoint::new(health.clone());
    let request = http::Request::get("/healthcheck/events").body(()).unwrap();
    let mut body = endpoint.events(&request).into_body();
    health.finish_shutdown().await;
    let mut text = String::new();
    while let Some(chunk) = body.next().await {
        text.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
    }
    assert!(!text.contains("event: status"), "{text}");
    assert!(
        text.contains("data: {\"phase\":\"DOWN\"}"),
        "a failed hook: {text}"
    );
    // The application's own listeners hear the hook, as before.
    assert_eq!(*heard.lock().unwrap(), ["flush failed"]);
}

#[tokio::test(start_paused = true)]
async fn an_idle_stream_sends_a_heartbeat_comment_every_15_seconds() {
    use futures_util::StreamExt;
    let health = support::registry([]);
    health.run().await;
    let endpoint = Endpoint::new(health);
    let request = http::Request::get("/healthcheck/events").body(()).unwrap();
    let mut body = endpoint.events(&request).into_body();
    let first = body.next().await.unwrap().unwrap();
    assert!(first.starts_with(b"retry: 2000\n"));
    let started = tokio::time::Instant::now();
    let beat = body.next().await.unwrap().unwrap();
    assert_eq!(&beat[..], b": heartbeat\n\n");
    assert_eq!(started.elapsed(), Duration::from_secs(15));
    body.next().await.unwrap().unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(30));
}

#[tokio::test]
async fn a_reader_that_stops_reading_holds_no_one_back_and_is_closed_with_a_final_event() {
    // Events of 4 KiB each, so what the kernel buffers for the slow reader fills soon.
    let failing = Arc::new(AtomicBool::new(false));
    let switch_of = Arc::clone(&failing);
    let db = Check::new("db", move || {
        let failed = switch_of.load(std::sync::atomic::Ordering::SeqCst);
        async move { (!failed, "x".repeat(4096)) }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO);
    let health = support::registry([db]);
    health.run().await;
    let addr = serve(Adapter::Axum, Endpoint::new(health.clone())).await;
    // A reader with a small receive buffer that sends its request and reads nothing.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut slow = socket.connect(addr).await.unwrap();
    slow.write_all(b"GET /healthcheck/events HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let mut reading = Sse::open(&url(addr, "/healthcheck/events"), &[]).await;
    reading.block().await;
    // Changes in batches the reading stream keeps up with: it hears every one of them
    // in order while the other reads nothing.
    let mut last = None;
    for round in 0..3_000u32 {
        switch(&health, &failing, round % 2 == 0).await;
        if round % 50 == 49 {
            for _ in 0..100 {
                let event = reading.event().await.unwrap();
                if let Some(last) = last {
                    assert_eq!(event.id, Some(last + 1), "{event:?}");
                }
                last = event.id;
            }
        }
    }
    // The slow reader reads now: what it is sent ends with the final event, and the
    // response ends (the chunked body's last chunk; the connection may stay open).
    let mut raw = Vec::new();
    let mut buffer = vec![0; 64 * 1024];
    while !raw.ends_with(b"\r\n0\r\n\r\n") {
        let read = tokio::time::timeout(
            Duration::from_secs(20),
            tokio::io::AsyncReadExt::read(&mut slow, &mut buffer),
        )
        .await
        .expect("the response ends")
        .unwrap();
        assert!(read > 0, "the connection closed before the response ended");
        raw.extend_from_slice(&buffer[..read]);
    }
    let raw = String::from_utf8_lossy(&raw);
    assert!(
        raw.contains("event: end\ndata: {\"error\":\"this reader fell more than 256 events behind"),
        "{}",
        &raw[raw.len().saturating_sub(600)..]
    );
    assert!(raw.contains("\"reason\":\"behind\""));
}

#[tokio::test]
async fn more_streams_than_the_limit_get_503_with_a_json_body() {
    let health = support::registry([]);
    let addr = serve(Adapter::Axum, Endpoint::new(health).max_event_streams(2)).await;
    let events = url(addr, "/healthcheck/events");
    let mut one = Sse::open(&events, &[]).await;
    let mut two = Sse::open(&events, &[]).await;
    one.block().await;
    two.block().await;
    let refused = support::http::get(addr, "/healthcheck/events").await;
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("retry-after"), Some("5"));
    assert_eq!(
        refused.json()["error"],
        "2 event streams are open, the most this endpoint serves; retry later"
    );
    drop(one);
    // The closed stream is counted out once the server notices the connection is gone.
    for _ in 0..100 {
        let mut three = Sse::open(&events, &[]).await;
        if three.response.status() == 200 {
            three.block().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("a closed stream still counts against the limit");
}

#[tokio::test]
async fn every_stream_ends_when_the_drain_ends_and_the_phase_says_how_long_it_has_left() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .drain_delay(Duration::from_millis(600))
        .build()
        .unwrap();
    health.run().await;
    let (addr, mut stream) = follow(&health).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = tokio::spawn(health.shutdown_on(async move {
        let _ = stopped.await;
    }));
    let page = support::http::get(addr, "/healthcheck/status").await;
    assert!(
        page.body.contains("<span id=\"phase\">UP</span>"),
        "{}",
        page.body
    );
    stop.send(()).unwrap();
    let stopping = stream.expect("phase").await;
    assert_eq!(stopping.data["phase"], "STOPPING");
    let left = stopping.data["drain_left"].as_f64().unwrap();
    assert!(left > 0.0 && left <= 0.6, "{stopping:?}");
    let page = support::http::get(addr, "/healthcheck/status").await;
    assert!(
        page.body.contains("the drain ends in <span id=\"drain\""),
        "{}",
        page.body
    );
    shutdown.await.unwrap();
    // The drain is over: the phase without time left, then the end, then the body ends.
    let drained = stream.expect("phase").await;
    assert!(drained.data.get("drain_left").is_none(), "{drained:?}");
    let end = stream.expect("end").await;
    assert_eq!(end.data["reason"], "shutdown");
    assert!(stream.block().await.is_none(), "the body ends");
}

#[tokio::test]
async fn the_page_is_one_document_that_asks_nothing_of_another_origin() {
    let failing = Arc::new(AtomicBool::new(true));
    let health = support::registry([support::switched("db", &failing)]);
    let addr = serve(Adapter::Axum, Endpoint::new(health)).await;
    let page = support::http::get(addr, "/healthcheck/status").await;
    assert_eq!(page.status, 200, "the page answers whatever the phase");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.starts_with("default-src 'none'; "), "{policy}");
    for allowed in [
        "connect-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(allowed), "{policy}");
    }
    assert!(!policy.contains("http") && !policy.contains('*') && !policy.contains("unsafe"));
    let html = &page.body;
    // No element loads anything: one inline style, one inline script, no link or source.
    for loads in ["<link", " src=", " href=", "@import", "url("] {
        assert!(!html.contains(loads), "{loads} in {html}");
    }
    assert_eq!(html.matches("<script").count(), 1);
    assert_eq!(html.matches("<style").count(), 1);
    assert!(html.contains("<span id=\"phase\">DOWN</span>"));
    assert!(
        html.contains("<tr data-check=\"db\" class=\"st-fail\">"),
        "{html}"
    );
    assert!(html.contains("<td class=\"output\">down</td>"));
    assert!(html.contains("<noscript><meta http-equiv=\"refresh\" content=\"10\"></noscript>"));
    // It takes no query, and HEAD answers like GET.
    let query = support::http::get(addr, "/healthcheck/status?tag=x").await;
    assert_eq!(query.status, 400);
    assert_eq!(
        query.json()["error"],
        "/healthcheck/status takes no query parameters"
    );
}

#[tokio::test]
async fn names_messages_and_details_are_escaped_on_the_page_and_valid_json_in_events() {
    let hostile = "<script>window.hacked=1</script> \"quoted\" 'single' </style><b>&amp;</b>";
    let health = support::registry([Check::new("hostile", move || async move {
        (false, hostile.to_string())
    })]);
    let (addr, mut stream) = follow(&health).await;
    let page = support::http::get(addr, "/healthcheck/status").await;
    assert!(!page.body.contains(hostile));
    assert!(page.body.contains(
        "&lt;script&gt;window.hacked=1&lt;/script&gt; &quot;quoted&quot; &#39;single&#39; &lt;/style&gt;&lt;b&gt;&amp;amp;&lt;/b&gt;"
    ));
    assert_eq!(page.body.matches("</style>").count(), 1);
    assert_eq!(page.body.matches("<script>").count(), 1);
    let event = stream.expect("status").await;
    assert_eq!(event.data["output"], hostile);
}

#[tokio::test]
async fn outputs_are_withheld_on_the_page_and_in_events_without_authorization() {
    let failing = Arc::new(AtomicBool::new(false));
    let health = support::registry([support::switched("db", &failing)]);
    let endpoint = Endpoint::new(health.clone()).details(Details::WhenAuthorized("s3cret".into()));
    let addr = serve(Adapter::Axum, endpoint).await;
    let events = url(addr, "/healthcheck/events");
    let mut anonymous = Sse::open(&events, &[]).await;
    let mut authorized = Sse::open(&events, &[("authorization", "Bearer s3cret")]).await;
    anonymous.block().await;
    authorized.block().await;
    switch(&health, &failing, true).await;
    assert_eq!(
        anonymous.expect("status").await.data["output"],
        healthcheck::defaults::WITHHELD
    );
    assert_eq!(authorized.expect("status").await.data["output"], "down");
    let page = support::http::get(addr, "/healthcheck/status").await;
    assert!(!page.body.contains(">down<"), "{}", page.body);
    assert!(page.body.contains(healthcheck::defaults::WITHHELD));
}

#[tokio::test]
async fn the_page_groups_failures_under_their_root_cause_with_the_dependants_folded() {
    let failing = Arc::new(AtomicBool::new(true));
    let dependant =
        |name: &str| Check::new(name, || async { (true, "fine".to_string()) }).depends_on(["db"]);
    let health = support::registry([
        support::switched("db", &failing),
        dependant("orders"),
        dependant("payments"),
        Check::new("cache", || async { (true, "fine".to_string()) }),
    ]);
    let addr = serve(Adapter::Axum, Endpoint::new(health)).await;
    let html = support::http::get(addr, "/healthcheck/status").await.body;
    let failing_section =
        &html[html.find("id=\"failing\"").unwrap()..html.find("id=\"checks-title\"").unwrap()];
    assert_eq!(
        failing_section.matches("<li><span class=\"badge").count(),
        1,
        "{failing_section}"
    );
    assert!(failing_section.contains("<strong>db</strong>"));
    assert!(failing_section.contains("<summary>2 checks blocked by db</summary>"));
    assert!(failing_section.contains("<li><strong>orders</strong>: blocked by db: down</li>"));
    assert!(!failing_section.contains("cache"));
}

#[tokio::test]
async fn the_events_route_of_an_adapter_that_cannot_stream_says_where_it_is_served() {
    let health = support::registry([]);
    let addr = serve(Adapter::Hyper, Endpoint::new(health)).await;
    let answer = support::http::get(addr, "/healthcheck/events").await;
    assert_eq!(answer.status, 501);
    assert_eq!(
        answer.json()["error"],
        "/healthcheck/events is a stream: the server routes it to Endpoint::events (the axum and actix-web adapters do)"
    );
}

#[tokio::test]
async fn a_hyper_service_serves_the_stream_and_every_other_route_in_one_body_type() {
    use hyper::service::service_fn;
    let failing = Arc::new(AtomicBool::new(false));
    let health = support::registry([support::switched("db", &failing)]);
    health.run().await;
    let endpoint = Endpoint::new(health.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The README's hyper server, as written there.
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let endpoint = endpoint.clone();
            let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let endpoint = endpoint.clone();
                async move {
                    let response = if request.uri().path() == "/healthcheck/events" {
                        endpoint.events(&request)
                    } else {
                        endpoint
                            .respond(&request)
                            .await
                            .map(healthcheck::Events::from)
                    };
                    Ok::<_, std::convert::Infallible>(response)
                }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
            );
        }
    });
    let ready = support::http::get(addr, "/healthcheck/ready").await;
    assert_eq!(ready.status, 200);
    assert_eq!(
        ready.header("content-length"),
        Some(ready.body.len().to_string().as_str())
    );
    assert_eq!(ready.json()["status"], "success");
    let mut stream = Sse::open(&url(addr, "/healthcheck/events"), &[]).await;
    stream.block().await;
    switch(&health, &failing, true).await;
    assert_eq!(stream.expect("status").await.data["status"], "fail");
}
