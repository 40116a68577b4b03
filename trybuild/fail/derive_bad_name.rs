use healthcheck::Checker;

#[derive(Checker)]
#[checker(name = "data base")]
struct Db;

#[healthcheck::async_trait]
impl healthcheck::Checker for Db {
    type Output = bool;
    async fn check(&self) -> bool {
        true
    }
}

fn main() {}
