use healthcheck::health_check;

#[health_check(name = "a_name_that_goes_on_and_on_well_past_the_limit_of_sixty_four_chars")]
async fn database() -> (bool, String) {
    (true, "ok".to_string())
}

fn main() {}
