//! actix-web 4: a service configuration serving an [`Endpoint`].
//!
//! ```no_run
//! # async fn serve(health: healthcheck::HealthCheck) -> std::io::Result<()> {
//! use actix_web::{App, HttpServer};
//! use healthcheck::Endpoint;
//!
//! let endpoint = Endpoint::new(health);
//! HttpServer::new(move || App::new().configure(healthcheck::actix::configure(endpoint.clone())))
//!     .bind("127.0.0.1:8000")?
//!     .run()
//!     .await
//! # }
//! ```
//!
//! actix-web 4 is built on `http` 0.2; requests and responses are converted field by
//! field to and from the `http` 1.x types the endpoint speaks.

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use healthcheck_core::http::{self, Method};

use healthcheck_core::Endpoint;

/// Registers `{base}`, `{base}/` and everything under `{base}/` for every method (with
/// the feature `status-page`, `{base}/events` as the streaming [`Endpoint::events`]).
pub fn configure(endpoint: Endpoint) -> impl Fn(&mut ServiceConfig) + Clone + Send + 'static {
    move |config: &mut ServiceConfig| {
        let base = endpoint.base();
        let root = if base.is_empty() { "/" } else { base };
        let mut patterns = vec![root.to_owned(), format!("{base}/{{rest:.*}}")];
        patterns.dedup();
        let endpoint = endpoint.clone();
        // The stream of changes has a body that streams: its own resource, first.
        #[cfg(feature = "status-page")]
        {
            let events = endpoint.clone();
            config.service(
                web::resource(format!("{base}/events")).route(web::route().to(
                    move |request: HttpRequest| {
                        let answer = stream(&events, &request);
                        async move { answer }
                    },
                )),
            );
        }
        config.service(web::resource(patterns).route(web::route().to(
            move |request: HttpRequest| {
                let endpoint = endpoint.clone();
                async move { respond(&endpoint, &request).await }
            },
        )));
    }
}

/// `{base}/events`: the endpoint's stream, sent as actix-web's streaming body.
#[cfg(feature = "status-page")]
fn stream(endpoint: &Endpoint, request: &HttpRequest) -> HttpResponse {
    let mut converted = http::Request::builder()
        .uri(request.uri().to_string())
        .method(request.method().as_str());
    for (name, value) in request.headers() {
        converted = converted.header(name.as_str(), value.as_bytes());
    }
    let response = match converted.body(()) {
        Ok(converted) => endpoint.events(&converted),
        Err(err) => return unreadable(&err),
    };
    let (parts, body) = response.into_parts();
    let mut answer = HttpResponse::build(status_of(parts.status));
    for (name, value) in &parts.headers {
        answer.append_header((name.as_str(), value.as_bytes()));
    }
    answer.streaming(body)
}

/// actix-web parsed the request already, so this takes a method http 1.x refuses.
fn unreadable(err: &http::Error) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("application/json")
        .insert_header(("cache-control", "no-store"))
        .body(format!(
            "{{\"error\":{},\"status\":400}}",
            serde_json::Value::String(format!("unreadable request: {err}"))
        ))
}

fn status_of(status: http::StatusCode) -> actix_web::http::StatusCode {
    actix_web::http::StatusCode::from_u16(status.as_u16())
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR)
}

async fn respond(endpoint: &Endpoint, request: &HttpRequest) -> HttpResponse {
    let is_head = request.method() == actix_web::http::Method::HEAD;
    let mut converted = http::Request::builder().uri(request.uri().to_string());
    // actix-web leaves out the body of a HEAD answer itself and keeps its length, so
    // the endpoint is asked as for GET.
    converted = match is_head {
        true => converted.method(Method::GET),
        false => converted.method(request.method().as_str()),
    };
    for (name, value) in request.headers() {
        converted = converted.header(name.as_str(), value.as_bytes());
    }
    // The endpoint's future does not borrow the converted request, which is dropped
    // before the wait.
    let answer = match converted.body(()) {
        Ok(converted) => endpoint.respond(&converted),
        Err(err) => return unreadable(&err),
    };
    let response = answer.await;
    let mut answer = HttpResponse::build(status_of(response.status()));
    for (name, value) in response.headers() {
        answer.append_header((name.as_str(), value.as_bytes()));
    }
    answer.body(response.into_body())
}
