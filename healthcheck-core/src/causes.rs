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

/// The results of the slots of `list` that `selected` picks (in the list's order), each
/// check's dependencies evaluated before it; with until when every result looked up
/// stays fresh (`at_most` at the latest), `None` when one does not.
pub(crate) async fn results(
    list: &[Arc<Slot>],
    selected: impl Fn(&Slot) -> bool,
    now: Instant,
    freshness: impl Fn(&Slot) -> Freshness,
    at_most: Instant,
) -> (Vec<Arc<CheckResult>>, Option<Instant>) {
    // Every check needed, the selected ones and what they depend on (enabled checks
    // only: a disabled or unregistered dependency is no failure), by depth.
    let mut graph = Graph::new(list.len());
    let wanted: Vec<usize> = (0..list.len())
        .filter(|&index| selected(&list[index]))
        .collect();
    for &index in &wanted {
        graph.depth_of(list, index, 0);
    }
    let mut layers: Vec<Vec<usize>> = Vec::new();
    for (index, depth) in graph.depth.iter().enumerate() {
        if let Some(depth) = *depth {
            if layers.len() <= depth {
                layers.resize_with(depth + 1, Vec::new);
            }
            layers[depth].push(index);
        }
    }
    let mut results: Vec<Option<Arc<CheckResult>>> = vec![None; list.len()];
    // The message a blocked result quotes, for what it blocks in turn.
    let mut cause_of: Vec<Option<Arc<str>>> = vec![None; list.len()];
    let mut fresh_until = Some(at_most);
    for layer in layers {
        let mut to_run = Vec::with_capacity(layer.len());
        for index in layer {
            let slot = &list[index];
            let dependencies = graph.dependencies(index);
            let roots = root_causes(dependencies, &results);
            if roots.is_empty() || slot.check.run_when_blocked {
                to_run.push((index, roots));
            } else {
                let cause = cause(dependencies, &results, &cause_of);
                results[index] = Some(Arc::new(blocked(slot, roots, &cause)));
                cause_of[index] = Some(cause);
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

/// The checks a report needs, by index into the list: each one's depth, and its enabled
/// dependencies, each name looked up once a report.
struct Graph {
    depth: Vec<Option<usize>>,
    /// Where each check's dependencies are in `targets`.
    span: Vec<(usize, usize)>,
    targets: Vec<usize>,
}

impl Graph {
    fn new(len: usize) -> Self {
        Graph {
            depth: vec![None; len],
            span: vec![(0, 0); len],
            targets: Vec::new(),
        }
    }

    fn dependencies(&self, index: usize) -> &[usize] {
        let (start, end) = self.span[index];
        &self.targets[start..end]
    }

    /// The depth of `list[index]`: 0 without enabled dependencies, else one more than
    /// its deepest; recorded with every dependency's. `guard` bounds the recursion
    /// should a circle slip past validation.
    fn depth_of(&mut self, list: &[Arc<Slot>], index: usize, guard: usize) -> usize {
        if let Some(known) = self.depth[index] {
            return known;
        }
        let start = self.targets.len();
        for name in &list[index].check.depends_on {
            if let Some(dependency) = slots::index_of(list, name)
                .filter(|&dependency| dependency != index && list[dependency].is_enabled())
            {
                self.targets.push(dependency);
            }
        }
        let end = self.targets.len();
        self.span[index] = (start, end);
        let mut deepest = None;
        if guard <= list.len() {
            for at in start..end {
                let its = self.depth_of(list, self.targets[at], guard + 1);
                deepest = Some(deepest.map_or(its, |deepest: usize| deepest.max(its)));
            }
        }
        let mine = deepest.map_or(0, |deepest| deepest + 1);
        self.depth[index] = Some(mine);
        mine
    }
}

/// The root causes a check with `dependencies` waits on: of each failing one, its own
/// root causes if it is blocked, else itself; sorted, each once.
fn root_causes(dependencies: &[usize], results: &[Option<Arc<CheckResult>>]) -> Vec<String> {
    let mut roots = Vec::new();
    for result in dependencies
        .iter()
        .filter_map(|&index| results[index].as_ref())
    {
        if result.status == HealthStatus::Fail {
            roots.extend(result.roots().map(str::to_owned));
        }
    }
    roots.sort_unstable();
    roots.dedup();
    roots
}

/// The message a check blocked through `dependencies` quotes: its first failing
/// dependency's own, or, when that one is blocked too, the message it quotes (the root
/// cause's, or what a check carrying another service's causes said).
fn cause(
    dependencies: &[usize],
    results: &[Option<Arc<CheckResult>>],
    cause_of: &[Option<Arc<str>>],
) -> Arc<str> {
    dependencies
        .iter()
        .find_map(|&index| {
            let result = results[index].as_ref()?;
            (result.status == HealthStatus::Fail).then(|| {
                cause_of[index]
                    .clone()
                    .unwrap_or_else(|| result.output.as_str().into())
            })
        })
        .unwrap_or_else(|| "".into())
}

/// `slot`'s result while `roots` fail: failed (a warning if not critical), saying what
/// blocks it and `cause`'s message.
fn blocked(slot: &Slot, roots: Vec<String>, cause: &str) -> CheckResult {
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
