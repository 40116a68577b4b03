//! The set of checks a registry runs: one [`Slot`] per check, sorted by name, replaced
//! whole on each change, so a reader holds the lock only to copy a pointer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::check::Check;
use crate::kind::Kind;
use crate::runner::{Defaults, RunContext, Slot};
use crate::validation::{self, CollectError, Problem};

/// A snapshot of the slots, sorted by name.
pub(crate) type SlotList = Vec<Arc<Slot>>;

/// The registry's checks; shared with the background tasks (startup, refresh).
pub(crate) struct Slots {
    list: RwLock<Arc<SlotList>>,
    /// Serializes changes, so two registrations cannot lose one another.
    changes: Mutex<()>,
    /// Whether any check depends on another: a report without dependencies runs its
    /// checks together, in one pass.
    dependencies: AtomicBool,
    defaults: Defaults,
    context: Arc<RunContext>,
}

impl Slots {
    /// Slots for `checks`, already validated and sorted by name.
    pub(crate) fn new(checks: Vec<Check>, defaults: Defaults, context: Arc<RunContext>) -> Self {
        let list = make(checks, defaults, &context);
        Slots {
            dependencies: AtomicBool::new(any_dependencies(&list)),
            list: RwLock::new(Arc::new(list)),
            changes: Mutex::new(()),
            defaults,
            context,
        }
    }

    /// The current list, to hold across awaits.
    pub(crate) fn load(&self) -> Arc<SlotList> {
        // A panic never happens under this lock: a poisoned one still holds a whole list.
        Arc::clone(&self.list.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Makes `list` the current one; the caller holds `changes`.
    fn store(&self, list: SlotList) {
        // Set before a list with dependencies, cleared after one without: a report that
        // reads the flag set with a list without any still reports right.
        let dependencies = any_dependencies(&list);
        if dependencies {
            self.dependencies.store(true, Ordering::Release);
        }
        *self.list.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(list);
        if !dependencies {
            self.dependencies.store(false, Ordering::Release);
        }
        self.context.changes.listed();
    }

    /// Adds a check, validated like `build` does, unless one of that name exists.
    pub(crate) fn register(&self, check: Check) -> Result<(), CollectError> {
        validation::ok_or_error(validation::check_problems(
            &check,
            &self.context.states,
            &self.defaults,
        ))?;
        let _change = self.changes.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.load();
        match current.binary_search_by(|slot| slot.check.name().cmp(check.name())) {
            Err(index) if !check.depends_on.is_empty() => {
                // Its dependencies known, and no circle through it (the others' problems,
                // a dependency unregistered since, are not this registration's).
                let mut checks: Vec<Check> =
                    current.iter().map(|slot| slot.check.clone()).collect();
                checks.insert(index, check.clone());
                let problems: Vec<Problem> = validation::dependency_problems(&checks)
                    .into_iter()
                    .filter(|problem| match problem {
                        Problem::UnknownDependency { name, .. } => *name == check.name,
                        Problem::DependencyCycle { cycle } => cycle.contains(&check.name),
                        _ => false,
                    })
                    .collect();
                validation::ok_or_error(problems)?;
                self.insert(&current, index, check);
                Ok(())
            }
            Err(index) => {
                self.insert(&current, index, check);
                Ok(())
            }
            Ok(index) => Err(CollectError::from(vec![Problem::DuplicateName {
                name: check.name().to_owned(),
                first: current[index].check.location(),
                second: check.location(),
            }])),
        }
    }

    /// `current` with `check` at `index`, made the current list.
    fn insert(&self, current: &SlotList, index: usize, check: Check) {
        let mut list = SlotList::clone(current);
        let slot = Slot::new(check, self.defaults, Arc::clone(&self.context));
        list.insert(index, Arc::new(slot));
        self.store(list);
    }

    /// Whether any check depends on another.
    pub(crate) fn has_dependencies(&self) -> bool {
        self.dependencies.load(Ordering::Acquire)
    }

    /// Removes the check named `name`; `false` if there is none.
    pub(crate) fn unregister(&self, name: &str) -> bool {
        let _change = self.changes.lock().unwrap_or_else(PoisonError::into_inner);
        let current = self.load();
        match current.binary_search_by(|slot| slot.check.name().cmp(name)) {
            Ok(index) => {
                let mut list = SlotList::clone(&current);
                list.remove(index);
                self.store(list);
                true
            }
            Err(_) => false,
        }
    }

    /// Enables or disables the check named `name`; `false` if there is none.
    pub(crate) fn set_enabled(&self, name: &str, enabled: bool) -> bool {
        match find_any(&self.load(), name) {
            Some(slot) => {
                slot.set_enabled(enabled);
                self.context.changes.listed();
                true
            }
            None => false,
        }
    }
}

/// Slots for `checks` with `defaults` and `context`.
pub(crate) fn make(checks: Vec<Check>, defaults: Defaults, context: &Arc<RunContext>) -> SlotList {
    checks
        .into_iter()
        .map(|check| Arc::new(Slot::new(check, defaults, Arc::clone(context))))
        .collect()
}

fn any_dependencies(list: &[Arc<Slot>]) -> bool {
    list.iter().any(|slot| !slot.check.depends_on.is_empty())
}

/// The index of the slot named `name` in `list`, enabled or not.
pub(crate) fn index_of(list: &[Arc<Slot>], name: &str) -> Option<usize> {
    list.binary_search_by(|slot| slot.check.name().cmp(name))
        .ok()
}

/// The enabled slots of `list`.
pub(crate) fn enabled(list: &[Arc<Slot>]) -> impl Iterator<Item = &Arc<Slot>> {
    list.iter().filter(|slot| slot.is_enabled())
}

/// Whether every enabled startup check of `list` has really passed once.
pub(crate) fn startup_passed(list: &[Arc<Slot>]) -> bool {
    enabled(list)
        .filter(|slot| slot.check.is(Kind::Startup))
        .all(|slot| slot.has_passed())
}

/// The enabled slot named `name` in `list`.
pub(crate) fn find<'a>(list: &'a [Arc<Slot>], name: &str) -> Option<&'a Arc<Slot>> {
    find_any(list, name).filter(|slot| slot.is_enabled())
}

/// The slot named `name`, enabled or not.
fn find_any<'a>(list: &'a [Arc<Slot>], name: &str) -> Option<&'a Arc<Slot>> {
    list.binary_search_by(|slot| slot.check.name().cmp(name))
        .ok()
        .map(|index| &list[index])
}
