//! A read-through cache of what almost every request reads and rarely changes:
//! API keys, plans, client sessions and rate sheets. Writes made through this
//! process update or drop the entry at once; an entry lives at most `ttl`, which
//! bounds how stale a read can be after a write made through *another* server
//! instance (PostgreSQL deployments). Bounded: a map that grows past its
//! capacity is emptied. Business time never comes from here.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const CAPACITY: usize = 10_000;

/// One map of the cache.
pub struct Shelf<K, V> {
    ttl: Duration,
    map: RwLock<HashMap<K, (Instant, Arc<V>)>>,
}

impl<K: Eq + Hash + Clone, V> Shelf<K, V> {
    pub fn new(ttl: Duration) -> Shelf<K, V> {
        Shelf { ttl, map: RwLock::new(HashMap::new()) }
    }

    pub fn get(&self, k: &K) -> Option<Arc<V>> {
        if self.ttl.is_zero() {
            return None;
        }
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(k).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    pub fn put(&self, k: K, v: Arc<V>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(k, (Instant::now(), v));
    }

    pub fn remove(&self, k: &K) {
        self.map.write().unwrap_or_else(|e| e.into_inner()).remove(k);
    }

    pub fn clear(&self) {
        self.map.write().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// (organization id, object id).
pub type OrgKey = (String, String);

pub struct Cache {
    /// Secret hash → principal. Cleared on any revocation here.
    pub keys: Shelf<String, crate::access::Principal>,
    pub plans: Shelf<OrgKey, tally_core::plan::Plan>,
    pub sessions: Shelf<OrgKey, tally_core::session::ClientSession>,
    /// Organization id → its rate sheet.
    pub rates: Shelf<String, crate::rates::RateSheet>,
}

impl Cache {
    pub fn new(ttl: Duration) -> Cache {
        Cache { keys: Shelf::new(ttl), plans: Shelf::new(ttl), sessions: Shelf::new(ttl), rates: Shelf::new(ttl) }
    }
}

pub fn key(org: &str, id: &str) -> OrgKey {
    (org.to_string(), id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_zero_ttl_disables() {
        let s: Shelf<u32, u32> = Shelf::new(Duration::from_secs(2));
        s.put(1, Arc::new(10));
        assert_eq!(s.get(&1).as_deref(), Some(&10));
        // Backdate the entry past its time to live.
        let old = Instant::now().checked_sub(Duration::from_secs(3)).unwrap();
        s.map.write().unwrap().get_mut(&1).unwrap().0 = old;
        assert_eq!(s.get(&1), None);
        s.put(2, Arc::new(20));
        s.remove(&2);
        assert_eq!(s.get(&2), None);
        let off: Shelf<u32, u32> = Shelf::new(Duration::ZERO);
        off.put(1, Arc::new(10));
        assert_eq!(off.get(&1), None);
    }
}
