//! The operations every list of facts shares, written once: [`FactList`]
//! over any list of [`Timed`] items, keyed by the time the list is ordered by.

use std::any::Any;

use octodiag_parsers::{Timestamp, UtcOffset};

use crate::origin::Fact;

/// A fact with a time on some clock and, usually, a line.
pub trait Timed {
    /// Its time (the list's order may use another, see [`crate::facts::Facts::lists`]).
    fn time(&self) -> Timestamp;
    /// Moves a local time to UTC.
    fn to_utc(&mut self, offset: UtcOffset);
    /// Adds `by` to its line, if it has one.
    fn shift_line(&mut self, by: u64);
}

impl<T> Timed for Fact<T> {
    fn time(&self) -> Timestamp {
        self.time
    }

    fn to_utc(&mut self, offset: UtcOffset) {
        Fact::to_utc(self, offset);
    }

    fn shift_line(&mut self, by: u64) {
        self.origin.line += by;
    }
}

/// A list of facts as the shared operations see it (object safe, so that
/// [`crate::facts::Facts::lists`] can hold lists of different kinds).
pub trait FactList {
    /// Number of facts.
    fn len(&self) -> usize;
    /// Whether it is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Moves local times to UTC.
    fn to_utc(&mut self, offset: UtcOffset);
    /// Orders by the list's key (stable; skipped when already ordered, the usual case).
    fn sort(&mut self);
    /// Keeps the facts whose key time passes `keep`.
    fn retain_at(&mut self, keep: &dyn Fn(Timestamp) -> bool);
    /// Adds `by` to every line.
    fn shift_lines(&mut self, by: u64);
    /// Reserves room for `n` more.
    fn reserve(&mut self, n: usize);
    /// Moves every fact of `other`, a list of the same kind, to the end of this one.
    fn append(&mut self, other: &mut dyn FactList);
    /// The list itself, for [`FactList::append`].
    fn as_any(&mut self) -> &mut dyn Any;
}

/// A list with the key it is ordered and windowed by.
pub(super) struct Keyed<'a, T> {
    list: &'a mut Vec<T>,
    key: fn(&T) -> Timestamp,
}

impl<'a, T: Timed + 'static> Keyed<'a, T> {
    pub(super) fn boxed(list: &'a mut Vec<T>, key: fn(&T) -> Timestamp) -> Box<dyn FactList + 'a> {
        Box::new(Keyed { list, key })
    }
}

impl<T: Timed + 'static> FactList for Keyed<'_, T> {
    fn len(&self) -> usize {
        self.list.len()
    }

    fn to_utc(&mut self, offset: UtcOffset) {
        self.list.iter_mut().for_each(|f| f.to_utc(offset));
    }

    fn sort(&mut self) {
        if !self.list.is_sorted_by_key(self.key) {
            self.list.sort_by_key(self.key);
        }
    }

    fn retain_at(&mut self, keep: &dyn Fn(Timestamp) -> bool) {
        let key = self.key;
        self.list.retain(|f| keep(key(f)));
    }

    fn shift_lines(&mut self, by: u64) {
        self.list.iter_mut().for_each(|f| f.shift_line(by));
    }

    fn reserve(&mut self, n: usize) {
        self.list.reserve(n);
    }

    fn append(&mut self, other: &mut dyn FactList) {
        if let Some(v) = other.as_any().downcast_mut::<Vec<T>>() {
            self.list.append(v);
        }
    }

    fn as_any(&mut self) -> &mut dyn Any {
        &mut *self.list
    }
}
