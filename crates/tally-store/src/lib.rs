//! Persistence for Tally on two stores from one set of SQL: embedded SQLite (the
//! default) and PostgreSQL (scale-out). SQLite accepts `$1…$n` placeholders, so
//! every statement is written once and run on whichever pool is configured.
//!
//! This crate owns connections, migrations, transactions and the row ↔ domain
//! mapping of each aggregate (one module each). It knows nothing of HTTP and
//! takes instants as arguments: it never reads a clock.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions, Postgres};
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, SqlSafeStr};
use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

pub mod customers;
pub mod idempotency;
pub mod keys;
pub mod list;
pub mod payments;
pub mod plans;
pub mod rates;
pub mod sessions;
pub mod subscriptions;

/// A store failure. `Conflict` is a unique-constraint violation the caller may
/// turn into a client error; everything else is the operator's problem.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Maps a unique violation to [`StoreError::Conflict`], leaves the rest.
pub(crate) fn conflict(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::Conflict(db.message().to_string());
    }
    StoreError::Database(e)
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("domain values always serialize")
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Connection pools of the configured store.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite: many readers, one writer connection (writes are serialized in
    /// process, so no transaction ever meets `SQLITE_BUSY` on lock upgrade).
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

/// One connection to run statements on: from a pool or inside a transaction.
pub enum Ex<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Ex<'_> {
    /// The same connection for a shorter borrow, so it can be used again after.
    pub fn reborrow(&mut self) -> Ex<'_> {
        match self {
            Ex::Sqlite(c) => Ex::Sqlite(c),
            Ex::Postgres(c) => Ex::Postgres(c),
        }
    }
}

/// Runs `$body` with `$c` bound to the connection of either store.
macro_rules! on {
    ($ex:expr, $c:ident => $body:expr) => {
        match $ex {
            $crate::Ex::Sqlite($c) => $body,
            $crate::Ex::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;

/// A pooled connection for reads outside a transaction.
pub enum Conn {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

impl Conn {
    pub fn ex(&mut self) -> Ex<'_> {
        match self {
            Conn::Sqlite(c) => Ex::Sqlite(c),
            Conn::Postgres(c) => Ex::Postgres(c),
        }
    }
}

/// A write transaction; dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub fn ex(&mut self) -> Ex<'_> {
        match self {
            Tx::Sqlite(t) => Ex::Sqlite(t),
            Tx::Postgres(t) => Ex::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Which store a URL names.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn migrator(sqls: &[(&'static str, &'static str)]) -> Migrator {
    let migrations = sqls
        .iter()
        .enumerate()
        .map(|(i, (name, sql))| {
            Migration::new(
                i as i64 + 1,
                Cow::Borrowed(*name),
                MigrationType::Simple,
                AssertSqlSafe(*sql).into_sql_str(),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator { migrations: Cow::Owned(migrations), ..Migrator::DEFAULT }
}

const SQLITE_MIGRATIONS: &[(&str, &str)] = &[
    ("foundation", include_str!("../migrations/sqlite/0001_foundation.sql")),
    ("payments", include_str!("../migrations/sqlite/0002_payments.sql")),
];
const POSTGRES_MIGRATIONS: &[(&str, &str)] = &[
    ("foundation", include_str!("../migrations/postgres/0001_foundation.sql")),
    ("payments", include_str!("../migrations/postgres/0002_payments.sql")),
];

impl Db {
    /// Opens (creating if needed) the embedded store at `file`.
    ///
    /// Settings: WAL journal (readers never block the writer), foreign keys on,
    /// a 5 s busy timeout, and `synchronous` as given: FULL (the default) makes
    /// every commit durable at once, even against power loss; NORMAL in WAL mode
    /// survives a crash of the process but may lose the last commits on power loss.
    pub async fn open_sqlite(file: &Path, durable: bool) -> Result<Db> {
        let synchronous = if durable { SqliteSynchronous::Full } else { SqliteSynchronous::Normal };
        let opts = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Db::Sqlite { read, write })
    }

    pub async fn open_postgres(url: &str, max_connections: u32) -> Result<Db> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Db::Postgres(pool))
    }

    /// Applies pending migrations; safe to call on every start.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite { write, .. } => migrator(SQLITE_MIGRATIONS).run(write).await?,
            Db::Postgres(pool) => migrator(POSTGRES_MIGRATIONS).run(pool).await?,
        }
        Ok(())
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// A connection for reads.
    pub async fn conn(&self) -> Result<Conn> {
        Ok(match self {
            Db::Sqlite { read, .. } => Conn::Sqlite(read.acquire().await?),
            Db::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// A connection for one self-contained write statement (autocommit): cheaper
    /// than a transaction when a single statement is all there is.
    pub async fn writer(&self) -> Result<Conn> {
        Ok(match self {
            Db::Sqlite { write, .. } => Conn::Sqlite(write.acquire().await?),
            Db::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// `SELECT 1` on the store, for readiness probes.
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.conn().await?;
        on!(c.ex(), c => sqlx::query("SELECT 1").execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
