//! Idempotency records (§1): per (organization, key), the request's fingerprint
//! and, once finished, the response to replay. A record without a response is a
//! request still running.

use crate::{Ex, Result, on};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Record {
    pub request_hash: String,
    pub status_code: Option<i64>,
    pub response_body: Option<String>,
    pub created_at: i64,
}

/// Claims `key` for a new request; false when a record exists already.
pub async fn claim(ex: Ex<'_>, org: &str, key: &str, request_hash: &str, now: i64) -> Result<bool> {
    let n = on!(ex, c => sqlx::query(
        "INSERT INTO idempotency_keys (organization_id, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (organization_id, idem_key) DO NOTHING")
        .bind(org).bind(key).bind(request_hash).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get(ex: Ex<'_>, org: &str, key: &str) -> Result<Option<Record>> {
    Ok(on!(ex, c => sqlx::query_as(
        "SELECT request_hash, status_code, response_body, created_at FROM idempotency_keys \
         WHERE organization_id = $1 AND idem_key = $2")
        .bind(org).bind(key).fetch_optional(&mut *c).await)?)
}

pub async fn finish(ex: Ex<'_>, org: &str, key: &str, status: u16, body: &str) -> Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE idempotency_keys SET status_code = $3, response_body = $4 WHERE organization_id = $1 AND idem_key = $2")
        .bind(org).bind(key).bind(i64::from(status)).bind(body)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets a key: its request failed before any effect, or the record expired.
pub async fn release(ex: Ex<'_>, org: &str, key: &str) -> Result<()> {
    on!(ex, c => sqlx::query("DELETE FROM idempotency_keys WHERE organization_id = $1 AND idem_key = $2")
        .bind(org).bind(key).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes finished records created before `before`; returns how many.
pub async fn purge(ex: Ex<'_>, before: i64) -> Result<u64> {
    Ok(on!(ex, c => sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1 AND status_code IS NOT NULL")
        .bind(before).execute(&mut *c).await.map(|r| r.rows_affected()))?)
}
