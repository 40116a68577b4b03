use healthcheck::health_check;

#[health_check(name = "database")]
async unsafe fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
