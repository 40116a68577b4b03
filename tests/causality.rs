//! Causality: checks that depend on others, blocked results, root causes, told once;
//! validation of the graph; disabled, unregistered and startup dependencies.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use healthcheck::{Check, Endpoint, HealthCheck, HealthStatus, Kind, Problem};
use serde_json::Value;

/// A never-cached check failing while `failing` is set, counting its runs.
fn counted(name: &str, failing: &Arc<AtomicBool>) -> (Check, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let (count, failing) = (Arc::clone(&runs), Arc::clone(failing));
    let check = Check::new(name, move || {
        count.fetch_add(1, Ordering::SeqCst);
        let failed = failing.load(Ordering::SeqCst);
        async move {
            let message = if failed { "connection refused" } else { "ok" };
            (!failed, message.to_string())
        }
    })
    .success_ttl(Duration::ZERO)
    .failed_ttl(Duration::ZERO);
    (check, runs)
}

fn passing(name: &str) -> (Check, Arc<AtomicUsize>) {
    counted(name, &Arc::new(AtomicBool::new(false)))
}

/// `db` failing and `orders` depending on it, with `orders`' run count.
fn failing_db_and_orders() -> (HealthCheck, Arc<AtomicUsize>) {
    let (db, _) = counted("db", &Arc::new(AtomicBool::new(true)));
    let (orders, orders_runs) = passing("orders");
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(db)
        .check(orders.depends_on(["db"]))
        .build()
        .unwrap();
    (health, orders_runs)
}

async fn get_json(endpoint: &Endpoint, path: &str) -> (u16, Value) {
    let (code, _, body) = support::get_accepting(endpoint, path, None).await;
    (code, serde_json::from_str(&body).unwrap())
}

/// One root (`db`), a chain three deep on it (`db` ← `orm` ← `repo`), and 30 dependants
/// of the root: one failure is one root cause, one event, 32 blocked results, no run of
/// a blocked check; the recovery is one event and every check passing.
#[tokio::test(start_paused = true)]
async fn one_root_failure_is_one_root_cause_one_event_and_no_run_of_what_it_blocks() {
    let down = Arc::new(AtomicBool::new(false));
    let (db, db_runs) = counted("db", &down);
    let mut builder = HealthCheck::builder().linked_checks(false).check(db);
    let mut dependant_runs = Vec::new();
    let (orm, runs) = passing("orm");
    builder = builder.check(orm.depends_on(["db"]));
    dependant_runs.push(runs);
    let (repo, runs) = passing("repo");
    builder = builder.check(repo.depends_on(["orm"]));
    dependant_runs.push(runs);
    for i in 0..30 {
        let (check, runs) = passing(&format!("svc_{i:02}"));
        builder = builder.check(check.depends_on(["db"]));
        dependant_runs.push(runs);
    }
    let events = Arc::new(Mutex::new(Vec::new()));
    let heard = Arc::clone(&events);
    let health = builder
        .on_change(move |previous, result| {
            heard.lock().unwrap().push(format!(
                "{}: {} -> {}",
                result.checker,
                previous.as_str(),
                result.status.as_str()
            ));
        })
        .build()
        .unwrap();
    let endpoint = Endpoint::new(Arc::new(health.clone()));
    let total_runs =
        |runs: &[Arc<AtomicUsize>]| runs.iter().map(|r| r.load(Ordering::SeqCst)).sum::<usize>();

    let (code, _) = get_json(&endpoint, "/healthcheck").await;
    assert_eq!(code, 200);
    assert_eq!(total_runs(&dependant_runs), 32);

    down.store(true, Ordering::SeqCst);
    let (code, body) = get_json(&endpoint, "/healthcheck").await;
    assert_eq!(code, 503);
    assert_eq!(body["root_causes"], serde_json::json!(["db"]));
    let results = body["results"].as_array().unwrap();
    let blocked: Vec<&Value> = results
        .iter()
        .filter(|r| r["blocked_by"] == serde_json::json!(["db"]))
        .collect();
    assert_eq!(blocked.len(), 32, "the chain and the 30 dependants");
    let repo = results.iter().find(|r| r["checker"] == "repo").unwrap();
    assert_eq!(repo["output"], "blocked by db: connection refused");
    assert_eq!(repo["passed"], false);
    assert_eq!(total_runs(&dependant_runs), 32, "no blocked check ran");
    assert_eq!(db_runs.load(Ordering::SeqCst), 2);
    assert_eq!(*events.lock().unwrap(), ["db: pass -> fail"]);

    // The Kubernetes text names the cause on each blocked line.
    let (_, _, text) =
        support::get_accepting(&endpoint, "/healthcheck?format=kubernetes&verbose", None).await;
    assert!(text.contains("[-]repo failed: blocked by db\n"), "{text}");
    assert!(text.contains("[-]db failed: reason withheld\n"), "{text}");

    down.store(false, Ordering::SeqCst);
    let (code, body) = get_json(&endpoint, "/healthcheck").await;
    assert_eq!(code, 200);
    assert!(body.get("root_causes").is_none());
    assert!(
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["passed"] == true && r.get("blocked_by").is_none())
    );
    assert_eq!(total_runs(&dependant_runs), 64, "every dependant ran again");
    assert_eq!(
        *events.lock().unwrap(),
        ["db: pass -> fail", "db: fail -> pass"]
    );
}

