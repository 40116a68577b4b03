//! The same endpoint served by each adapter on a real socket.

use std::net::SocketAddr;

use healthcheck::Endpoint;

/// One of the framework adapters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    Axum,
    Actix,
    Hyper,
}

pub const ADAPTERS: [Adapter; 3] = [Adapter::Axum, Adapter::Actix, Adapter::Hyper];

/// Serves `endpoint` with `adapter` on a free loopback port until the test ends.
pub async fn serve(adapter: Adapter, endpoint: Endpoint) -> SocketAddr {
    match adapter {
        Adapter::Axum => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let app = healthcheck::axum::router(endpoint);
            tokio::spawn(async move { axum::serve(listener, app).await });
            addr
        }
        Adapter::Hyper => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move {
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    let service = hyper_util::service::TowerToHyperService::new(endpoint.clone());
                    tokio::spawn(
                        hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
                    );
                }
            });
            addr
        }
        Adapter::Actix => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            // actix-web runs on its own single-threaded system, as in an actix application.
            std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    actix_web::HttpServer::new(move || {
                        actix_web::App::new()
                            .configure(healthcheck::actix::configure(endpoint.clone()))
                    })
                    .workers(1)
                    .disable_signals()
                    .listen(listener)
                    .unwrap()
                    .run()
                    .await
                })
            });
            addr
        }
    }
}
