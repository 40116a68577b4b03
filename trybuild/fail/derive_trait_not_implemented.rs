use healthcheck::Checker;

#[derive(Checker)]
#[checker(name = "db")]
struct Db;

fn main() {}
