//! JSON objects keyed by check or group name, in name order, built from vectors rather
//! than a `BTreeMap` per type (less code for a service to compile: BENCHMARKS.md), and
//! one order of names, one sort, for every format.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Names with values, written as a JSON object in the order given.
pub(super) struct Entries<'a, V>(pub(super) Vec<(&'a str, V)>);

impl<V> Entries<'_, V> {
    /// Whether there are none.
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: Serialize> Serialize for Entries<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Names, each with the index of what it names, in name order; equal names keep the
/// order they came in.
pub(super) fn in_name_order(mut names: Vec<(&str, usize)>) -> Vec<(&str, usize)> {
    names.sort_by(|a, b| a.0.cmp(b.0));
    names
}

/// [`in_name_order`], each name once: the last of equal names, as inserting into a
/// map one by one keeps it.
pub(super) fn each_name_once(names: Vec<(&str, usize)>) -> Vec<(&str, usize)> {
    let mut kept: Vec<(&str, usize)> = Vec::with_capacity(names.len());
    for (name, index) in in_name_order(names) {
        match kept.last_mut() {
            Some(last) if last.0 == name => last.1 = index,
            _ => kept.push((name, index)),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_sorted_each_once_the_last_one_kept_as_a_map_keeps_it() {
        let names = vec![("b", 0), ("a", 1), ("b", 2), ("c", 3), ("a", 4)];
        assert_eq!(
            in_name_order(names.clone()),
            [("a", 1), ("a", 4), ("b", 0), ("b", 2), ("c", 3)]
        );
        assert_eq!(each_name_once(names), [("a", 4), ("b", 2), ("c", 3)]);
    }

    #[test]
    fn entries_are_a_json_object_in_their_order() {
        let entries = Entries(vec![("b", 1), ("a", 2)]);
        assert_eq!(serde_json::to_string(&entries).unwrap(), r#"{"b":1,"a":2}"#);
        assert!(Entries::<u8>(Vec::new()).is_empty());
    }
}
