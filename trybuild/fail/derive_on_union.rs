use healthcheck::Checker;

#[derive(Checker)]
#[checker(name = "db")]
union Db {
    port: u16,
}

#[healthcheck::async_trait]
impl healthcheck::Checker for Db {
    type Output = bool;
    async fn check(&self) -> bool {
        true
    }
}

fn main() {}
