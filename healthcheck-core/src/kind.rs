//! Which probes a check answers (liveness, readiness, startup), and what a request asks
//! about (a [`Probe`]).

use serde::{Serialize, Serializer};

/// The probe a check belongs to. A check may belong to several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
    /// Every kind, in the order of the shared spelling list (`healthcheck_rules::KINDS`);
    /// the macro names a kind by its place here.
    #[doc(hidden)]
    pub const ALL: [Kind; 3] = [Kind::Liveness, Kind::Readiness, Kind::Startup];

    /// The kind as written in `kind = "…"` and in URLs.
    pub fn as_str(self) -> &'static str {
        let index = match self {
            Kind::Liveness => 0,
            Kind::Readiness => 1,
            Kind::Startup => 2,
        };
        healthcheck_rules::KINDS[index]
    }
}

/// `"liveness"`, `"readiness"` or `"startup"`.
impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit_variant("Kind", *self as u32, self.as_str())
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a request asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Probe {
    /// Every check (`GET {base}`), or one check by name (`GET {base}/{name}`).
    Combined,
    /// Liveness checks (`GET {base}/live`).
    Liveness,
    /// Readiness checks (`GET {base}/ready`).
    Readiness,
    /// Startup checks (`GET {base}/startup`).
    Startup,
}

impl Probe {
    /// Whether a check of `kinds` answers this probe.
    pub(crate) fn covers(self, kinds: &[Kind]) -> bool {
        match self {
            Probe::Combined => true,
            Probe::Liveness => kinds.contains(&Kind::Liveness),
            Probe::Readiness => kinds.contains(&Kind::Readiness),
            Probe::Startup => kinds.contains(&Kind::Startup),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn every_kind_is_spelled_as_the_shared_list_has_it_at_its_place() {
        for (index, kind) in Kind::ALL.iter().enumerate() {
            assert_eq!(kind.as_str(), healthcheck_rules::KINDS[index]);
        }
    }
}
