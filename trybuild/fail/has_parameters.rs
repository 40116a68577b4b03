use healthcheck::health_check;

#[health_check(name = "database")]
async fn database(url: &'static str) -> (bool, String) {
    (true, format!("{url} ok"))
}

fn main() {}
