//! Checks a registry's settings before the first probe: names, tags, groups, durations,
//! state, duplicates. Both the builder and the running registry use it; every problem is
//! reported at once.

use std::time::Duration;

use healthcheck_rules as rules;

use crate::check::Check;
use crate::registration::Location;
use crate::runner::Defaults;
use crate::state::States;

/// Why the checks could not be gathered into a registry: every problem found, in the
/// order of the checks' names.
///
/// Its `Debug` reads like its `Display`, so `fn main() -> Result<(), Box<dyn Error>>`
/// prints the sentences rather than a struct.
#[derive(Clone, PartialEq, Eq)]
pub struct CollectError {
    problems: Vec<Problem>,
}

/// One problem with a check or a setting.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Two checks have the same name.
    DuplicateName {
        /// The name they share.
        name: String,
        /// Where one is defined.
        first: Location,
        /// Where the other is defined.
        second: Location,
    },
    /// A check added in code has a name the naming rule rejects.
    InvalidName {
        /// The rejected name.
        name: String,
        /// Where the check is defined.
        location: Location,
        /// What is wrong with the name.
        problem: String,
    },
    /// A check added in code has a tag the naming rule rejects.
    InvalidTag {
        /// The check's name.
        name: String,
        /// Where the check is defined.
        location: Location,
        /// What is wrong with the tag.
        problem: String,
    },
    /// A check added in code has a group the naming rule rejects.
    InvalidGroup {
        /// The check's name.
        name: String,
        /// Where the check is defined.
        location: Location,
        /// What is wrong with the group.
        problem: String,
    },
    /// A check's timeout or TTL is out of range (zero timeout, over a year).
    InvalidDuration {
        /// The check's name, or `None` for a registry-wide default.
        name: Option<String>,
        /// Where the check is defined; `None` for a default.
        location: Option<Location>,
        /// What is wrong, naming the setting.
        problem: String,
    },
    /// A check's flapping thresholds are out of range or out of order.
    InvalidThreshold {
        /// The check's name, or `None` for a registry-wide default.
        name: Option<String>,
        /// Where the check is defined; `None` for a default.
        location: Option<Location>,
        /// What is wrong, naming the setting.
        problem: String,
    },
    /// A check depends on a name no check has.
    UnknownDependency {
        /// The check's name.
        name: String,
        /// Where the check is defined.
        location: Location,
        /// The name no check has.
        dependency: String,
    },
    /// Checks depend on each other in a circle.
    DependencyCycle {
        /// The checks around the circle, the first repeated at the end
        /// (`["orders", "billing", "orders"]`).
        cycle: Vec<String>,
    },
    /// A quorum names a group no check is in, or needs more members than it has, or none.
    InvalidQuorum {
        /// The group.
        group: String,
        /// What is wrong.
        problem: String,
    },
    /// A check asks for a `State<T>` that was not given with
    /// [`Builder::state`](crate::Builder::state).
    MissingState {
        /// The check's name.
        name: String,
        /// Where the check is defined.
        location: Location,
        /// The type of the missing state.
        type_name: &'static str,
    },
}

