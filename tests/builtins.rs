//! The built-in checks against the real servers of this machine (PostgreSQL, MariaDB,
//! Redis, RabbitMQ, NATS) and a local HTTP server, each through a TCP proxy of the
//! test's own: it passes, fails with the root cause when the proxy is cut, fails at
//! its timeout (not later) when the proxy is blackholed, and passes again once healed.
//! The shared servers are never stopped or reconfigured.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use healthcheck::{Check, HealthCheck, Report, checks};
use support::backing::{self, Server};
use support::proxy::Proxy;
use tokio::time::Instant;

/// The timeout every check here runs under.
const TIMEOUT: Duration = Duration::from_secs(1);

/// One built-in check and how its client behaves under the faults.
struct Case {
    server: Option<&'static Server>,
    /// Builds the check against the proxy's address (connecting if its client must).
    make: fn(SocketAddr) -> BoxFuture<'static, Check>,
    /// Text one of which a failure after the cut must contain: the root cause.
    cut_causes: &'static [&'static str],
    /// Whether the client reconnects by itself after its connection was dropped (a
    /// pool or a reconnecting client); if not, healing is shown after a blackhole.
    reconnects: bool,
}

/// A registry of `check` alone, never cached, under [`TIMEOUT`].
fn registry(check: Check) -> HealthCheck {
    HealthCheck::builder()
        .linked_checks(false)
        .check(
            check
                .with_name("dependency")
                .timeout(TIMEOUT)
                .success_ttl(Duration::ZERO)
                .failed_ttl(Duration::ZERO),
        )
        .build()
        .unwrap()
}

/// The proxy in front of the case's server (or `upstream`), and the registry; `None`
/// when the server is down outside CI.
async fn setup(case: &Case, upstream: Option<SocketAddr>) -> Option<(Proxy, HealthCheck)> {
    if let Some(server) = case.server
        && !server.available().await
    {
        return None;
    }
    let upstream = upstream.or(case.server.map(Server::addr)).unwrap();
    let proxy = Proxy::start(upstream).await;
    let check = (case.make)(proxy.addr()).await;
    Some((proxy, registry(check)))
}

fn output(report: &Report) -> String {
    report.results[0].output.clone()
}

async fn passes(case: &Case, upstream: Option<SocketAddr>) {
    let Some((_proxy, health)) = setup(case, upstream).await else {
        return;
    };
    let report = health.run().await;
    let result = &report.results[0];
    assert!(result.passed, "{}", result.output);
    assert!(result.output.contains("answered in"), "{}", result.output);
    assert_eq!(result.details["observedUnit"], "ms", "latency observed");
    assert!(result.response_time < TIMEOUT);
}

async fn fails_with_the_root_cause_when_cut(case: &Case, upstream: Option<SocketAddr>) {
    let Some((proxy, health)) = setup(case, upstream).await else {
        return;
    };
    assert!(
        health.run().await.is_success(),
        "{}",
        output(&health.run().await)
    );
    proxy.cut().await;
    let mut outputs = Vec::new();
    for _ in 0..30 {
        let report = health.run().await;
        assert!(!report.is_success(), "passed through a cut proxy");
        let text = output(&report);
        if case.cut_causes.iter().any(|cause| text.contains(cause)) {
            return;
        }
        outputs.push(text);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "no failure named the cause {:?}: {outputs:#?}",
        case.cut_causes
    );
}

async fn fails_at_its_timeout_when_blackholed(case: &Case, upstream: Option<SocketAddr>) {
    let Some((proxy, health)) = setup(case, upstream).await else {
        return;
    };
    assert!(health.run().await.is_success());
    proxy.blackhole();
    let started = Instant::now();
    let report = health.run().await;
    let took = started.elapsed();
    assert!(!report.is_success(), "passed through a blackhole");
    // A client with a shorter timeout of its own (redis' response timeout) fails first.
    if output(&report) == "check timed out after 1s" {
        assert!(took >= TIMEOUT, "timed out early, after {took:?}");
    }
    assert!(
        took < TIMEOUT + Duration::from_millis(500),
        "failed after {took:?}, later than its 1 s timeout: {}",
        output(&report)
    );
}

async fn passes_again_once_healed(case: &Case, upstream: Option<SocketAddr>) {
    let Some((proxy, health)) = setup(case, upstream).await else {
        return;
    };
    assert!(health.run().await.is_success());
    if case.reconnects {
        proxy.cut().await;
    } else {
        proxy.blackhole();
    }
    assert!(!health.run().await.is_success(), "the fault shows");
    proxy.heal();
    // Clients reconnect with a backoff of their own: bounded.
    for _ in 0..100 {
        if health.run().await.is_success() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "still failing after the heal: {}",
        output(&health.run().await)
    );
}

