//! Organizations and API keys (§2). Keys are stored only as a SHA-256 hash.

use crate::{Ex, Result, StoreError, conflict, json, on, parse_json};
use tally_core::access::{Mode, Scopes};
use tally_core::clock::{from_micros, to_micros};
use jiff::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub mode: Mode,
    /// Created by the bootstrap: its keys may manage other organizations.
    pub is_root: bool,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: String,
    name: String,
    mode: String,
    is_root: bool,
    created_at: i64,
}

impl OrgRow {
    fn into_org(self) -> Result<Organization> {
        Ok(Organization {
            mode: Mode::parse(&self.mode).ok_or_else(|| StoreError::Corrupt(format!("mode {}", self.mode)))?,
            id: self.id,
            name: self.name,
            is_root: self.is_root,
            created_at: from_micros(self.created_at),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    /// Hex SHA-256 of the secret.
    pub secret_hash: String,
    /// The prefix and last four characters, to recognise a key in lists.
    pub key_hint: String,
    pub scopes: Scopes,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: String,
    organization_id: String,
    name: String,
    secret_hash: String,
    key_hint: String,
    scopes: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl KeyRow {
    fn into_key(self) -> Result<ApiKey> {
        Ok(ApiKey {
            scopes: parse_json("scopes", &self.scopes)?,
            id: self.id,
            organization_id: self.organization_id,
            name: self.name,
            secret_hash: self.secret_hash,
            key_hint: self.key_hint,
            created_at: from_micros(self.created_at),
            revoked_at: self.revoked_at.map(from_micros),
        })
    }
}

/// A key and the organization it belongs to, for authentication.
#[derive(Clone, Debug)]
pub struct KeyWithOrg {
    pub key: ApiKey,
    pub organization: Organization,
}

pub async fn insert_org(ex: Ex<'_>, o: &Organization) -> Result<()> {
    on!(ex, c => sqlx::query("INSERT INTO organizations (id, name, mode, is_root, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&o.id).bind(&o.name).bind(o.mode.as_str()).bind(o.is_root).bind(to_micros(o.created_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()).map_err(conflict))?;
    Ok(())
}

pub async fn get_org(ex: Ex<'_>, id: &str) -> Result<Option<Organization>> {
    let row: Option<OrgRow> = on!(ex, c => sqlx::query_as("SELECT id, name, mode, is_root, created_at FROM organizations WHERE id = $1")
        .bind(id).fetch_optional(&mut *c).await)?;
    row.map(OrgRow::into_org).transpose()
}

pub async fn list_orgs(ex: Ex<'_>) -> Result<Vec<Organization>> {
    let rows: Vec<OrgRow> = on!(ex, c => sqlx::query_as("SELECT id, name, mode, is_root, created_at FROM organizations ORDER BY created_at, id")
        .fetch_all(&mut *c).await)?;
    rows.into_iter().map(OrgRow::into_org).collect()
}

pub async fn count_orgs(ex: Ex<'_>) -> Result<i64> {
    Ok(on!(ex, c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organizations").fetch_one(&mut *c).await)?)
}

pub async fn insert_key(ex: Ex<'_>, k: &ApiKey) -> Result<()> {
    on!(ex, c => sqlx::query(
        "INSERT INTO api_keys (id, organization_id, name, secret_hash, key_hint, scopes, created_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(&k.id).bind(&k.organization_id).bind(&k.name).bind(&k.secret_hash).bind(&k.key_hint)
        .bind(json(&k.scopes)).bind(to_micros(k.created_at)).bind(k.revoked_at.map(to_micros))
        .execute(&mut *c).await.map(|r| r.rows_affected()).map_err(conflict))?;
    Ok(())
}

macro_rules! key_columns {
    () => {
        "k.id, k.organization_id, k.name, k.secret_hash, k.key_hint, k.scopes, k.created_at, k.revoked_at"
    };
}

/// The live (unrevoked) key with this secret hash, with its organization.
pub async fn find_active_by_hash(ex: Ex<'_>, secret_hash: &str) -> Result<Option<KeyWithOrg>> {
    #[derive(sqlx::FromRow)]
    struct Joined {
        #[sqlx(flatten)]
        key: KeyRow,
        org_name: String,
        org_mode: String,
        org_is_root: bool,
        org_created_at: i64,
    }
    let row: Option<Joined> = on!(ex, c => sqlx::query_as(concat!(
        "SELECT ", key_columns!(), ", o.name AS org_name, o.mode AS org_mode, o.is_root AS org_is_root, \
         o.created_at AS org_created_at FROM api_keys k JOIN organizations o ON o.id = k.organization_id \
         WHERE k.secret_hash = $1 AND k.revoked_at IS NULL"))
        .bind(secret_hash).fetch_optional(&mut *c).await)?;
    let Some(j) = row else { return Ok(None) };
    let organization = OrgRow {
        id: j.key.organization_id.clone(),
        name: j.org_name,
        mode: j.org_mode,
        is_root: j.org_is_root,
        created_at: j.org_created_at,
    }
    .into_org()?;
    Ok(Some(KeyWithOrg { key: j.key.into_key()?, organization }))
}

pub async fn list_keys(ex: Ex<'_>, org: &str) -> Result<Vec<ApiKey>> {
    let rows: Vec<KeyRow> = on!(ex, c => sqlx::query_as(concat!(
        "SELECT ", key_columns!(), " FROM api_keys k WHERE k.organization_id = $1 ORDER BY k.created_at, k.id"))
        .bind(org).fetch_all(&mut *c).await)?;
    rows.into_iter().map(KeyRow::into_key).collect()
}

pub async fn get_key(ex: Ex<'_>, id: &str) -> Result<Option<ApiKey>> {
    let row: Option<KeyRow> = on!(ex, c => sqlx::query_as(concat!(
        "SELECT ", key_columns!(), " FROM api_keys k WHERE k.id = $1"))
        .bind(id).fetch_optional(&mut *c).await)?;
    row.map(KeyRow::into_key).transpose()
}

/// Marks a key revoked; returns whether a live key was revoked.
pub async fn revoke_key(ex: Ex<'_>, id: &str, at: Timestamp) -> Result<bool> {
    let n = on!(ex, c => sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id).bind(to_micros(at)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
