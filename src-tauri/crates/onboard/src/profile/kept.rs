//! What other concepts keep in a session between calls (the preview's open connections, say).
//! The session holds it without knowing its type, so that the profile module need not know the
//! mailbox's: each kind of state is made on first use and told to forget a profile when the
//! session forgets it.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// State kept per session, one value of each type.
pub trait Kept: Any + Send + Sync {
    /// Drops what is kept for the profile `name` (deleted, say).
    fn forget(&self, name: &str);
}

/// A kept value with its type erased, still able to forget.
trait Erased: Send + Sync {
    fn forget(&self, name: &str);
    fn as_any(&self) -> &dyn Any;
}

struct Entry<K>(Arc<K>);

impl<K: Kept> Erased for Entry<K> {
    fn forget(&self, name: &str) {
        self.0.forget(name);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One value of each [`Kept`] type.
#[derive(Default)]
pub(crate) struct KeptStates(Mutex<HashMap<TypeId, Box<dyn Erased>>>);

impl KeptStates {
    fn map(&self) -> MutexGuard<'_, HashMap<TypeId, Box<dyn Erased>>> {
        // A poisoned lock still holds whole entries: each is inserted in one step.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session's `K`, made with `Default` on first use.
    pub(crate) fn get<K: Kept + Default>(&self) -> Arc<K> {
        let mut map = self.map();
        if let Some(Entry(k)) = map
            .get(&TypeId::of::<K>())
            .and_then(|e| e.as_any().downcast_ref::<Entry<K>>())
        {
            return Arc::clone(k);
        }
        let k = Arc::new(K::default());
        map.insert(TypeId::of::<K>(), Box::new(Entry(Arc::clone(&k))));
        k
    }

    /// `value` as the session's `K` from now on.
    pub(crate) fn set<K: Kept>(&self, value: K) {
        self.map()
            .insert(TypeId::of::<K>(), Box::new(Entry(Arc::new(value))));
    }

    pub(crate) fn forget(&self, name: &str) {
        for kept in self.map().values() {
            kept.forget(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Counter(AtomicUsize);

    impl Kept for Counter {
        fn forget(&self, _name: &str) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn one_value_per_type_made_once_and_told_to_forget() {
        let states = KeptStates::default();
        let first = states.get::<Counter>();
        first.0.store(5, Ordering::Relaxed);
        assert_eq!(states.get::<Counter>().0.load(Ordering::Relaxed), 5);
        states.forget("a");
        assert_eq!(first.0.load(Ordering::Relaxed), 6);
        states.set(Counter::default());
        assert_eq!(states.get::<Counter>().0.load(Ordering::Relaxed), 0);
    }
}
