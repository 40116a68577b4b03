//! Two `#[health_check]` functions with one name, in different modules of one binary.

use healthcheck::{HealthCheck, Problem};

mod billing {
    #[healthcheck::health_check(name = "database")]
    pub async fn database() -> (bool, String) {
        (true, "billing db ok".to_string())
    }
}

mod orders {
    #[healthcheck::health_check(name = "database")]
    pub async fn database() -> (bool, String) {
        (true, "orders db ok".to_string())
    }
}

#[test]
fn collect_returns_an_error_naming_the_name_and_both_locations_instead_of_panicking() {
    let err = HealthCheck::collect().unwrap_err();
    let [
        Problem::DuplicateName {
            name,
            first,
            second,
        },
    ] = err.problems()
    else {
        panic!("expected a duplicate-name error, got {err:?}");
    };
    assert_eq!(name, "database");
    let mut lines = [first.line, second.line];
    lines.sort_unstable();
    assert_eq!(lines, [6, 13]);
    let message = err.to_string();
    assert!(message.contains("`database`"), "{message}");
    assert!(message.contains("tests/duplicate_names.rs:6"), "{message}");
    assert!(message.contains("tests/duplicate_names.rs:13"), "{message}");
    let _ = (billing::database, orders::database);
}
