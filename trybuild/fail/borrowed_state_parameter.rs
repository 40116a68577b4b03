use healthcheck::{State, health_check};

#[derive(Clone)]
struct Pool;

#[health_check(name = "db")]
async fn db(pool: State<&'static Pool>) -> bool {
    let _ = pool;
    true
}

fn main() {}
