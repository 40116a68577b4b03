use healthcheck::Checker;

#[derive(Checker)]
#[checker(name = "db")]
struct Db<T> {
    pool: healthcheck::State<T>,
}

fn main() {}
