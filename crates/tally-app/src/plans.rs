//! Plans (§3): create, read, partial update, archive, list, import. Edits only
//! affect new sales: subscriptions keep the terms they were sold on.

use crate::access::Principal;
use crate::list::ListParams;
use crate::{App, AppError, AppResult, cache};
use std::sync::Arc;
use tally_core::access::{Access, Resource};
use tally_core::ids;
use tally_core::plan::{Interval, Plan, PlanTerms, PlanType, PriceBook, check_plan_id};
use tally_store::list::Page;
use tally_store::{Ex, StoreError, plans};

/// A partial update: absent fields stay; `Some(None)` clears a nullable field.
#[derive(Clone, Debug, Default)]
pub struct PlanPatch {
    pub name: Option<String>,
    pub plan_type: Option<PlanType>,
    pub interval: Option<Option<Interval>>,
    pub interval_count: Option<Option<i64>>,
    pub price: Option<PriceBook>,
    pub trial_interval: Option<Option<Interval>>,
    pub trial_interval_count: Option<Option<i64>>,
    pub trial_price: Option<Option<PriceBook>>,
}

impl PlanPatch {
    fn apply(self, mut t: PlanTerms) -> PlanTerms {
        if let Some(n) = self.name {
            t.name = Some(n);
        }
        if let Some(pt) = self.plan_type {
            t.plan_type = Some(pt);
            // A plan turned one-off drops the recurring-only terms it had.
            if pt == PlanType::OneOff {
                t.interval = None;
                t.interval_count = None;
                t.trial_interval = None;
                t.trial_interval_count = None;
                t.trial_price = None;
            }
        }
        if let Some(p) = self.price {
            t.price = Some(p);
        }
        crate::patch(&mut t.interval, self.interval);
        crate::patch(&mut t.interval_count, self.interval_count);
        crate::patch(&mut t.trial_interval, self.trial_interval);
        crate::patch(&mut t.trial_interval_count, self.trial_interval_count);
        crate::patch(&mut t.trial_price, self.trial_price);
        t
    }
}

fn plan_from(id: String, terms: PlanTerms, now: jiff::Timestamp, created_at: jiff::Timestamp, archived_at: Option<jiff::Timestamp>) -> AppResult<Plan> {
    let c = terms.check()?;
    Ok(Plan {
        id,
        name: c.name,
        plan_type: c.plan_type,
        cycle: c.cycle,
        price: c.price,
        trial: c.trial,
        created_at,
        updated_at: now,
        archived_at,
    })
}

async fn load(ex: Ex<'_>, org: &str, id: &str) -> AppResult<Plan> {
    plans::get(ex, org, id).await?.ok_or_else(|| AppError::not_found("plan", id, None))
}

impl App {
    pub async fn create_plan(&self, p: &Principal, id: Option<String>, terms: PlanTerms) -> AppResult<Plan> {
        p.require(Resource::Plans, Access::Write)?;
        let id = match id {
            Some(id) => {
                check_plan_id(&id)?;
                id
            }
            None => ids::new_id(ids::PLAN),
        };
        let now = self.now();
        let plan = plan_from(id, terms, now, now, None)?;
        let mut tx = self.db.begin().await?;
        match plans::insert(tx.ex(), p.org(), &plan).await {
            Err(StoreError::Conflict(_)) => {
                return Err(AppError::Conflict {
                    code: "resource_exists",
                    message: format!("a plan with id `{}` already exists; use PATCH /plans/{} to change it", plan.id, plan.id),
                });
            }
            r => r?,
        }
        tx.commit().await?;
        self.cache.plans.remove(&cache::key(p.org(), &plan.id));
        Ok(plan)
    }

    pub async fn get_plan(&self, p: &Principal, id: &str) -> AppResult<Arc<Plan>> {
        p.require(Resource::Plans, Access::Read)?;
        self.cached_plan(p.org(), id).await
    }

    /// A plan from the read cache, or the store.
    pub(crate) async fn cached_plan(&self, org: &str, id: &str) -> AppResult<Arc<Plan>> {
        let k = cache::key(org, id);
        if let Some(plan) = self.cache.plans.get(&k) {
            return Ok(plan);
        }
        let mut conn = self.db.conn().await?;
        let plan = Arc::new(load(conn.ex(), org, id).await?);
        self.cache.plans.put(k, plan.clone());
        Ok(plan)
    }

    pub async fn update_plan(&self, p: &Principal, id: &str, patch: PlanPatch) -> AppResult<Plan> {
        p.require(Resource::Plans, Access::Write)?;
        let mut tx = self.db.begin().await?;
        let current = load(tx.ex(), p.org(), id).await?;
        let plan = plan_from(current.id.clone(), patch.apply(current.terms()), self.now(), current.created_at, current.archived_at)?;
        plans::update(tx.ex(), p.org(), &plan).await?;
        tx.commit().await?;
        self.cache.plans.remove(&cache::key(p.org(), id));
        Ok(plan)
    }

    /// Archives (`true`) or unarchives a plan; idempotent.
    pub async fn set_plan_archived(&self, p: &Principal, id: &str, archived: bool) -> AppResult<Plan> {
        p.require(Resource::Plans, Access::Write)?;
        let mut tx = self.db.begin().await?;
        let mut plan = load(tx.ex(), p.org(), id).await?;
        if plan.is_archived() != archived {
            let now = self.now();
            plan.archived_at = archived.then_some(now);
            plan.updated_at = now;
            plans::update(tx.ex(), p.org(), &plan).await?;
        }
        tx.commit().await?;
        self.cache.plans.remove(&cache::key(p.org(), id));
        Ok(plan)
    }

    pub async fn list_plans(&self, p: &Principal, params: &ListParams) -> AppResult<Page<Plan>> {
        p.require(Resource::Plans, Access::Read)?;
        let q = params.check(plans::SORTS)?;
        let mut conn = self.db.conn().await?;
        Ok(plans::list(conn.ex(), p.org(), &q).await?)
    }

    /// Upserts plans by id in one transaction: all or none. Each entry's errors
    /// name its index (`[2].price.default.amount`). Returns (created, updated).
    pub async fn import_plans(&self, org: &str, entries: Vec<(Option<String>, PlanTerms)>) -> AppResult<(usize, usize)> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (mut created, mut updated) = (0, 0);
        for (i, (id, terms)) in entries.into_iter().enumerate() {
            let at = |e: AppError| match e {
                AppError::Invalid { code, param, message } => AppError::Invalid {
                    code,
                    param: Some(format!("[{i}].{}", param.unwrap_or_default())),
                    message: format!("plan {i}: {message}"),
                },
                other => other,
            };
            let id = match id {
                Some(id) => {
                    check_plan_id(&id).map_err(|e| at(e.into()))?;
                    id
                }
                None => ids::new_id(ids::PLAN),
            };
            match plans::get(tx.ex(), org, &id).await? {
                Some(cur) => {
                    let plan = plan_from(id, terms, now, cur.created_at, cur.archived_at).map_err(at)?;
                    plans::update(tx.ex(), org, &plan).await?;
                    updated += 1;
                }
                None => {
                    let plan = plan_from(id, terms, now, now, None).map_err(at)?;
                    plans::insert(tx.ex(), org, &plan).await?;
                    created += 1;
                }
            }
        }
        tx.commit().await?;
        self.cache.plans.clear();
        Ok((created, updated))
    }
}