impl CollectError {
    /// Every problem found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::DuplicateName {
                name,
                first,
                second,
            } => write!(
                f,
                "two health checks are named `{name}`: one at {first}, one at {second}; rename one"
            ),
            Problem::InvalidName {
                location, problem, ..
            } => write!(f, "{problem} (check defined at {location})"),
            Problem::InvalidTag {
                name,
                location,
                problem,
            }
            | Problem::InvalidGroup {
                name,
                location,
                problem,
            } => write!(f, "{problem} (check `{name}` defined at {location})"),
            Problem::InvalidDuration {
                name: Some(name),
                location: Some(location),
                problem,
            }
            | Problem::InvalidThreshold {
                name: Some(name),
                location: Some(location),
                problem,
            } => write!(f, "{problem} (check `{name}` defined at {location})"),
            Problem::InvalidDuration { problem, .. }
            | Problem::InvalidThreshold { problem, .. } => {
                write!(f, "{problem} (the registry's default)")
            }
            Problem::UnknownDependency {
                name,
                location,
                dependency,
            } => write!(
                f,
                "health check `{name}` at {location} depends on `{dependency}`, but no check has that name; add it or remove the dependency"
            ),
            Problem::InvalidQuorum { group, problem } => {
                write!(f, "quorum of group `{group}`: {problem}")
            }
            Problem::DependencyCycle { cycle } => write!(
                f,
                "health checks depend on each other in a circle: {}; remove one of these dependencies",
                cycle.join(" → ")
            ),
            Problem::MissingState {
                name,
                location,
                type_name,
            } => write!(
                f,
                "health check `{name}` at {location} asks for `State<{type_name}>`, but no state of type `{type_name}` was given; add `.state(value)` to the builder"
            ),
        }
    }
}

impl std::fmt::Display for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "{one}"),
            all => {
                write!(f, "{} problems with the health checks:", all.len())?;
                for problem in all {
                    write!(f, "\n- {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::fmt::Debug for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for CollectError {}

impl From<Vec<Problem>> for CollectError {
    fn from(problems: Vec<Problem>) -> Self {
        CollectError { problems }
    }
}

/// Errors unless `problems` is empty.
pub(crate) fn ok_or_error(problems: Vec<Problem>) -> Result<(), CollectError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CollectError::from(problems))
    }
}

/// The problems of one check's name, tags, group, durations, thresholds and state
/// (thresholds it leaves to the registry taken from `defaults`).
pub(crate) fn check_problems(check: &Check, states: &States, defaults: &Defaults) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name = || check.name.clone();
    let location = check.location;
    if let Some(problem) = rules::name_problem(&check.name) {
        problems.push(Problem::InvalidName {
            name: name(),
            location,
            problem,
        });
    }
    for tag in &check.tags {
        if let Some(problem) = rules::tag_problem(tag) {
            problems.push(Problem::InvalidTag {
                name: name(),
                location,
                problem,
            });
        }
    }
    if let Some(problem) = rules::group_problem(&check.group) {
        problems.push(Problem::InvalidGroup {
            name: name(),
            location,
            problem,
        });
    }
    let durations = [
        ("timeout", check.timeout),
        ("success_ttl", check.success_ttl),
        ("failed_ttl", check.failed_ttl),
    ];
    for (key, duration) in durations {
        if let Some(problem) = duration.and_then(|d| rules::duration_problem(key, d)) {
            problems.push(Problem::InvalidDuration {
                name: Some(name()),
                location: Some(location),
                problem,
            });
        }
    }
    if check.flapping_low.is_some() || check.flapping_high.is_some() {
        let thresholds = defaults.flapping_of(check);
        if let Some(problem) = rules::flapping_problem(thresholds.low, thresholds.high) {
            problems.push(Problem::InvalidThreshold {
                name: Some(name()),
                location: Some(location),
                problem,
            });
        }
    }
    for missing in check.requires.iter().filter(|key| !states.contains(key)) {
        problems.push(Problem::MissingState {
            name: name(),
            location,
            type_name: (missing.type_name)(),
        });
    }
    problems
}

/// The problems of the registry-wide defaults.
pub(crate) fn default_problems(defaults: &Defaults) -> Vec<Problem> {
    let durations: [(&str, Duration); 3] = [
        ("timeout", defaults.timeout),
        ("success_ttl", defaults.success_ttl),
        ("failed_ttl", defaults.failed_ttl),
    ];
    let mut problems: Vec<Problem> = durations
        .into_iter()
        .filter_map(|(key, duration)| rules::duration_problem(key, duration))
        .map(|problem| Problem::InvalidDuration {
            name: None,
            location: None,
            problem,
        })
        .collect();
    let flapping = defaults.flapping;
    if let Some(problem) = rules::flapping_problem(flapping.low, flapping.high) {
        problems.push(Problem::InvalidThreshold {
            name: None,
            location: None,
            problem,
        });
    }
    problems
}

