use healthcheck::Checker;

#[derive(Checker)]
#[checker(timeout = "2s")]
struct Db;

#[healthcheck::async_trait]
impl healthcheck::Checker for Db {
    type Output = bool;
    async fn check(&self) -> bool {
        true
    }
}

fn main() {}
