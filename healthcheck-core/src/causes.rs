//! Causality: a report's results when checks depend on others. Dependencies are looked
//! up first, layer by layer; a check whose dependency fails, directly or through
//! others, is blocked: not run, its result failing with `blocked by db: <db's message>`
//! and naming its root causes. A blocked result is made for the report, never stored,
//! so listeners and observers hear the root cause alone.

use std::sync::Arc;

use tokio::time::Instant;

use crate::health::HealthStatus;
use crate::report::CheckResult;
use crate::runner::{Freshness, Lookups, Slot};
use crate::slots;

/// The results of `selected` (in its order, slots of `list`), each check's dependencies
/// evaluated before it; with until when every result looked up stays fresh (`at_most`
/// at the latest), `None` when one does not.
pub(crate) async fn results(
    list: &[Arc<Slot>],
    selected: Vec<&Arc<Slot>>,
    now: Instant,
    freshness: impl Fn(&Slot) -> Freshness,
    at_most: Instant,
) -> (Vec<Arc<CheckResult>>, Option<Instant>) {
    // Every check needed, the selected ones and what they depend on (enabled checks
    // only: a disabled or unregistered dependency is no failure), by depth.
    let mut depth: Vec<Option<usize>> = vec![None; list.len()];
    let mut wanted = Vec::with_capacity(selected.len());
    for slot in &selected {
        if let Some(index) = slots::index_of(list, slot.check.name()) {
            depth_of(list, index, &mut depth, 0);
            wanted.push(index);
        }
    }
    let deepest = depth.iter().flatten().copied().max().unwrap_or(0);
    let mut results: Vec<Option<Arc<CheckResult>>> = vec![None; list.len()];
    let mut fresh_until = Some(at_most);
    for layer in 0..=deepest {
        let mut to_run = Vec::new();
        for index in (0..list.len()).filter(|&index| depth[index] == Some(layer)) {
            let slot = &list[index];
            let roots = root_causes(list, slot, &results);
            if roots.is_empty() || slot.check.run_when_blocked {
                to_run.push((index, roots));
            } else {
                let blocked = blocked(list, slot, roots, &results);
                results[index] = Some(Arc::new(blocked));
            }
        }
        let lookups = Lookups::of(
            to_run.iter().map(|(index, _)| &list[*index]),
            now,
            &freshness,
        );
        fresh_until = fresh_until
            .zip(lookups.fresh_until(at_most))
            .map(|(a, b)| a.min(b));
        for ((index, roots), result) in to_run.into_iter().zip(lookups.results().await) {
            // Run while blocked: a failure is still the dependency's doing.
            let result = if roots.is_empty() || result.status != HealthStatus::Fail {
                result
            } else {
                let mut blocked = CheckResult::clone(&result);
                blocked.blocked_by = roots;
                Arc::new(blocked)
            };
            results[index] = Some(result);
        }
    }
    let shown = wanted
        .into_iter()
        .filter_map(|index| results[index].take())
        .collect();
    (shown, fresh_until)
}

/// The depth of `list[index]`: 0 without enabled dependencies, else one more than its
/// deepest; recorded in `depth`, with every dependency's. `guard` bounds the recursion
/// should a circle slip past validation.
fn depth_of(list: &[Arc<Slot>], index: usize, depth: &mut [Option<usize>], guard: usize) -> usize {
    if let Some(known) = depth[index] {
        return known;
    }
    let mut deepest = None;
    if guard <= list.len() {
        for name in &list[index].check.depends_on {
            let Some(dependency) = slots::index_of(list, name) else {
                continue;
            };
            if !list[dependency].is_enabled() || dependency == index {
                continue;
            }
            let its = depth_of(list, dependency, depth, guard + 1);
            deepest = Some(deepest.map_or(its, |deepest: usize| deepest.max(its)));
        }
    }
    let mine = deepest.map_or(0, |deepest| deepest + 1);
    depth[index] = Some(mine);
    mine
}

/// The root causes `slot` waits on: of each failing dependency, its own root causes if
/// it is blocked, else itself; sorted, each once.
fn root_causes(
    list: &[Arc<Slot>],
    slot: &Slot,
    results: &[Option<Arc<CheckResult>>],
) -> Vec<String> {
    let mut roots = Vec::new();
    for name in &slot.check.depends_on {
        let Some(result) = slots::index_of(list, name).and_then(|index| results[index].as_ref())
        else {
            continue;
        };
        if result.status == HealthStatus::Fail {
            roots.extend(result.roots().map(str::to_owned));
        }
    }
    roots.sort_unstable();
    roots.dedup();
    roots
}

/// `slot`'s result while `roots` fail: failed (a warning if not critical), saying what
/// blocks it and the first root's message.
fn blocked(
    list: &[Arc<Slot>],
    slot: &Slot,
    roots: Vec<String>,
    results: &[Option<Arc<CheckResult>>],
) -> CheckResult {
    let cause = roots
        .first()
        .and_then(|root| slots::index_of(list, root))
        .and_then(|index| results[index].as_ref())
        .map_or("", |root| root.output.as_str());
    let mut output = format!("blocked by {}: {cause}", roots.join(", "));
    let critical = slot.check.critical;
    if !critical {
        output.push_str(" (not critical)");
    }
    let mut result = CheckResult::failed_now(slot.check.name(), output);
    if !critical {
        result.status = HealthStatus::Warn;
        result.passed = true;
    }
    result.group = slot.check.group_name().to_owned();
    result.stats = slot.stats();
    result.blocked_by = roots;
    result
}