#[tokio::test]
async fn a_blocked_check_that_is_not_critical_warns_and_one_run_when_blocked_still_runs() {
    let down = Arc::new(AtomicBool::new(true));
    let (db, _) = counted("db", &down);
    let (reports, report_runs) = passing("reports");
    let (audit, audit_runs) = passing("audit");
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(db)
        .check(reports.depends_on(["db"]).critical(false))
        .check(audit.depends_on(["db"]).run_when_blocked(true))
        .build()
        .unwrap();
    let report = health.run().await;
    let reports = report.result("reports").unwrap();
    assert_eq!((reports.status, reports.passed), (HealthStatus::Warn, true));
    assert_eq!(
        reports.output,
        "blocked by db: connection refused (not critical)"
    );
    assert_eq!(reports.blocked_by, ["db"]);
    assert_eq!(report_runs.load(Ordering::SeqCst), 0);
    // Run anyway: it passes, so it is not blocked.
    assert_eq!(audit_runs.load(Ordering::SeqCst), 1);
    assert!(report.result("audit").unwrap().passed);
    assert_eq!(report.root_causes, ["db"]);
}

#[tokio::test]
async fn a_disabled_or_unregistered_dependency_blocks_nothing() {
    let (health, orders_runs) = failing_db_and_orders();
    assert_eq!(
        health.run().await.result("orders").unwrap().blocked_by,
        ["db"]
    );
    health.disable("db");
    let report = health.run().await;
    let orders = report.result("orders").unwrap();
    assert!(orders.passed && orders.blocked_by.is_empty(), "{orders:?}");
    assert_eq!(
        orders_runs.load(Ordering::SeqCst),
        1,
        "it ran: db's last failure is not carried over"
    );
    health.enable("db");
    assert!(!health.run().await.result("orders").unwrap().passed);
    assert!(health.unregister("db"));
    assert!(health.run().await.result("orders").unwrap().passed);
}

#[tokio::test]
async fn a_readiness_check_on_a_startup_check_names_it_as_the_root_cause_while_starting() {
    let migrating = Arc::new(AtomicBool::new(true));
    let (migrations, _) = counted("migrations", &migrating);
    let (orders, orders_runs) = passing("orders");
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(migrations.kinds([Kind::Startup]))
        .check(orders.depends_on(["migrations"]))
        .build()
        .unwrap();
    let endpoint = Endpoint::new(Arc::new(health.clone()));
    let (code, body) = get_json(&endpoint, "/healthcheck/ready").await;
    assert_eq!(code, 503);
    assert_eq!(body["phase"], "STARTING");
    assert_eq!(body["root_causes"], serde_json::json!(["migrations"]));
    let orders = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["checker"] == "orders")
        .unwrap();
    assert_eq!(orders["blocked_by"], serde_json::json!(["migrations"]));
    assert_eq!(orders_runs.load(Ordering::SeqCst), 0);
}

