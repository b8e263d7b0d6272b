//! Organizations and API keys (§2): bootstrap, authentication, scopes, key
//! management. Secrets are shown once and stored as SHA-256 hashes; the stored
//! hash is compared in constant time.

use crate::{App, AppError, AppResult};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tally_core::access::{Access, Mode, Resource, Scopes};
use tally_core::ids;
use tally_store::keys;
pub use tally_store::keys::{ApiKey, Organization};

/// Who is calling: the key and its organization.
#[derive(Clone, Debug)]
pub struct Principal {
    pub organization: Organization,
    pub key_id: String,
    pub scopes: Scopes,
}

impl Principal {
    pub fn org(&self) -> &str {
        &self.organization.id
    }

    /// 403 unless the key has at least `needed` on `resource` (D-1).
    pub fn require(&self, resource: Resource, needed: Access) -> AppResult<()> {
        if self.scopes.allows(resource, needed) {
            return Ok(());
        }
        let level = if resource.write_only() { Access::Write } else { needed };
        Err(AppError::Forbidden {
            message: format!(
                "this API key lacks the `{resource}: {}` scope this endpoint needs (it has `{}`)",
                level.as_str(),
                self.scopes.get(resource).as_str()
            ),
        })
    }
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn new_secret(mode: Mode) -> String {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    format!("{}{}", mode.key_prefix(), hex::encode(bytes))
}

fn hint(secret: &str) -> String {
    let prefix: String = secret.chars().take(8).collect();
    let last4: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{prefix}…{last4}")
}

/// A newly created key: the only time its secret is visible.
#[derive(Clone, Debug)]
pub struct CreatedKey {
    pub key: ApiKey,
    pub secret: String,
}

/// What the bootstrap did on an empty store.
#[derive(Clone, Debug)]
pub enum Bootstrap {
    /// The store already had organizations.
    AlreadyDone,
    /// A root organization was created with this key (`generated` when the
    /// secret was not supplied and must be shown to the operator once).
    Created { organization: Organization, secret: String, generated: bool },
}

pub struct NewKey<'a> {
    pub name: &'a str,
    pub organization_id: Option<&'a str>,
    pub scopes: Option<Scopes>,
}

impl App {
    /// On an empty store: the default sandbox organization (the root) and a full
    /// key — `fixed_secret` when given (`TALLY_BOOTSTRAP_API_KEY`), else generated.
    pub async fn bootstrap(&self, fixed_secret: Option<&str>) -> AppResult<Bootstrap> {
        let mut tx = self.db.begin().await?;
        if keys::count_orgs(tx.ex()).await? > 0 {
            return Ok(Bootstrap::AlreadyDone);
        }
        let now = self.now();
        let organization = Organization {
            id: ids::new_id(ids::ORGANIZATION),
            name: "Default".into(),
            mode: Mode::Sandbox,
            is_root: true,
            created_at: now,
        };
        keys::insert_org(tx.ex(), &organization).await?;
        let (secret, generated) = match fixed_secret {
            Some(s) => (s.to_string(), false),
            None => (new_secret(Mode::Sandbox), true),
        };
        if secret.trim().len() < 16 {
            return Err(AppError::invalid("TALLY_BOOTSTRAP_API_KEY", "must be at least 16 characters"));
        }
        let key = self.key_record("bootstrap", &organization.id, Scopes::full(), &secret);
        keys::insert_key(tx.ex(), &key).await?;
        tx.commit().await?;
        Ok(Bootstrap::Created { organization, secret, generated })
    }

    fn key_record(&self, name: &str, org: &str, scopes: Scopes, secret: &str) -> ApiKey {
        ApiKey {
            id: ids::new_id(ids::API_KEY),
            organization_id: org.to_string(),
            name: name.to_string(),
            secret_hash: hash_secret(secret),
            key_hint: hint(secret),
            scopes,
            created_at: self.now(),
            revoked_at: None,
        }
    }

    /// The principal of a bearer secret, or `None` for an unknown or revoked key.
    pub async fn authenticate(&self, secret: &str) -> AppResult<Option<Arc<Principal>>> {
        let hash = hash_secret(secret);
        if let Some(p) = self.cache.keys.get(&hash) {
            return Ok(Some(p));
        }
        let mut conn = self.db.conn().await?;
        let Some(found) = keys::find_active_by_hash(conn.ex(), &hash).await? else {
            return Ok(None);
        };
        // The lookup used the hash as an index; compare it again in constant time
        // so no timing difference depends on how much of it matched.
        if !bool::from(found.key.secret_hash.as_bytes().ct_eq(hash.as_bytes())) {
            return Ok(None);
        }
        let principal = Arc::new(Principal { organization: found.organization, key_id: found.key.id, scopes: found.key.scopes });
        self.cache.keys.put(hash, principal.clone());
        Ok(Some(principal))
    }

