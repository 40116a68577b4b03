//! Which probes a check answers: liveness, readiness, startup.

use serde::Serialize;

/// The probe a check belongs to. A check may belong to several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Kind {
    /// Whether the process should be restarted: checks of the process itself, never of
    /// external services.
    Liveness,
    /// Whether the process should receive traffic; the default kind.
    Readiness,
    /// Whether the process has finished starting; until every startup check has passed
    /// once, the application is STARTING.
    Startup,
}

impl Kind {
    /// The kind as written in `kind = "…"` and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Liveness => "liveness",
            Kind::Readiness => "readiness",
            Kind::Startup => "startup",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
