//! Quorum groups: a group that passes when at least k of its members pass (Route 53's
//! calculated health checks). While enough pass, a failing member is shown as a
//! warning, so it fails neither the report nor its probes; the members' messages and
//! the report say how many passed of how many.

use std::sync::Arc;

use crate::health::HealthStatus;
use crate::report::{CheckResult, QuorumCount};

/// A group's quorum: `needed` of its members must pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Quorum {
    pub(crate) group: String,
    pub(crate) needed: usize,
}

/// Applies each of `quorums` to the members `results` hold: counted, and while enough
/// pass, the failing ones shown as warnings. Each member's message says the count.
pub(crate) fn apply(quorums: &[Quorum], results: &mut [Arc<CheckResult>]) -> Vec<QuorumCount> {
    let mut counts = Vec::new();
    for quorum in quorums {
        let members = || results.iter().filter(|result| result.group == quorum.group);
        let of = members().count();
        if of == 0 {
            continue;
        }
        let count = QuorumCount {
            group: quorum.group.clone(),
            passed: members().filter(|result| result.passed).count(),
            of,
            needed: quorum.needed,
        };
        for result in results
            .iter_mut()
            .filter(|result| result.group == quorum.group)
        {
            if result.passed {
                continue;
            }
            let mut member = CheckResult::clone(result);
            member.output = format!(
                "{} (quorum: {} of {} in `{}` passed, {} needed)",
                member.output, count.passed, count.of, count.group, count.needed
            );
            if count.met() {
                member.status = HealthStatus::Warn;
                member.passed = true;
            }
            *result = Arc::new(member);
        }
        counts.push(count);
    }
    counts
}
