//! Memoized JSON of objects the use cases serve from their read cache: while
//! the cache hands out the same `Arc`, its JSON is rendered once. Freshness is
//! the app cache's business; a new `Arc` (after a write or expiry) re-renders.

use axum::body::Bytes;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};

const CAPACITY: usize = 10_000;

pub struct Rendered<K, T> {
    map: RwLock<HashMap<K, (Arc<T>, Bytes)>>,
}

impl<K: Eq + Hash, T> Default for Rendered<K, T> {
    fn default() -> Self {
        Rendered { map: RwLock::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash, T> Rendered<K, T> {
    pub fn get_or_render(&self, key: K, value: &Arc<T>, render: impl FnOnce(&T) -> Bytes) -> Bytes {
        if let Some((held, bytes)) = self.map.read().unwrap_or_else(|e| e.into_inner()).get(&key)
            && Arc::ptr_eq(held, value)
        {
            return bytes.clone();
        }
        let bytes = render(value);
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(key, (value.clone(), bytes.clone()));
        bytes
    }
}

/// A JSON response from already-rendered bytes.
pub fn json_response(bytes: Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_once_per_arc() {
        let r: Rendered<u8, String> = Rendered::default();
        let a = Arc::new("a".to_string());
        let mut calls = 0;
        for _ in 0..3 {
            r.get_or_render(1, &a, |s| {
                calls += 1;
                Bytes::from(s.clone())
            });
        }
        assert_eq!(calls, 1);
        let b = Arc::new("b".to_string());
        assert_eq!(r.get_or_render(1, &b, |s| Bytes::from(s.clone())), Bytes::from("b"));
    }
}
