//! `impl Checker` as Rust writes async traits: `async fn check`, no attribute. Code
//! written for the `async-trait` form (`#[healthcheck::async_trait]`) still compiles.

use healthcheck::{Check, Checker, HealthCheck};

struct Ping {
    url: String,
}

impl Checker for Ping {
    type Output = Result<(), String>;

    async fn check(&self) -> Self::Output {
        tokio::task::yield_now().await;
        if self.url.is_empty() { Err("no url".into()) } else { Ok(()) }
    }
}

struct Legacy;

#[healthcheck::async_trait]
impl Checker for Legacy {
    type Output = bool;

    async fn check(&self) -> bool {
        true
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let health = HealthCheck::builder()
        .linked_checks(false)
        .check(Check::checker("ping", Ping { url: "http://127.0.0.1:1".into() }))
        .check(Check::checker("legacy", Legacy))
        .build()
        .unwrap();
    assert!(health.run().await.is_success());
}
