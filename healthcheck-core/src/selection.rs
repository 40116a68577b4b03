//! Which checks a run covers: a probe's, named ones, a group's; less exclusions; by tag.

use crate::check::Check;
use crate::kind::Probe;

/// Which checks a run covers: a probe's checks or named ones, less exclusions, and, when
/// tags are given, only checks carrying one of them; one predicate decides for every
/// kind of selection. A name asked for that no check in the selection has is reported
/// "not found".
///
/// ```
/// use healthcheck::{Probe, Selection};
///
/// // GET /healthcheck/ready?exclude=cache&tag=db
/// let selection = Selection::probe(Probe::Readiness).exclude(["cache"]).tagged(["db"]);
/// # let _ = selection;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Selection {
    probe: Probe,
    // Sorted, each once: a set, as a vector, so no B-tree code is compiled for it.
    names: Option<Vec<String>>,
    exclude: Vec<String>,
    tags: Vec<String>,
    group: Option<String>,
}

impl Selection {
    /// Every check.
    pub fn all() -> Self {
        Self::probe(Probe::Combined)
    }

    /// The checks of `probe`'s kind; every check for [`Probe::Combined`].
    pub fn probe(probe: Probe) -> Self {
        Selection {
            probe,
            names: None,
            exclude: Vec::new(),
            tags: Vec::new(),
            group: None,
        }
    }

    /// The checks with these names, each reported once, in name order.
    pub fn named<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Selection {
            names: Some(sorted_set(
                Vec::new(),
                names.into_iter().map(|n| n.as_ref().to_owned()).collect(),
            )),
            ..Self::all()
        }
    }

    /// Leaves these checks out (Kubernetes' `?exclude=`); unknown names are ignored.
    pub fn exclude<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let added = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
        self.exclude = sorted_set(self.exclude, added);
        self
    }

    /// Keeps only checks carrying at least one of these tags.
    pub fn tagged<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let added = tags.into_iter().map(|t| t.as_ref().to_owned()).collect();
        self.tags = sorted_set(self.tags, added);
        self
    }

    /// Keeps only the checks of one group (`group = "billing"`).
    pub fn in_group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// The probe this selection answers.
    pub fn probe_kind(&self) -> Probe {
        self.probe
    }

    /// The names asked for, if the selection is by name: sorted, each once.
    pub(crate) fn names(&self) -> Option<&[String]> {
        self.names.as_deref()
    }

    /// The group asked for, if any.
    pub(crate) fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }

    /// The tags asked for.
    pub(crate) fn tags(&self) -> impl Iterator<Item = &String> {
        self.tags.iter()
    }

    /// Whether the selection is a whole probe: no names, exclusions, tags or group. Its
    /// report's phase is the application's.
    pub(crate) fn is_whole_probe(&self) -> bool {
        self.names.is_none()
            && self.exclude.is_empty()
            && self.tags.is_empty()
            && self.group.is_none()
    }

    /// Whether `check` is in: its kind answers the probe, it is among the names (if
    /// any), not excluded, carries one of the tags (if any), and is in the group (if any).
    pub(crate) fn includes(&self, check: &Check) -> bool {
        if !self.probe.covers(check.kind_list()) {
            return false;
        }
        // A whole probe (every probe without a query) has nothing more to ask.
        if self.is_whole_probe() {
            return true;
        }
        self.names
            .as_ref()
            .is_none_or(|names| contains(names, check.name()))
            && !contains(&self.exclude, check.name())
            && (self.tags.is_empty()
                || check.tag_list().iter().any(|tag| contains(&self.tags, tag)))
            && self
                .group
                .as_ref()
                .is_none_or(|group| group == check.group_name())
    }
}

/// `set` and `added` together, sorted, each once.
fn sorted_set(mut set: Vec<String>, added: Vec<String>) -> Vec<String> {
    set.extend(added);
    set.sort();
    set.dedup();
    set
}

/// Whether the sorted `set` holds `name`.
fn contains(set: &[String], name: &str) -> bool {
    set.binary_search_by(|item| item.as_str().cmp(name)).is_ok()
}
