//! The set of checks a registry runs: one [`Slot`] per check, sorted by name, replaced
//! whole on each change, so a reader holds the lock only to copy a pointer.

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
    defaults: Defaults,
    context: Arc<RunContext>,
}

impl Slots {
    /// Slots for `checks`, already validated and sorted by name.
    pub(crate) fn new(checks: Vec<Check>, defaults: Defaults, context: Arc<RunContext>) -> Self {
        let list = make(checks, defaults, &context);
        Slots {
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
        *self.list.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(list);
        self.context.changes.moved();
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
            Err(index) => {
                let mut list = SlotList::clone(&current);
                let slot = Slot::new(check, self.defaults, Arc::clone(&self.context));
                list.insert(index, Arc::new(slot));
                self.store(list);
                Ok(())
            }
            Ok(index) => Err(CollectError::from(vec![Problem::DuplicateName {
                name: check.name().to_owned(),
                first: current[index].check.location(),
                second: check.location(),
            }])),
        }
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
                self.context.changes.moved();
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
