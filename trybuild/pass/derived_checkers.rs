//! Struct checks: link-time (named, tuple and unit structs of `State<T>`) and by value.

use healthcheck::{Check, Checker, HealthCheck, State, async_trait};

#[derive(Clone)]
struct Pool(u32);

#[derive(Checker)]
#[checker(name = "named_fields", timeout = "1s", tags = ["db"])]
struct Named {
    pool: State<Pool>,
}

#[derive(Checker)]
#[checker(name = "tuple_fields", kind = "liveness")]
struct Tuple(State<Pool>, State<String>);

#[derive(Checker)]
#[checker(name = "unit")]
struct Unit;

#[derive(Checker)]
#[checker(name = "by_value", instance, critical = false)]
struct ByValue {
    url: String,
}

#[async_trait]
impl Checker for Named {
    type Output = Result<u32, String>;
    async fn check(&self) -> Self::Output {
        Ok(self.pool.0 .0)
    }
}

#[async_trait]
impl Checker for Tuple {
    type Output = (bool, String);
    async fn check(&self) -> Self::Output {
        (self.0 .0 .0 > 0, self.1 .0.clone())
    }
}

#[async_trait]
impl Checker for Unit {
    type Output = bool;
    async fn check(&self) -> bool {
        true
    }
}

#[async_trait]
impl Checker for ByValue {
    type Output = Result<(), String>;
    async fn check(&self) -> Self::Output {
        if self.url.is_empty() { Err("no url".into()) } else { Ok(()) }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let health = HealthCheck::builder()
        .state(Pool(1))
        .state("up".to_string())
        .checker(ByValue { url: "http://x".into() })
        .check(Check::from_checker(ByValue { url: String::new() }).with_name("by_value_2"))
        .build()
        .unwrap();
    assert_eq!(
        health.names(),
        ["by_value", "by_value_2", "named_fields", "tuple_fields", "unit"]
    );
    let report = health.run().await;
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.result("named_fields").unwrap().output, "1");
    assert_eq!(report.result("tuple_fields").unwrap().output, "up");
}