    pub async fn create_organization(&self, p: &Principal, name: &str, mode: Mode) -> AppResult<Organization> {
        p.require(Resource::Admin, Access::Write)?;
        if !p.organization.is_root {
            return Err(AppError::Forbidden {
                message: "only keys of the root organization (created by the bootstrap) can create organizations".into(),
            });
        }
        let name = tally_core::validate::text("name", name, 200)?;
        let org = Organization { id: ids::new_id(ids::ORGANIZATION), name, mode, is_root: false, created_at: self.now() };
        let mut tx = self.db.begin().await?;
        keys::insert_org(tx.ex(), &org).await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn list_organizations(&self, p: &Principal) -> AppResult<Vec<Organization>> {
        p.require(Resource::Admin, Access::Read)?;
        let mut conn = self.db.conn().await?;
        if p.organization.is_root {
            Ok(keys::list_orgs(conn.ex()).await?)
        } else {
            Ok(vec![p.organization.clone()])
        }
    }

    /// The organization a key request targets: the caller's own, or — for root
    /// keys only — another one.
    async fn target_org(&self, p: &Principal, requested: Option<&str>) -> AppResult<Organization> {
        match requested {
            None => Ok(p.organization.clone()),
            Some(id) if id == p.org() => Ok(p.organization.clone()),
            Some(id) => {
                if !p.organization.is_root {
                    return Err(AppError::Forbidden {
                        message: "only keys of the root organization can manage keys of other organizations".into(),
                    });
                }
                let mut conn = self.db.conn().await?;
                keys::get_org(conn.ex(), id)
                    .await?
                    .ok_or_else(|| AppError::not_found("organization", id, Some("organization_id")))
            }
        }
    }

    /// Creates a key in the caller's organization (or, for a root key, another).
    pub async fn create_key(&self, p: &Principal, new: NewKey<'_>) -> AppResult<CreatedKey> {
        p.require(Resource::Admin, Access::Write)?;
        let org = self.target_org(p, new.organization_id).await?;
        self.create_key_unchecked(&org, new.name, new.scopes).await
    }

    /// Key creation for the operator's command line, which needs no key itself.
    pub async fn create_key_unchecked(&self, org: &Organization, name: &str, scopes: Option<Scopes>) -> AppResult<CreatedKey> {
        let name = tally_core::validate::text("name", name, 200)?;
        let secret = new_secret(org.mode);
        let key = self.key_record(&name, &org.id, scopes.unwrap_or_else(Scopes::full), &secret);
        let mut tx = self.db.begin().await?;
        keys::insert_key(tx.ex(), &key).await?;
        tx.commit().await?;
        Ok(CreatedKey { key, secret })
    }

    pub async fn list_keys(&self, p: &Principal, organization_id: Option<&str>) -> AppResult<Vec<ApiKey>> {
        p.require(Resource::Admin, Access::Read)?;
        let org = self.target_org(p, organization_id).await?;
        let mut conn = self.db.conn().await?;
        Ok(keys::list_keys(conn.ex(), &org.id).await?)
    }

    /// Revokes a key at once; keys of other organizations are 404 unless the
    /// caller is root.
    pub async fn revoke_key(&self, p: &Principal, id: &str) -> AppResult<ApiKey> {
        p.require(Resource::Admin, Access::Write)?;
        let mut tx = self.db.begin().await?;
        let key = keys::get_key(tx.ex(), id)
            .await?
            .filter(|k| k.organization_id == p.org() || p.organization.is_root)
            .ok_or_else(|| AppError::not_found("API key", id, None))?;
        keys::revoke_key(tx.ex(), id, self.now()).await?;
        let revoked = keys::get_key(tx.ex(), id).await?.unwrap_or(key);
        tx.commit().await?;
        self.cache.keys.clear();
        Ok(revoked)
    }

    /// The root organization (for the command line); `None` before bootstrap.
    pub async fn root_organization(&self) -> AppResult<Option<Organization>> {
        let mut conn = self.db.conn().await?;
        Ok(keys::list_orgs(conn.ex()).await?.into_iter().find(|o| o.is_root))
    }

    pub async fn organization(&self, id: &str) -> AppResult<Option<Organization>> {
        let mut conn = self.db.conn().await?;
        Ok(keys::get_org(conn.ex(), id).await?)
    }
}
