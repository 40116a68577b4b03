use healthcheck::health_check;

#[health_check(name = "database")]
struct Database {
    url: String,
}

fn main() {}