/// The four fault tests of one case.
macro_rules! faults {
    ($module:ident, $case:expr) => {
        faults!($module, $case, None);
    };
    ($module:ident, $case:expr, $upstream:expr) => {
        mod $module {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn passes_through_the_proxy() {
                super::passes(&$case, $upstream).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn fails_with_the_root_cause_when_the_connection_is_cut() {
                super::fails_with_the_root_cause_when_cut(&$case, $upstream).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn fails_at_its_timeout_not_later_when_blackholed() {
                super::fails_at_its_timeout_when_blackholed(&$case, $upstream).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn passes_once_the_proxy_heals() {
                super::passes_again_once_healed(&$case, $upstream).await;
            }
        }
    };
}

const REFUSED: &[&str] = &["Connection refused"];

fn postgres_config(addr: SocketAddr) -> deadpool_postgres::Config {
    let mut config = deadpool_postgres::Config::new();
    config.host = Some(addr.ip().to_string());
    config.port = Some(addr.port());
    config.user = Some("postgres".into());
    config.password = Some("hunter2".into());
    config.dbname = Some("test".into());
    config
}

const POSTGRES_POOL: Case = Case {
    server: Some(&backing::POSTGRES),
    make: |addr| {
        Box::pin(async move {
            let pool = postgres_config(addr)
                .create_pool(
                    Some(deadpool_postgres::Runtime::Tokio1),
                    tokio_postgres::NoTls,
                )
                .unwrap();
            checks::postgres::pool("postgres", pool)
        })
    },
    cut_causes: REFUSED,
    reconnects: true,
};
faults!(postgres_pool, POSTGRES_POOL);

const POSTGRES_CLIENT: Case = Case {
    server: Some(&backing::POSTGRES),
    make: |addr| {
        Box::pin(async move {
            let config = format!(
                "host={} port={} user=postgres password=hunter2 dbname=test",
                addr.ip(),
                addr.port()
            );
            let (client, connection) = tokio_postgres::connect(&config, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            checks::postgres::client("postgres", Arc::new(client))
        })
    },
    cut_causes: &["connection closed"],
    reconnects: false,
};
faults!(postgres_client, POSTGRES_CLIENT);

const MARIADB: Case = Case {
    server: Some(&backing::MARIADB),
    make: |addr| {
        Box::pin(async move {
            // Over TCP only: by default mysql_async moves a loopback connection to the
            // server's Unix socket, which would bypass the proxy.
            let url = format!("mysql://root@{addr}/test?prefer_socket=false");
            checks::mysql::pool("mariadb", mysql_async::Pool::new(url.as_str()))
        })
    },
    cut_causes: REFUSED,
    reconnects: true,
};
faults!(mariadb, MARIADB);

const REDIS: Case = Case {
    server: Some(&backing::REDIS),
    make: |addr| {
        Box::pin(async move {
            let client = redis::Client::open(format!("redis://{addr}/")).unwrap();
            let manager = client.get_connection_manager().await.unwrap();
            checks::redis::connection("redis", manager)
        })
    },
    cut_causes: REFUSED,
    reconnects: true,
};
faults!(redis_manager, REDIS);

const RABBITMQ: Case = Case {
    server: Some(&backing::RABBITMQ),
    make: |addr| {
        Box::pin(async move {
            let url = format!("amqp://guest:guest@{addr}/%2f");
            let connection =
                lapin::Connection::connect(&url, lapin::ConnectionProperties::default())
                    .await
                    .unwrap();
            checks::rabbitmq::connection("rabbitmq", Arc::new(connection))
        })
    },
    cut_causes: &["the RabbitMQ connection is"],
    reconnects: false,
};
faults!(rabbitmq, RABBITMQ);

const NATS: Case = Case {
    server: Some(&backing::NATS),
    make: |addr| {
        Box::pin(async move {
            let client = async_nats::connect(addr.to_string()).await.unwrap();
            checks::nats::client("nats", client)
        })
    },
    cut_causes: &["the NATS connection is disconnected", "NATS publish failed"],
    reconnects: true,
};
faults!(nats, NATS);

/// A local HTTP server answering `GET /health` with `status: ok`.
async fn http_upstream() -> SocketAddr {
    use axum::routing::get;
    let app = axum::Router::new().route("/health", get(|| async { "status: ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

const HTTP: Case = Case {
    server: None,
    make: |addr| {
        Box::pin(async move {
            let url = format!("http://user:hunter2@{addr}/health?token=s3cret");
            let endpoint = checks::http::HttpEndpoint::new(reqwest::Client::new(), url)
                .body_contains("status: ok");
            Check::checker("http", endpoint)
        })
    },
    cut_causes: REFUSED,
    reconnects: true,
};
faults!(http, HTTP, Some(http_upstream().await));

const TCP: Case = Case {
    server: Some(&backing::POSTGRES),
    make: |addr| Box::pin(async move { checks::tcp::connect("tcp", addr.to_string()) }),
    cut_causes: REFUSED,
    reconnects: true,
};

// A blackhole that accepts cannot hold up a bare connect, so TCP has three of the four.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_passes_fails_with_refused_when_cut_and_heals() {
    passes(&TCP, None).await;
    fails_with_the_root_cause_when_cut(&TCP, None).await;
    passes_again_once_healed(&TCP, None).await;
}

/// Every output and detail of `report`, as text: the Flask JSON an endpoint serves.
fn everything(report: &Report) -> String {
    report.to_response().into_body()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_password_token_or_connection_string_reaches_an_output_or_detail() {
    let upstream = http_upstream().await;
    let proxy = Proxy::start(upstream).await;
    let health = registry((HTTP.make)(proxy.addr()).await);
    let mut seen = vec![everything(&health.run().await)];
    proxy.cut().await;
    seen.push(everything(&health.run().await));
    // A wrong answer names the URL too.
    let wrong = checks::http::HttpEndpoint::new(
        reqwest::Client::new(),
        format!("http://user:hunter2@{upstream}/missing?token=s3cret"),
    );
    seen.push(everything(
        &registry(Check::checker("http", wrong)).run().await,
    ));
    let bad_tcp = checks::tcp::connect("tcp", "user:hunter2@127.0.0.1:1");
    seen.push(everything(&registry(bad_tcp).run().await));

    if backing::POSTGRES.available().await {
        let pg = Proxy::start(backing::POSTGRES.addr()).await;
        let health = registry((POSTGRES_POOL.make)(pg.addr()).await);
        seen.push(everything(&health.run().await));
        pg.cut().await;
        seen.push(everything(&health.run().await));
    }
    if backing::MARIADB.available().await {
        // A wrong password: the server's refusal must not echo it.
        let url = format!(
            "mysql://root:hunter2@{}/test?prefer_socket=false",
            backing::MARIADB.addr
        );
        let pool = mysql_async::Pool::new(url.as_str());
        let report = registry(checks::mysql::pool("mariadb", pool)).run().await;
        assert!(!report.is_success(), "the wrong password was refused");
        seen.push(everything(&report));
    }
    if backing::REDIS.available().await {
        let client =
            redis::Client::open(format!("redis://:hunter2@{}/", backing::REDIS.addr)).unwrap();
        if let Ok(connection) = client.get_multiplexed_async_connection().await {
            seen.push(everything(
                &registry(checks::redis::connection("redis", connection))
                    .run()
                    .await,
            ));
        }
    }
    for text in &seen {
        assert!(!text.contains("hunter2"), "a password leaked: {text}");
        assert!(!text.contains("s3cret"), "a token leaked: {text}");
    }
    assert!(
        seen.iter().any(|text| text.contains("user:***@")),
        "{seen:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_postgres_pool_names_every_cause_down_to_the_refusal() {
    if !backing::POSTGRES.available().await {
        return;
    }
    let proxy = Proxy::start(backing::POSTGRES.addr()).await;
    let health = registry((POSTGRES_POOL.make)(proxy.addr()).await);
    proxy.cut().await;
    let report = health.run().await;
    assert_eq!(
        output(&report),
        "cannot get a PostgreSQL connection: Error occurred while creating a new object: \
         error connecting to server: Connection refused (os error 111)"
    );
    assert_eq!(report.results[0].details["pool_size"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_replies_late_are_judged_by_the_checks_timeout_or_name_the_clients() {
    if !backing::REDIS.available().await {
        return;
    }
    let proxy = Proxy::start(backing::REDIS.addr()).await;
    let client = redis::Client::open(format!("redis://{}/", proxy.addr())).unwrap();
    let registry_of = |manager| {
        HealthCheck::builder()
            .linked_checks(false)
            .check(
                Check::checker(
                    "redis",
                    checks::redis::Redis::new(manager).slow_after(Duration::from_millis(300)),
                )
                .timeout(Duration::from_secs(5))
                .success_ttl(Duration::ZERO)
                .failed_ttl(Duration::ZERO),
            )
            .build()
            .unwrap()
    };
    // The client's own response timeout out of the way: the check's 5 s governs, so a
    // reply 0.6 s late is a slow pass, a warning.
    let config = redis::aio::ConnectionManagerConfig::new().set_response_timeout(None);
    let patient = client
        .get_connection_manager_with_config(config)
        .await
        .unwrap();
    let patient = registry_of(patient);
    // redis' default, 500 ms: it fires first, and the failure says which timeout it was.
    let hasty = client.get_connection_manager().await.unwrap();
    let hasty = registry_of(hasty);
    assert!(patient.run().await.is_success());
    assert!(hasty.run().await.is_success());
    proxy.late(Duration::from_millis(600));
    let report = patient.run().await;
    let result = &report.results[0];
    assert_eq!(
        result.status,
        healthcheck::HealthStatus::Warn,
        "{}",
        result.output
    );
    assert!(
        result.output.contains("slower than 300ms"),
        "{}",
        result.output
    );
    let report = hasty.run().await;
    let output = &report.results[0].output;
    assert!(!report.is_success(), "{output}");
    assert!(
        output.contains("the Redis client's own response timeout fired")
            && output.contains("set_response_timeout"),
        "{output}"
    );
}
