//! Client sessions (§6): the whole session as JSON, with expiry and completion
//! as columns so they can be queried and updated atomically.

use crate::{Ex, Result, json, on, parse_json};
use jiff::Timestamp;
use tally_core::clock::to_micros;
use tally_core::session::ClientSession;

/// Inserts many sessions (of any organizations) in one statement: one round
/// trip and one commit for all of them. Atomic: all rows or none.
pub async fn insert_many(ex: Ex<'_>, rows: &[(String, std::sync::Arc<ClientSession>)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(
        "INSERT INTO client_sessions (id, organization_id, body, expires_at, completed_at, created_at, updated_at) VALUES ",
    );
    for i in 0..rows.len() {
        let b = i * 7;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(${}, ${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7));
    }
    on!(ex, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (org, s) in rows {
            q = q.bind(s.id.clone()).bind(org.clone()).bind(json(&**s)).bind(to_micros(s.expires_at))
                .bind(s.completed_at.map(to_micros)).bind(to_micros(s.created_at)).bind(to_micros(s.updated_at));
        }
        q.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Rewrites a session that is still open; returns false when it was completed
/// meanwhile (the caller must not overwrite a completed session).
pub async fn update_open(ex: Ex<'_>, org: &str, s: &ClientSession) -> Result<bool> {
    let n = on!(ex, c => sqlx::query(
        "UPDATE client_sessions SET body = $3, expires_at = $4, updated_at = $5 \
         WHERE organization_id = $1 AND id = $2 AND completed_at IS NULL")
        .bind(org).bind(&s.id).bind(json(s)).bind(to_micros(s.expires_at)).bind(to_micros(s.updated_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Marks an open session completed; false if it already was (exactly-once).
pub async fn complete(ex: Ex<'_>, org: &str, s: &ClientSession, at: Timestamp) -> Result<bool> {
    let n = on!(ex, c => sqlx::query(
        "UPDATE client_sessions SET body = $3, completed_at = $4, updated_at = $4 \
         WHERE organization_id = $1 AND id = $2 AND completed_at IS NULL")
        .bind(org).bind(&s.id).bind(json(s)).bind(to_micros(at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get(ex: Ex<'_>, org: &str, id: &str) -> Result<Option<ClientSession>> {
    let body: Option<String> = on!(ex, c => sqlx::query_scalar(
        "SELECT body FROM client_sessions WHERE organization_id = $1 AND id = $2")
        .bind(org).bind(id).fetch_optional(&mut *c).await)?;
    body.map(|b| parse_json("client session", &b)).transpose()
}

/// A session by id alone, with its organization: for the public checkout calls
/// that know only the session id.
pub async fn get_public(ex: Ex<'_>, id: &str) -> Result<Option<(String, ClientSession)>> {
    let row: Option<(String, String)> = on!(ex, c => sqlx::query_as(
        "SELECT organization_id, body FROM client_sessions WHERE id = $1")
        .bind(id).fetch_optional(&mut *c).await)?;
    row.map(|(org, b)| Ok((org, parse_json("client session", &b)?))).transpose()
}

/// Takes the checkout lock of an open session until `until` (µs); false when the
/// session is completed or another checkout holds an unexpired lock.
pub async fn lock(ex: Ex<'_>, org: &str, id: &str, token: &str, now: i64, until: i64) -> Result<bool> {
    let n = on!(ex, c => sqlx::query(
        "UPDATE client_sessions SET lock_token = $3, lock_expires_at = $5 WHERE organization_id = $1 AND id = $2 \
         AND completed_at IS NULL AND (lock_token IS NULL OR lock_expires_at < $4)")
        .bind(org).bind(id).bind(token).bind(now).bind(until)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Releases the lock taken with `token` (no-op if it was taken over).
pub async fn unlock(ex: Ex<'_>, org: &str, id: &str, token: &str) -> Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE client_sessions SET lock_token = NULL, lock_expires_at = NULL \
         WHERE organization_id = $1 AND id = $2 AND lock_token = $3")
        .bind(org).bind(id).bind(token).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
