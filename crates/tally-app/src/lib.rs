//! Tally's use cases, one module each (access, plans, customers, rates, sessions,
//! idempotency). This crate owns transactions and reads time from the injected
//! [`Clock`]; it validates business rules and returns domain values. It knows no
//! HTTP (status codes, headers, JSON shapes) — that is `tally-http`'s job.

use std::sync::Arc;
use tally_core::clock::Clock;
use tally_pay::{Processor, SandboxProcessor};
use tally_store::Db;

pub mod access;
mod batch;
pub mod cache;
pub mod checkout;
pub mod customers;
pub mod error;
pub mod idempotency;
pub mod list;
pub mod payments;
pub mod plans;
pub mod rates;
pub mod sessions;

pub use error::{AppError, AppResult};

/// Settings of the use cases (not of transport or storage).
#[derive(Clone, Debug)]
pub struct Config {
    /// How long a client session can be used for checkout (D-17).
    pub session_ttl: jiff::SignedDuration,
    /// How long a processor call may take before it counts as failed.
    pub processor_timeout: std::time::Duration,
    /// How long keys, plans, sessions and rates may be served from memory
    /// (writes through this process refresh them at once). Zero disables.
    pub read_cache_ttl: std::time::Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            session_ttl: jiff::SignedDuration::from_hours(24),
            processor_timeout: std::time::Duration::from_secs(15),
            read_cache_ttl: std::time::Duration::from_secs(2),
        }
    }
}

/// Everything a use case needs: the store, the clock, the processor, the settings.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Serves sandbox organizations (§8.4). Live organizations need a real
    /// processor, which this server does not ship yet.
    pub sandbox: Arc<dyn Processor>,
    pub cache: Arc<cache::Cache>,
    /// Started on first use, on the runtime of that use.
    session_writer: Arc<std::sync::OnceLock<batch::SessionWriter>>,
    pub config: Config,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: Config) -> App {
        let cache = Arc::new(cache::Cache::new(config.read_cache_ttl));
        App {
            db,
            clock,
            sandbox: Arc::new(SandboxProcessor::new()),
            cache,
            session_writer: Arc::default(),
            config,
        }
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    fn session_writer(&self) -> &batch::SessionWriter {
        self.session_writer.get_or_init(|| batch::SessionWriter::start(self.db.clone()))
    }
}

/// One field of a partial update: absent (`None`) keeps the value, present
/// (`Some(v)`, where `v` may be `None` for a JSON null) replaces it.
pub(crate) fn patch<T>(slot: &mut Option<T>, v: Option<Option<T>>) {
    if let Some(v) = v {
        *slot = v;
    }
}
