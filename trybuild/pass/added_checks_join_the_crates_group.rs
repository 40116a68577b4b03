//! A check added in code (a built-in, `Check::new`) that names no group joins the group
//! of the application's `#[health_check]` functions (their crate's): one service's checks
//! are not split between `default` and the crate's name.

use healthcheck::{Check, HealthCheck, health_check};

#[health_check(name = "db")]
async fn db() -> (bool, String) {
    (true, "db ok".to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let health = HealthCheck::builder()
        .check(Check::new("cache", || async { (true, "cache ok".to_string()) }))
        .check(Check::new("edge", || async { (true, "edge ok".to_string()) }).group("edge"))
        .check(healthcheck::checks::runtime::responsive("runtime"))
        .build()
        .unwrap();
    let group_of = |name: &str| health.check(name).unwrap().group_name().to_owned();
    assert_ne!(group_of("db"), "default");
    assert_eq!(group_of("cache"), group_of("db"));
    assert_eq!(group_of("runtime"), group_of("db"));
    assert_eq!(group_of("edge"), "edge", "a group named stays");
    assert_eq!(health.groups().len(), 2);
    let _ = db;
}
