use healthcheck::health_check;

#[health_check(name = "above_100", flapping_high = 120)]
async fn above_100() -> (bool, String) {
    (true, String::new())
}

#[health_check(name = "text_percent", flapping_low = "20")]
async fn text_percent() -> (bool, String) {
    (true, String::new())
}

#[health_check(name = "low_not_below_high", flapping_low = 40, flapping_high = 30.0)]
async fn low_not_below_high() -> (bool, String) {
    (true, String::new())
}

#[health_check(name = "policy", on_flapping = "sometimes")]
async fn policy() -> (bool, String) {
    (true, String::new())
}

#[health_check(name = "no_passes", success_threshold = 0)]
async fn no_passes() -> (bool, String) {
    (true, String::new())
}

fn main() {}
