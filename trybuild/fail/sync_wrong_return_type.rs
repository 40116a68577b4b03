use healthcheck::health_check;

#[health_check(name = "database")]
fn database() -> u8 {
    1
}

fn main() {}