#[test]
fn unknown_dependencies_and_circles_are_build_errors_naming_the_checks() {
    let check = |name: &str| Check::new(name, || async { true });
    let err = HealthCheck::builder()
        .linked_checks(false)
        .check(check("orders").depends_on(["billing"]))
        .check(check("billing").depends_on(["orders"]))
        .check(check("reports").depends_on(["warehouse"]))
        .check(check("self_made").depends_on(["self_made"]))
        .build()
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("health checks depend on each other in a circle: billing → orders → billing; remove one of these dependencies"), "{text}");
    assert!(
        text.contains("health checks depend on each other in a circle: self_made → self_made"),
        "{text}"
    );
    assert!(
        text.contains("health check `reports` at tests/causality.rs:"),
        "{text}"
    );
    assert!(
        text.contains(
            "depends on `warehouse`, but no check has that name; add it or remove the dependency"
        ),
        "{text}"
    );
    assert_eq!(
        err.problems()
            .iter()
            .filter(|p| matches!(p, Problem::DependencyCycle { .. }))
            .count(),
        2
    );

    // register: a dependency must exist, and no circle may close through the new check.
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(check("a").depends_on(["b"]))
        .check(check("b"))
        .build()
        .unwrap();
    assert!(health.register(check("c").depends_on(["nope"])).is_err());
    assert!(health.unregister("b"));
    let err = health.register(check("b").depends_on(["a"])).unwrap_err();
    assert!(err.to_string().contains("a → b → a"), "{err}");
    assert!(health.register(check("b")).is_ok());
}

