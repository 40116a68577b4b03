//! Feature `grpc`: the registry as a `grpc.health.v1.Health` service, for gRPC load
//! balancers, Envoy and Kubernetes' gRPC probes.
//!
//! ```no_run
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let health = healthcheck::HealthCheck::collect()?;
//! tonic::transport::Server::builder()
//!     .add_service(healthcheck::grpc::server(health.clone()))
//!     // .add_service(your own services)
//!     .serve_with_shutdown("127.0.0.1:50051".parse()?, health.shutdown_signal())
//!     .await?;
//! # Ok(())
//! # }
//! ```

use std::pin::Pin;
use std::time::{Duration, SystemTime};

use futures_util::Stream;
use tokio::sync::{mpsc, watch};
use tonic::{Request, Response, Status};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_server::{Health, HealthServer};
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

use crate::kind::Probe;

use crate::registry::{Asker, HealthCheck};
use crate::report::Report;
use crate::selection::Selection;
use crate::status_codes::StatusCodes;
/// The gRPC crates this service is built on (tonic 0.14, tonic-health 0.14), re-exported
/// so that an application serves it with exactly those versions.
pub use {tonic, tonic_health};

/// The longest a `Watch` waits before looking again when nothing was told to change:
/// a cached result expiring is not a change until a run says so.
pub const WATCH_RECHECK_MAX: Duration = Duration::from_secs(30);

/// The shortest such wait, so a check that caches nothing (a zero TTL) is not run in
/// a loop by its watchers.
pub const WATCH_RECHECK_MIN: Duration = Duration::from_secs(1);

/// The `grpc.health.v1.Health` service over a registry.
///
/// - Service `""`: the readiness probe's overall status: `SERVING` when the
///   readiness probe would answer 2xx (the default [`StatusCodes`]), else `NOT_SERVING`.
/// - A check's name: that check: `SERVING` when it passes (or warns), else
///   `NOT_SERVING`. Any other name: `NOT_FOUND` (`Check`), `SERVICE_UNKNOWN` (`Watch`).
/// - Once shutdown has begun, every service is `NOT_SERVING`: a `Watch` hears it at once,
///   and its stream ends when the drain is over (the future of
///   [`HealthCheck::shutdown_signal`] or [`HealthCheck::shutdown_on`] resolves), so the
///   server's graceful shutdown does not wait for it.
///
/// Answers read through the same cache and single-flight as the HTTP endpoint: a
/// `Check` or `Watch` runs a check only when its cached result has expired.
#[derive(Debug, Clone)]
pub struct HealthService {
    health: HealthCheck,
    status_codes: StatusCodes,
}

/// `grpc.health.v1.Health` for `health`, ready for `tonic`'s `Server::add_service`.
pub fn server(health: impl Into<HealthCheck>) -> HealthServer<HealthService> {
    HealthServer::new(HealthService::new(health))
}

impl HealthService {
    /// The service over `health`, with the default status codes.
    pub fn new(health: impl Into<HealthCheck>) -> Self {
        HealthService {
            health: health.into(),
            status_codes: StatusCodes::default(),
        }
    }

    /// Reads the overall status (service `""`) from `codes` instead of the defaults.
    #[must_use]
    pub fn status_codes(mut self, codes: StatusCodes) -> Self {
        self.status_codes = codes;
        self
    }

