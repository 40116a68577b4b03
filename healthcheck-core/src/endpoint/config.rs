//! What an endpoint is configured with: the registry, the base path, the details policy,
//! the status codes and the formats. Shared by the plan, the response and the endpoint.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::details::Details;
use crate::format::{self, Format};
use crate::registry::HealthCheck;
use crate::status_codes::StatusCodes;

#[derive(Clone)]
pub(crate) struct Config {
    /// Unique to this configuration (a changed copy gets its own): whose answers the
    /// answer cache gives.
    pub(crate) id: u64,
    pub(crate) health: HealthCheck,
    /// `""` for the root, else `/name`.
    pub(crate) base: String,
    pub(crate) details: Details,
    pub(crate) status_codes: StatusCodes,
    /// The format when the request names none.
    pub(crate) format: Arc<dyn Format>,
    /// The formats `?format=` can name, built-in and added, in `Accept` preference order.
    pub(crate) formats: Vec<(String, Arc<dyn Format>)>,
    /// The most event streams open at once.
    #[cfg(feature = "status-page")]
    pub(crate) max_event_streams: usize,
}

impl Config {
    pub(crate) fn new(health: HealthCheck) -> Self {
        Config {
            id: next_id(),
            health,
            base: crate::endpoint::DEFAULT_BASE_PATH.to_owned(),
            details: Details::Always,
            status_codes: StatusCodes::default(),
            format: Arc::new(format::Flask),
            formats: builtin_formats(),
            #[cfg(feature = "status-page")]
            max_event_streams: super::MAX_EVENT_STREAMS,
        }
    }

    /// The format at `index` among the named ones, or the default for `None`.
    pub(crate) fn format(&self, index: Option<usize>) -> &dyn Format {
        match index {
            Some(index) => &*self.formats[index].1,
            None => &*self.format,
        }
    }

    /// A new id, for a configuration that changed.
    pub(crate) fn renew_id(&mut self) {
        self.id = next_id();
    }
}

/// The formats every endpoint knows by name, in `Accept` preference order.
fn builtin_formats() -> Vec<(String, Arc<dyn Format>)> {
    let formats: [(&str, Arc<dyn Format>); 7] = [
        ("flask", Arc::new(format::Flask)),
        ("ietf", Arc::new(format::Ietf)),
        ("microprofile", Arc::new(format::MicroProfile)),
        ("spring", Arc::new(format::Spring)),
        ("nablarch", Arc::new(format::Nablarch::default())),
        ("kubernetes", Arc::new(format::Kubernetes)),
        ("prometheus", Arc::new(format::Prometheus)),
    ];
    formats
        .into_iter()
        .map(|(name, format)| (name.to_owned(), format))
        .collect()
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
