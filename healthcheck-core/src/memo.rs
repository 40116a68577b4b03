//! Each thread's last answers to whole probes in the default (Flask) format, given
//! again, with a fresh top-level timestamp, while nothing they show has changed: a
//! cached probe then reads the registry's generation and the clock, and touches no
//! lock or counted pointer another thread answering probes writes to (on two cores,
//! those shared cache lines, not instructions, were most of what a cached probe cost
//! beyond a bare handler).

use std::cell::RefCell;
use std::time::SystemTime;

use http::StatusCode;

use crate::format;
use crate::kind::Probe;
use crate::lifecycle::Phase;
use crate::registry::{HealthCheck, Reusable};

/// Which answer: an endpoint's configuration (its id), the probe, and whether the
/// caller sees details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) endpoint: u64,
    pub(crate) probe: Probe,
    pub(crate) details: bool,
}

/// An answer as it went out, and what it holds for.
struct Kept {
    key: Key,
    reusable: Reusable,
    phase: Phase,
    status: StatusCode,
    body: format::KeptFlaskBody,
}

/// A thread keeps this many answers at most (the probes of a few endpoints).
const KEPT_AT_MOST: usize = 8;

thread_local! {
    static KEPT: RefCell<Vec<Kept>> = const { RefCell::new(Vec::new()) };
}

/// The status and body to answer `key` with again, if this thread keeps one that still
/// holds in `health`.
pub(crate) fn answer(key: Key, health: &HealthCheck) -> Option<(StatusCode, String)> {
    KEPT.with_borrow(|kept| {
        let kept = kept.iter().find(|kept| kept.key == key)?;
        health
            .still_holds(&kept.reusable, key.probe, kept.phase)
            .then(|| (kept.status, kept.body.at(SystemTime::now())))
    })
}

/// Keeps the answer to `key`, made from a report that may be given again as `reusable`.
pub(crate) fn keep(key: Key, reusable: Reusable, phase: Phase, status: StatusCode, body: &str) {
    KEPT.with_borrow_mut(|kept| {
        // An answer kept before for `key` never outlives a newer one.
        kept.retain(|kept| kept.key != key);
        let Some(body) = format::KeptFlaskBody::new(body) else {
            return;
        };
        if kept.len() == KEPT_AT_MOST {
            kept.remove(0);
        }
        kept.push(Kept {
            key,
            reusable,
            phase,
            status,
            body,
        });
    });
}
