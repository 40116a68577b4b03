use healthcheck::health_check;

#[health_check(name = "orders", depends_on = ["orders"])]
async fn orders() -> (bool, String) {
    (true, String::new())
}

#[health_check(name = "billing", depends_on = ["db", "db"])]
async fn billing() -> (bool, String) {
    (true, String::new())
}

#[health_check(name = "reports", depends_on = ["data base", "services"])]
async fn reports() -> (bool, String) {
    (true, String::new())
}

fn main() {}
