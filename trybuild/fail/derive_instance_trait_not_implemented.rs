use healthcheck::Checker;

#[derive(Checker)]
#[checker(name = "db", instance)]
struct Db {
    url: String,
}

fn main() {}