#[tokio::test]
async fn blocked_checks_in_every_format() {
    let (health, _) = failing_db_and_orders();
    let endpoint = Endpoint::new(Arc::new(health));
    let body = |format: &'static str| {
        let endpoint = endpoint.clone();
        async move {
            let (_, _, body) =
                support::get_accepting(&endpoint, &format!("/healthcheck?format={format}"), None)
                    .await;
            body
        }
    };
    let ietf: Value = serde_json::from_str(&body("ietf").await).unwrap();
    assert!(
        ietf["notes"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("root causes: db"))
    );
    assert_eq!(
        ietf["checks"]["orders"][0]["output"],
        "blocked by db: connection refused"
    );
    let microprofile: Value = serde_json::from_str(&body("microprofile").await).unwrap();
    let orders = microprofile["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "orders")
        .unwrap();
    assert_eq!(orders["data"]["blockedBy"], "db");
    let spring: Value = serde_json::from_str(&body("spring").await).unwrap();
    let group = spring["components"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(
        group["components"]["orders"]["details"]["blockedBy"],
        serde_json::json!(["db"])
    );
    let prometheus = body("prometheus").await;
    assert!(
        prometheus.contains("healthcheck_check_blocked{check=\"orders\",by=\"db\"} 1\n"),
        "{prometheus}"
    );
}

/// `count` replicas in group `replicas`, the first `failing` of them failing.
fn replicas(count: usize, failing: usize, needed: usize) -> HealthCheck {
    (0..count)
        .fold(
            HealthCheck::builder()
                .linked_checks(false)
                .quorum("replicas", needed),
            |builder, i| {
                builder.check(
                    Check::new(format!("replica_{i}"), move || async move {
                        (i >= failing, format!("replica {i}"))
                    })
                    .group("replicas"),
                )
            },
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_quorum_group_passes_with_k_of_n_members_and_says_how_many() {
    // 2 of 3 needed: one down (k of n pass) still passes, its failure a warning.
    let report = replicas(3, 1, 2).run().await;
    assert!(report.is_success());
    let down = report.result("replica_0").unwrap();
    assert_eq!((down.status, down.passed), (HealthStatus::Warn, true));
    assert_eq!(
        down.output,
        "replica 0 (quorum: 2 of 3 in `replicas` passed, 2 needed)"
    );
    assert_eq!(report.quorums.len(), 1);
    assert_eq!(
        (
            report.quorums[0].passed,
            report.quorums[0].of,
            report.quorums[0].needed
        ),
        (2, 3, 2)
    );
    assert!(report.root_causes.is_empty());
    // k − 1 pass: the failures stay failures and are root causes.
    let report = replicas(3, 2, 2).run().await;
    assert!(!report.is_success());
    assert!(!report.quorums[0].met());
    assert_eq!(report.root_causes, ["replica_0", "replica_1"]);
    assert_eq!(
        report.result("replica_1").unwrap().output,
        "replica 1 (quorum: 1 of 3 in `replicas` passed, 2 needed)"
    );
    // n of n needed: one down fails it; "any one" (1): one of three up passes.
    assert!(!replicas(3, 1, 3).run().await.is_success());
    assert!(replicas(3, 0, 3).run().await.is_success());
    assert!(replicas(3, 2, 1).run().await.is_success());
    // The Flask body says so.
    let endpoint = Endpoint::new(Arc::new(replicas(3, 1, 2)));
    let (_, body) = get_json(&endpoint, "/healthcheck").await;
    assert_eq!(
        body["quorums"]["replicas"],
        serde_json::json!({"passed": 2, "of": 3, "needed": 2})
    );
    // A quorum of a group no check is in, or of more than its members, is refused.
    let err = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::new("a", || async { true }).group("pair"))
        .quorum("pair", 2)
        .quorum("nobody", 1)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("quorum of group `pair`: needs 2 to pass, but the group has 1 checks"),
        "{err}"
    );
    assert!(
        err.contains("quorum of group `nobody`: no check is in this group"),
        "{err}"
    );
}

/// Two real servers: the orders service, whose database is down, and a gateway that
/// checks it over HTTP. The gateway's report names the orders service's database as
/// its root cause, and its own dependant as blocked by it.
#[tokio::test]
async fn another_services_root_causes_come_through_the_http_check() {
    let (db, _) = counted("db", &Arc::new(AtomicBool::new(true)));
    let (orders, _) = passing("orders");
    let orders_service = HealthCheck::builder()
        .linked_checks(false)
        .check(db)
        .check(orders.depends_on(["db"]))
        .build()
        .unwrap();
    let addr = support::servers::serve(
        support::servers::Adapter::Axum,
        Endpoint::new(orders_service),
    )
    .await;

    let client = healthcheck::checks::http::reqwest::Client::new();
    let url = format!("http://{addr}/healthcheck");
    let (checkout, checkout_runs) = passing("checkout");
    let gateway = HealthCheck::builder()
        .linked_checks(false)
        .check(healthcheck::checks::http::get("orders-svc", client, url))
        .check(checkout.depends_on(["orders-svc"]))
        .build()
        .unwrap();
    let report = gateway.run().await;
    assert_eq!(report.root_causes, ["orders-svc/db"]);
    let remote = report.result("orders-svc").unwrap();
    assert_eq!(remote.blocked_by, ["orders-svc/db"]);
    assert!(
        remote
            .output
            .ends_with("answered 503, expected 200–299; its root causes: db"),
        "{}",
        remote.output
    );
    let checkout = report.result("checkout").unwrap();
    assert_eq!(checkout.blocked_by, ["orders-svc/db"]);
    assert_eq!(checkout_runs.load(Ordering::SeqCst), 0);
    // The gateway served too, asked over its own socket.
    let gateway_addr =
        support::servers::serve(support::servers::Adapter::Axum, Endpoint::new(gateway)).await;
    let response = support::http::get(gateway_addr, "/healthcheck").await;
    assert_eq!(response.status, 503);
    let body: Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(body["root_causes"], serde_json::json!(["orders-svc/db"]));
    let checkout = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["checker"] == "checkout")
        .unwrap();
    assert_eq!(
        checkout["output"],
        format!("blocked by orders-svc/db: {}", remote.output)
    );
}
