//! The HTTP status code of each probe in each phase: the Cloud Health Connect table,
//! every cell configurable.

use http::StatusCode;

use crate::kind::Probe;
use crate::lifecycle::Phase;

const PROBES: usize = 4;
const PHASES: usize = 5;

/// The status code for each probe in each phase.
///
/// The default is Cloud Health Connect's table, with a startup column that answers 200
/// only once started:
///
/// | phase | readiness | liveness | combined | startup |
/// |---|---|---|---|---|
/// | STARTING | 503 | 200 | 503 | 503 |
/// | UP | 200 | 200 | 200 | 200 |
/// | DOWN | 503 | 503 | 503 | 503 |
/// | STOPPING | 503 | 503 | 503 | 503 |
/// | STOPPED | 503 | 503 | 503 | 503 |
///
/// ```
/// use healthcheck::{Phase, Probe, StatusCodes};
/// use http::StatusCode;
///
/// // Flask healthcheck answers 500 for a failure.
/// let codes = StatusCodes::default().set(Probe::Combined, Phase::Down, StatusCode::INTERNAL_SERVER_ERROR);
/// assert_eq!(codes.get(Probe::Combined, Phase::Down), 500);
/// assert_eq!(codes.get(Probe::Liveness, Phase::Starting), 200);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCodes {
    table: [[StatusCode; PHASES]; PROBES],
}

impl Default for StatusCodes {
    fn default() -> Self {
        const OK: StatusCode = StatusCode::OK;
        const UNAVAILABLE: StatusCode = StatusCode::SERVICE_UNAVAILABLE;
        let only_up = [UNAVAILABLE, OK, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE];
        let mut table = [only_up; PROBES];
        // Liveness stays 200 while starting: a slow start is no reason to restart.
        table[probe_index(Probe::Liveness)][phase_index(Phase::Starting)] = OK;
        StatusCodes { table }
    }
}

impl StatusCodes {
    /// The code `probe` answers in `phase`.
    pub fn get(&self, probe: Probe, phase: Phase) -> StatusCode {
        self.table[probe_index(probe)][phase_index(phase)]
    }

    /// Answers `code` for `probe` in `phase`.
    #[must_use]
    pub fn set(mut self, probe: Probe, phase: Phase, code: StatusCode) -> Self {
        self.table[probe_index(probe)][phase_index(phase)] = code;
        self
    }
}

fn probe_index(probe: Probe) -> usize {
    match probe {
        Probe::Combined => 0,
        Probe::Liveness => 1,
        Probe::Readiness => 2,
        Probe::Startup => 3,
    }
}

fn phase_index(phase: Phase) -> usize {
    match phase {
        Phase::Starting => 0,
        Phase::Up => 1,
        Phase::Down => 2,
        Phase::Stopping => 3,
        Phase::Stopped => 4,
    }
}
