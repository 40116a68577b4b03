use healthcheck::health_check;

#[health_check(name = "database")]
const fn database() -> (bool, String) {
    (true, String::new())
}

fn main() {}
