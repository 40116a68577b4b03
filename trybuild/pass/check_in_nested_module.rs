mod outer {
    pub mod inner {
        use healthcheck::health_check;

        #[health_check(name = "nested.check")]
        pub(crate) async fn nested() -> (bool, String) {
            (true, "nested ok".to_string())
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let health = healthcheck::HealthCheck::collect().unwrap();
    let check = health.check("nested.check").unwrap();
    // trybuild names the crate itself, so only the module part is known here.
    let module_path = check.location().module_path.unwrap();
    assert!(module_path.ends_with("::outer::inner"), "{module_path}");
    assert!(health.run().await.is_success());
    let _ = outer::inner::nested;
}
