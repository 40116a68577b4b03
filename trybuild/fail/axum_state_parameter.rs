use axum::extract::State;
use healthcheck::health_check;

#[derive(Clone)]
struct Pool;

#[health_check(name = "db")]
async fn db(pool: State<Pool>) -> bool {
    let _ = pool;
    true
}

fn main() {}
