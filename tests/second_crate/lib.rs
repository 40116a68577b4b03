//! Test fixture: health checks defined in a crate other than the one that collects them.

use healthcheck::health_check;

/// A check defined in this crate; the registry of any binary that links it finds it.
#[health_check(name = "second_crate.ping")]
pub async fn ping() -> (bool, String) {
    (true, "pong from the second crate".to_string())
}
