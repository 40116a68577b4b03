//! Test fixture: health checks defined in a crate other than the one that collects them.

use healthcheck::health_check;

/// A check defined in this crate; the registry of any binary that links it finds it.
#[health_check(name = "second_crate.ping")]
pub async fn ping() -> (bool, String) {
    (true, "pong from the second crate".to_string())
}

/// A struct check defined in this crate, registered at link time by its derive.
#[derive(healthcheck::Checker)]
#[checker(name = "second_crate.struct_ping", kind = ["liveness", "readiness"])]
pub struct StructPing;

// The `async-trait` form earlier versions needed: still accepted, changing nothing.
#[healthcheck::async_trait]
impl healthcheck::Checker for StructPing {
    type Output = Result<(), String>;

    async fn check(&self) -> Self::Output {
        Ok(())
    }
}