    /// The status of `service` now, and when it may change without being told (the
    /// earliest expiry among the results read); `None` for an unknown service.
    async fn status(&self, service: &str) -> Option<(ServingStatus, SystemTime)> {
        // Once shutdown has begun the phase alone decides, whatever follows it (STOPPED,
        // or DOWN after a failed hook): nothing is run or awaited.
        if self.health.shutdown_begun() {
            let known = service.is_empty() || self.health.check(service).is_some();
            let recheck = SystemTime::now() + WATCH_RECHECK_MAX;
            return known.then_some((ServingStatus::NotServing, recheck));
        }
        let selection = if service.is_empty() {
            Selection::probe(Probe::Readiness)
        } else {
            Selection::named([service])
        };
        // One snapshot decides both whether the check exists and what runs.
        let ran = self.health.run_selected(&selection, Asker::Probe).await;
        if ran.unknown.is_some() {
            return None;
        }
        let report = ran.report;
        let status = if service.is_empty() {
            serving_if(
                self.status_codes
                    .get(Probe::Readiness, report.phase)
                    .is_success(),
            )
        } else {
            serving_if(report.results.iter().all(|result| result.passed))
        };
        Some((status, earliest_expiry(&report)))
    }
}

/// Resolves once shutdown has begun (at once if it has).
async fn until_shutdown_begins(health: &HealthCheck, mut changes: watch::Receiver<u64>) {
    while !health.shutdown_begun() {
        if changes.changed().await.is_err() {
            // The registry is gone: shutdown never comes.
            std::future::pending::<()>().await;
        }
    }
}

fn serving_if(serving: bool) -> ServingStatus {
    if serving {
        ServingStatus::Serving
    } else {
        ServingStatus::NotServing
    }
}

fn earliest_expiry(report: &Report) -> SystemTime {
    report
        .results
        .iter()
        .map(|result| result.expires)
        .min()
        .unwrap_or(report.timestamp + WATCH_RECHECK_MAX)
}

fn response(status: ServingStatus) -> HealthCheckResponse {
    HealthCheckResponse {
        status: status as i32,
    }
}

/// The stream a `Watch` answers with.
pub type WatchStream = Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

#[tonic::async_trait]
impl Health for HealthService {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        let service = request.into_inner().service;
        match self.status(&service).await {
            Some((status, _)) => Ok(Response::new(response(status))),
            None => Err(Status::not_found(format!(
                "no check named {service:?}; ask for \"\" (the readiness probe) or a check's name"
            ))),
        }
    }

    type WatchStream = WatchStream;

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<WatchStream>, Status> {
        let service = request.into_inner().service;
        let (sender, receiver) = mpsc::channel(4);
        let changes = self.health.changes();
        tokio::spawn(watch_service(self.clone(), service, changes, sender));
        let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|message| (message, receiver))
        });
        Ok(Response::new(Box::pin(stream)))
    }
}

/// Sends `service`'s status when the watch starts and whenever it changes, until the
/// client goes away. Wakes on every change the registry is told (a check's status, the
/// phase), or when the earliest cached result expires (bounded both ways).
async fn watch_service(
    service_of: HealthService,
    service: String,
    mut changes: watch::Receiver<u64>,
    sender: mpsc::Sender<Result<HealthCheckResponse, Status>>,
) {
    let mut last = None;
    loop {
        changes.borrow_and_update();
        // A slow check's run is not waited for once shutdown begins: it is told at once.
        let shutdown = until_shutdown_begins(&service_of.health, changes.clone());
        let status = tokio::select! {
            biased;
            () = shutdown => service_of.status(&service).await,
            known = service_of.status(&service) => known,
        };
        let (status, expires) = match status {
            Some(known) => known,
            None => (
                ServingStatus::ServiceUnknown,
                SystemTime::now() + WATCH_RECHECK_MAX,
            ),
        };
        if last != Some(status) {
            if sender.send(Ok(response(status))).await.is_err() {
                return;
            }
            last = Some(status);
        }
        // The drain is over and the server is closing: end the stream, or its graceful
        // shutdown would wait for it forever.
        if service_of.health.is_drained() {
            return;
        }
        let wait = expires
            .duration_since(SystemTime::now())
            .unwrap_or_default()
            .clamp(WATCH_RECHECK_MIN, WATCH_RECHECK_MAX);
        tokio::select! {
            () = sender.closed() => return,
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            () = tokio::time::sleep(wait) => {}
        }
    }
}
