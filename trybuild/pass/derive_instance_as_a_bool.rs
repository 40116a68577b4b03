//! `instance = true` reads as the bool keys do (`critical = false`): the same as a bare
//! `instance`; `instance = false` is a link-time checker.

use healthcheck::{Check, Checker, HealthCheck, async_trait};

#[derive(Checker)]
#[checker(name = "upstream", instance = true, timeout = "1s")]
struct Upstream {
    url: String,
}

#[async_trait]
impl Checker for Upstream {
    type Output = (bool, String);
    async fn check(&self) -> Self::Output {
        (true, format!("{} answered", self.url))
    }
}

#[derive(Checker)]
#[checker(name = "linked", instance = false)]
struct Linked;

#[async_trait]
impl Checker for Linked {
    type Output = bool;
    async fn check(&self) -> Self::Output {
        true
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let upstream = Upstream {
        url: "http://127.0.0.1:1".to_string(),
    };
    let health = HealthCheck::builder()
        .check(Check::from_checker(upstream))
        .build()
        .unwrap();
    assert_eq!(health.names(), ["linked", "upstream"]);
    let report = health.run().await;
    assert_eq!(report.result("upstream").unwrap().output, "http://127.0.0.1:1 answered");
}