/// The problems of `checks`' dependencies (`checks` sorted by name): each name no check
/// has, and each circle once, spelled from its first name in order.
pub(crate) fn dependency_problems(checks: &[Check]) -> Vec<Problem> {
    let index_of = |name: &str| checks.binary_search_by(|check| check.name.as_str().cmp(name));
    let mut problems = Vec::new();
    // Each check's dependencies as indexes; unknown ones reported and left out.
    let mut edges: Vec<Vec<usize>> = Vec::with_capacity(checks.len());
    for check in checks {
        let mut known = Vec::with_capacity(check.depends_on.len());
        for dependency in &check.depends_on {
            match index_of(dependency) {
                Ok(index) => known.push(index),
                Err(_) => problems.push(Problem::UnknownDependency {
                    name: check.name.clone(),
                    location: check.location,
                    dependency: dependency.clone(),
                }),
            }
        }
        edges.push(known);
    }
    // Depth-first, iteratively: 0 unseen, 1 on the path, 2 done.
    let mut state = vec![0u8; checks.len()];
    let mut cycles: Vec<Vec<String>> = Vec::new();
    for start in 0..checks.len() {
        if state[start] != 0 {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some((node, next)) = path.last_mut() {
            let node = *node;
            if let Some(&dependency) = edges[node].get(*next) {
                *next += 1;
                match state[dependency] {
                    0 => {
                        state[dependency] = 1;
                        path.push((dependency, 0));
                    }
                    1 => {
                        let from = path.iter().position(|(n, _)| *n == dependency).unwrap_or(0);
                        let mut cycle: Vec<usize> = path[from..].iter().map(|(n, _)| *n).collect();
                        // Spelled from its first name, so each circle is reported once.
                        let first = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
                        cycle.rotate_left(first);
                        cycle.push(cycle[0]);
                        let names: Vec<String> =
                            cycle.iter().map(|&i| checks[i].name.clone()).collect();
                        if !cycles.contains(&names) {
                            cycles.push(names);
                        }
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                path.pop();
            }
        }
    }
    problems.extend(
        cycles
            .into_iter()
            .map(|cycle| Problem::DependencyCycle { cycle }),
    );
    problems
}

/// The problems of `quorums` over `checks`: a group no check is in, a quorum of none,
/// or of more members than the group has.
pub(crate) fn quorum_problems(checks: &[Check], quorums: &[crate::quorum::Quorum]) -> Vec<Problem> {
    quorums
        .iter()
        .filter_map(|quorum| {
            let members = checks
                .iter()
                .filter(|check| check.group == quorum.group)
                .count();
            let problem = if members == 0 {
                "no check is in this group".to_owned()
            } else if quorum.needed == 0 {
                "needs at least 1 member to pass".to_owned()
            } else if quorum.needed > members {
                format!(
                    "needs {} to pass, but the group has {members} checks",
                    quorum.needed
                )
            } else {
                return None;
            };
            Some(Problem::InvalidQuorum {
                group: quorum.group.clone(),
                problem,
            })
        })
        .collect()
}

/// Sorts `checks` by name and returns every problem: each check's, then each pair of
/// checks sharing a name.
pub(crate) fn sorted_problems(
    checks: &mut [Check],
    states: &States,
    defaults: &Defaults,
) -> Vec<Problem> {
    checks.sort_by(|a, b| a.name.cmp(&b.name));
    let mut problems: Vec<Problem> = checks
        .iter()
        .flat_map(|check| check_problems(check, states, defaults))
        .collect();
    problems.extend(
        checks
            .windows(2)
            .filter(|pair| pair[0].name == pair[1].name)
            .map(|pair| Problem::DuplicateName {
                name: pair[0].name.clone(),
                first: pair[0].location,
                second: pair[1].location,
            }),
    );
    problems
}
