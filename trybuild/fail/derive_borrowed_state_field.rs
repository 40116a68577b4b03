use healthcheck::{Checker, State};

struct Pool;

#[derive(Checker)]
#[checker(name = "db")]
struct Db {
    pool: State<&'static Pool>,
}

#[healthcheck::async_trait]
impl healthcheck::Checker for Db {
    type Output = bool;
    async fn check(&self) -> bool {
        true
    }
}

fn main() {}
