use healthcheck::{health_check, State};

struct Pool;

#[health_check(name = "database")]
async fn database(pool: State<Pool>) -> (bool, String) {
    let _ = pool;
    (true, "ok".to_string())
}

fn main() {}
