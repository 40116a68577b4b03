//! Every adapter (axum, actix-web, hyper/tower) through a real TCP socket, driven by one
//! shared table of cases: the status code of each probe in each phase, HEAD, 405, 404,
//! 400, selections and the details policy; then hostile requests.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use healthcheck::defaults::WITHHELD;
use healthcheck::{Check, Details, Endpoint, HealthCheck, Kind, Phase};
use serde_json::Value;
use support::http::{Response, get, send};
use support::servers::{ADAPTERS, serve};

/// Switches the test flips to move the application between phases.
#[derive(Clone)]
struct Switches {
    booted: Arc<AtomicBool>,
    db_up: Arc<AtomicBool>,
    alive: Arc<AtomicBool>,
    flush_ok: Arc<AtomicBool>,
}

impl Switches {
    fn all_on() -> Self {
        let on = || Arc::new(AtomicBool::new(true));
        Switches {
            booted: on(),
            db_up: on(),
            alive: on(),
            flush_ok: on(),
        }
    }
}

/// A check that reports a switch; never cached, so every request sees the switch.
fn switched(name: &str, switch: &Arc<AtomicBool>) -> Check {
    let switch = Arc::clone(switch);
    let name_owned = name.to_owned();
    Check::new(name, move || {
        let up = switch.load(Ordering::SeqCst);
        let name = name_owned.clone();
        async move { (up, format!("{name} is {}", if up { "up" } else { "down" })) }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO)
}

fn registry(switches: &Switches) -> Arc<HealthCheck> {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .hostname("adapter-test")
        .check(switched("boot", &switches.booted).kinds([Kind::Startup]))
        .check(switched("db", &switches.db_up).tags(["db"]))
        .check(
            switched("cache", &switches.db_up)
                .tags(["cache"])
                .success_ttl(Duration::ZERO),
        )
        .check(switched("process", &switches.alive).kinds([Kind::Liveness]))
        .shutdown_hook(switched("flush", &switches.flush_ok))
        .build()
        .unwrap();
    Arc::new(health)
}

/// The phases of the table, with the hook-failure way into DOWN as a sixth row.
#[derive(Debug, Clone, Copy)]
enum Scenario {
    Starting,
    Up,
    Down,
    Stopping,
    Stopped,
    ShutdownHookFailed,
}

/// A registry brought into `scenario`'s phase.
async fn in_scenario(scenario: Scenario) -> Arc<HealthCheck> {
    let switches = Switches::all_on();
    if let Scenario::Starting = scenario {
        // Before the registry is built: its startup driver, spawned by `build()` on the
        // other worker, may run `boot` at once, and a pass would start the application.
        switches.booted.store(false, Ordering::SeqCst);
    }
    let health = registry(&switches);
    match scenario {
        Scenario::Starting => {}
        Scenario::Up => health.wait_started().await,
        Scenario::Down => {
            health.wait_started().await;
            for switch in [&switches.booted, &switches.db_up, &switches.alive] {
                switch.store(false, Ordering::SeqCst);
            }
        }
        Scenario::Stopping => {
            health.wait_started().await;
            health.begin_shutdown();
        }
        Scenario::Stopped => {
            health.wait_started().await;
            health.finish_shutdown().await;
        }
        Scenario::ShutdownHookFailed => {
            health.wait_started().await;
            switches.flush_ok.store(false, Ordering::SeqCst);
            health.finish_shutdown().await;
        }
    }
    health
}

/// The Cloud Health Connect table: codes of combined, liveness, readiness and startup.
fn expected(scenario: Scenario) -> (Phase, [u16; 4]) {
    match scenario {
        Scenario::Starting => (Phase::Starting, [503, 200, 503, 503]),
        Scenario::Up => (Phase::Up, [200, 200, 200, 200]),
        Scenario::Down => (Phase::Down, [503, 503, 503, 503]),
        Scenario::Stopping => (Phase::Stopping, [503, 503, 503, 503]),
        Scenario::Stopped => (Phase::Stopped, [503, 503, 503, 503]),
        Scenario::ShutdownHookFailed => (Phase::Down, [503, 503, 503, 503]),
    }
}

fn checkers(response: &Response) -> Vec<String> {
    response.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["checker"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_json_error(response: &Response, context: &str) {
    let json = response.json();
    assert!(json["error"].is_string(), "{context}: {}", response.body);
    assert_eq!(json["status"], response.status, "{context}");
    assert_eq!(
        response.header("content-type"),
        Some("application/json"),
        "{context}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_code_table_holds_in_every_cell_for_every_adapter() {
    let routes = [
        "/healthcheck",
        "/healthcheck/live",
        "/healthcheck/ready",
        "/healthcheck/startup",
    ];
    for scenario in [
        Scenario::Starting,
        Scenario::Up,
        Scenario::Down,
        Scenario::Stopping,
        Scenario::Stopped,
        Scenario::ShutdownHookFailed,
    ] {
        let (phase, codes) = expected(scenario);
        let health = in_scenario(scenario).await;
        for adapter in ADAPTERS {
            let addr = serve(adapter, Endpoint::new(Arc::clone(&health))).await;
            for (route, code) in routes.iter().zip(codes) {
                let response = get(addr, route).await;
                let context = format!("{adapter:?} {scenario:?} GET {route}");
                assert_eq!(response.status, code, "{context}: {}", response.body);
                assert_eq!(response.json()["phase"], phase.as_str(), "{context}");
                assert_eq!(
                    response.header("cache-control"),
                    Some("no-store"),
                    "{context}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_methods_and_queries_answer_alike_on_every_adapter() {
    let health = in_scenario(Scenario::Up).await;
    for adapter in ADAPTERS {
        let addr = serve(adapter, Endpoint::new(Arc::clone(&health))).await;
        let context = |what: &str| format!("{adapter:?}: {what}");

        let all = get(addr, "/healthcheck").await;
        assert_eq!(all.status, 200, "{}", context("GET all"));
        assert_eq!(
            checkers(&all),
            ["boot", "cache", "db", "process"],
            "{}",
            context("all")
        );
        assert_eq!(all.json()["status"], "success");

        assert_eq!(checkers(&get(addr, "/healthcheck/live").await), ["process"]);
        assert_eq!(
            checkers(&get(addr, "/healthcheck/ready").await),
            ["cache", "db"]
        );
        assert_eq!(checkers(&get(addr, "/healthcheck/startup").await), ["boot"]);
        assert_eq!(checkers(&get(addr, "/healthcheck/db").await), ["db"]);
        assert_eq!(
            checkers(&get(addr, "/healthcheck?exclude=db,cache").await),
            ["boot", "process"],
            "{}",
            context("exclude")
        );
        assert_eq!(
            checkers(&get(addr, "/healthcheck?exclude=db&exclude=boot").await),
            ["cache", "process"]
        );
        assert_eq!(
            checkers(&get(addr, "/healthcheck/ready?tag=db").await),
            ["db"]
        );
        assert_eq!(
            checkers(&get(addr, "/healthcheck?tag=db,cache").await),
            ["cache", "db"]
        );

        let services = get(addr, "/healthcheck/services").await;
        assert_eq!(services.status, 200);
        let listed = services.json();
        assert_eq!(listed["services"][0]["name"], "boot");
        assert_eq!(listed["services"][0]["kinds"][0], "startup");
        assert_eq!(listed["services"][1]["tags"][0], "cache");
        assert_eq!(listed["services"][2]["kinds"][0], "readiness");
        assert_eq!(listed["services"][3]["kinds"][0], "liveness");
        assert_eq!(
            listed["services"][0]["location"]["file"],
            "tests/adapters.rs"
        );

        let head = send(
            addr,
            b"HEAD /healthcheck HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert_eq!(head.status, 200, "{}", context("HEAD"));
        assert_eq!(head.body, "", "{}", context("HEAD has no body"));
        let length: usize = head.header("content-length").unwrap().parse().unwrap();
        assert!(length > 100, "{}", context("HEAD keeps the GET length"));
        assert_eq!(head.header("cache-control"), Some("no-store"));

        let head_missing = send(
            addr,
            b"HEAD /healthcheck/nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert_eq!(head_missing.status, 404, "{}", context("HEAD unknown"));
        assert_eq!(head_missing.body, "");

        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let request = format!(
                "{method} /healthcheck/ready HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let response = send(addr, request.as_bytes()).await;
            assert_eq!(response.status, 405, "{}", context(method));
            assert_eq!(
                response.header("allow"),
                Some("GET, HEAD"),
                "{}",
                context(method)
            );
            assert_json_error(&response, &context(method));
        }

        let missing = get(addr, "/healthcheck/nope").await;
        assert_eq!(missing.status, 404, "{}", context("unknown check"));
        let result = &missing.json()["results"][0];
        assert_eq!(result["checker"], "nope");
        assert_eq!(
            result["output"],
            "not found: no health check is named `nope`"
        );
        assert_eq!(result["passed"], false);

        for (path, status) in [
            ("/healthcheck/live/extra", 404),
            ("/healthcheck/%zz", 400),
            ("/healthcheck?debug=1", 400),
        ] {
            let response = get(addr, path).await;
            assert_eq!(response.status, status, "{}", context(path));
            assert_json_error(&response, &context(path));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_details_policy_withholds_outputs_and_locations_without_the_token() {
    let health = in_scenario(Scenario::Up).await;
    for adapter in ADAPTERS {
        let endpoint =
            Endpoint::new(Arc::clone(&health)).details(Details::WhenAuthorized("s3cret".into()));
        let addr = serve(adapter, endpoint).await;
        let request = |authorization: &str| {
            format!(
                "GET /healthcheck HTTP/1.1\r\nHost: t\r\n{authorization}Connection: close\r\n\r\n"
            )
        };
        let outputs = |response: &Response| -> Vec<String> {
            response.json()["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["output"].as_str().unwrap().to_owned())
                .collect()
        };

        let anonymous = send(addr, request("").as_bytes()).await;
        assert_eq!(anonymous.status, 200, "{adapter:?}: statuses still count");
        assert!(
            outputs(&anonymous).iter().all(|o| o == WITHHELD),
            "{adapter:?}: {}",
            anonymous.body
        );
        assert_eq!(anonymous.json()["results"][0]["passed"], true);

        let wrong = send(addr, request("Authorization: Bearer guess\r\n").as_bytes()).await;
        assert!(outputs(&wrong).iter().all(|o| o == WITHHELD), "{adapter:?}");

        let authorized = send(addr, request("Authorization: Bearer s3cret\r\n").as_bytes()).await;
        assert_eq!(outputs(&authorized)[0], "boot is up", "{adapter:?}");

        let services = get(addr, "/healthcheck/services").await;
        assert_eq!(
            services.json()["services"][0]["location"],
            Value::Null,
            "{adapter:?}"
        );
    }
    let never = Endpoint::new(Arc::clone(&health)).details(Details::Never);
    let addr = serve(ADAPTERS[0], never).await;
    let response = send(
        addr,
        b"GET /healthcheck/db HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer s3cret\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(response.json()["results"][0]["output"], WITHHELD);
}

/// Requests an attacker or a broken client might send; each must get the right 4xx and
/// a JSON body, and the server must keep answering.
fn hostile_requests() -> Vec<(String, u16)> {
    let get = |path: &str| format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let with_method = |method: &str| {
        format!(
            "{method} /healthcheck HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    };
    vec![
        (with_method("DELETE"), 405),
        (with_method("PUT"), 405),
        (with_method("PATCH"), 405),
        (with_method("OPTIONS"), 405),
        (with_method("TRACE"), 405),
        (with_method("FOO"), 405),
        (
            "POST /healthcheck/live HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".to_owned(),
            405,
        ),
        (get("/healthcheck/../etc/passwd"), 400),
        (get("/healthcheck/.."), 400),
        (get("/healthcheck/%2e%2e"), 400),
        (get("/healthcheck/%2E%2E/x"), 400),
        (get("/healthcheck/..%2f..%2fetc%2fpasswd"), 400),
        (get("/healthcheck/a%2Fb"), 400),
        (get("/healthcheck/a%2fb"), 400),
        (get("/healthcheck/%zz"), 400),
        (get("/healthcheck/%"), 400),
        (get("/healthcheck/%f"), 400),
        (get("/healthcheck/%ff%fe"), 400),
        (get("/healthcheck/%C0%AF"), 400),
        (get("/healthcheck/%00"), 404),
        (get("/healthcheck/live/extra"), 404),
        (get("/healthcheck/services/x"), 404),
        (get("/healthcheck//"), 404),
        (get("/healthcheck/nope"), 404),
        (get(&format!("/healthcheck/{}", "a".repeat(500))), 404),
        (get(&format!("/healthcheck?{}", "x".repeat(3000))), 414),
        (get(&format!("/healthcheck?{}", "exclude=a&".repeat(40))), 400),
        (get(&format!("/healthcheck?tag={}", "t,".repeat(1500))), 414),
        (get("/healthcheck?exclude=%zz"), 400),
        (get("/healthcheck?exclude=%ff"), 400),
        (get("/healthcheck?exclude"), 400),
        (get("/healthcheck?unknown=1"), 400),
        (get("/healthcheck?refresh=true"), 400),
        (get("/healthcheck?tag=%"), 400),
        (get("/healthcheck?%=1"), 400),
        (get("/healthcheck/ready?exclude=a&debug=1"), 400),
        (get("/healthcheck?format=xml"), 400),
        (get("/healthcheck/group/nope"), 404),
        (get("/healthcheck/group/"), 404),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_the_right_4xx_with_a_json_body_on_every_adapter() {
    let requests = hostile_requests();
    assert!(requests.len() >= 30);
    let health = in_scenario(Scenario::Up).await;
    for adapter in ADAPTERS {
        let addr = serve(adapter, Endpoint::new(Arc::clone(&health))).await;
        for (request, status) in &requests {
            let response = send(addr, request.as_bytes()).await;
            let line = request.lines().next().unwrap();
            let line = &line[..line.len().min(80)];
            assert_eq!(
                response.status, *status,
                "{adapter:?}: {line}: {}",
                response.body
            );
            let json = response.json();
            assert!(
                json["error"].is_string() || json["results"][0]["output"].is_string(),
                "{adapter:?}: {line}: {}",
                response.body
            );
        }
        // Still serving after all of that.
        assert_eq!(get(addr, "/healthcheck").await.status, 200, "{adapter:?}");
    }
}
