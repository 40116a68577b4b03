use healthcheck::health_check;

#[health_check(name = "database")]
async fn database() {}

fn main() {}
