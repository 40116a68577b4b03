//! State given to the registry and handed to checks that ask for it, as axum hands
//! state to handlers.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// A value a check asks for by type: `async fn db(pool: State<PgPool>)`. The registry
/// gets it from [`Builder::state`](crate::Builder::state) and gives each run a clone.
///
/// A check that asks for a type nobody provided is an error from `build`, naming the
/// check, where it is defined and the type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct State<T>(pub T);

impl<T> std::ops::Deref for State<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// The state values given to a registry, one per type.
#[derive(Clone, Default)]
pub struct States {
    values: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl States {
    pub(crate) fn insert<T: Clone + Send + Sync + 'static>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// A clone of the value of type `T`, if one was given.
    pub fn get<T: Clone + 'static>(&self) -> Option<T> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|value| value.downcast_ref::<T>())
            .cloned()
    }

    pub(crate) fn contains(&self, key: &StateKey) -> bool {
        self.values.contains_key(&(key.type_id)())
    }
}

impl std::fmt::Debug for States {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("States")
            .field("count", &self.values.len())
            .finish_non_exhaustive()
    }
}

/// A state type a check asks for, as the macro records it: functions, so it can be
/// built in a const.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct StateKey {
    /// `TypeId::of::<T>`.
    pub type_id: fn() -> TypeId,
    /// `std::any::type_name::<T>`, for the error when it is missing.
    pub type_name: fn() -> &'static str,
}

impl std::fmt::Debug for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str((self.type_name)())
    }
}
