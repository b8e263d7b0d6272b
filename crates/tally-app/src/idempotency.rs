//! Idempotency keys (§1, ext): the first request's status and body are kept for
//! 24 h per (organization, key); a retry with the same body replays them, a
//! different body or a retry while the first still runs is a conflict.

use crate::{App, AppError, AppResult};
use jiff::SignedDuration;
use tally_core::clock::to_micros;
use tally_store::idempotency as store;

pub const KEY_MAX_CHARS: usize = 255;
pub const RETENTION: SignedDuration = SignedDuration::from_hours(24);
/// A claim still unfinished after this was abandoned by a server that stopped
/// mid-request; a retry may run it again.
pub const ABANDONED: SignedDuration = SignedDuration::from_mins(5);

/// What to do with a request that carries an idempotency key.
#[derive(Debug)]
pub enum Claim {
    /// First time: run it, then [`App::idempotency_finish`].
    Proceed,
    /// Seen and finished: answer this again.
    Replay { status: u16, body: String },
}

impl App {
    pub async fn idempotency_claim(&self, org: &str, key: &str, request_hash: &str) -> AppResult<Claim> {
        if key.is_empty() || key.chars().count() > KEY_MAX_CHARS {
            return Err(AppError::invalid("Idempotency-Key", format!("must be 1 to {KEY_MAX_CHARS} characters")));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if let Some(old) = store::get(tx.ex(), org, key).await? {
            let expired = old.status_code.is_some() && old.created_at < to_micros(now - RETENTION);
            let abandoned = old.status_code.is_none() && old.created_at < to_micros(now - ABANDONED);
            if expired || abandoned {
                store::release(tx.ex(), org, key).await?;
            }
        }
        let claimed = store::claim(tx.ex(), org, key, request_hash, to_micros(now)).await?;
        let existing = if claimed { None } else { store::get(tx.ex(), org, key).await? };
        tx.commit().await?;
        let Some(rec) = existing else { return Ok(Claim::Proceed) };
        if rec.request_hash != request_hash {
            return Err(AppError::Conflict {
                code: "idempotency_conflict",
                message: format!("Idempotency-Key `{key}` was already used with a different request; use a new key"),
            });
        }
        match (rec.status_code, rec.response_body) {
            (Some(status), Some(body)) => Ok(Claim::Replay { status: u16::try_from(status).unwrap_or(500), body }),
            _ => Err(AppError::Conflict {
                code: "idempotency_in_progress",
                message: format!("a request with Idempotency-Key `{key}` is still being processed; retry later"),
            }),
        }
    }

    pub async fn idempotency_finish(&self, org: &str, key: &str, status: u16, body: &str) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        store::finish(tx.ex(), org, key, status, body).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets a claim whose request failed on the server's side (5xx), so the
    /// client's retry can run it.
    pub async fn idempotency_release(&self, org: &str, key: &str) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        store::release(tx.ex(), org, key).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// Deletes finished records older than the retention; returns how many.
    pub async fn purge_idempotency_keys(&self) -> AppResult<u64> {
        let mut conn = self.db.writer().await?;
        Ok(store::purge(conn.ex(), to_micros(self.now() - RETENTION)).await?)
    }
}
