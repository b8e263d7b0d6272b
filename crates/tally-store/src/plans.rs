//! Plans (§3): rows keyed by (organization, id), price books as JSON.

use crate::list::{ListQuery, Page};
use crate::{Ex, Result, StoreError, conflict, json, on, parse_json};
use tally_core::clock::{from_micros, to_micros};
use tally_core::plan::{Cycle, Interval, Plan, PlanType, Trial};

macro_rules! columns {
    () => {
        "id, name, plan_type, interval_unit, interval_count, price, trial_interval, \
         trial_interval_count, trial_price, created_at, updated_at, archived_at"
    };
}

/// Columns a v1 list may sort by.
pub const SORTS: &[&str] = &["created_at", "updated_at", "name", "id"];

#[derive(sqlx::FromRow)]
pub struct PlanRow {
    id: String,
    name: String,
    plan_type: String,
    interval_unit: Option<String>,
    interval_count: Option<i64>,
    price: String,
    trial_interval: Option<String>,
    trial_interval_count: Option<i64>,
    trial_price: Option<String>,
    created_at: i64,
    updated_at: i64,
    archived_at: Option<i64>,
}

fn cycle(unit: Option<&str>, count: Option<i64>) -> Result<Option<Cycle>> {
    match (unit, count) {
        (Some(u), Some(n)) => {
            let unit = Interval::parse(u).ok_or_else(|| StoreError::Corrupt(format!("plan interval {u}")))?;
            Ok(Some(Cycle { unit, count: u32::try_from(n).map_err(|_| StoreError::Corrupt("interval count".into()))? }))
        }
        _ => Ok(None),
    }
}

impl PlanRow {
    fn into_plan(self) -> Result<Plan> {
        let plan_type = PlanType::parse(&self.plan_type)
            .ok_or_else(|| StoreError::Corrupt(format!("plan type {}", self.plan_type)))?;
        let trial = match (cycle(self.trial_interval.as_deref(), self.trial_interval_count)?, self.trial_price) {
            (Some(cycle), Some(p)) => Some(Trial { cycle, price: parse_json("trial_price", &p)? }),
            _ => None,
        };
        Ok(Plan {
            cycle: cycle(self.interval_unit.as_deref(), self.interval_count)?,
            price: parse_json("price", &self.price)?,
            id: self.id,
            name: self.name,
            plan_type,
            trial,
            created_at: from_micros(self.created_at),
            updated_at: from_micros(self.updated_at),
            archived_at: self.archived_at.map(from_micros),
        })
    }
}

fn search_text(p: &Plan) -> String {
    format!("{} {} {}", p.id, p.name, p.plan_type.as_str()).to_lowercase()
}

/// Binds the mutable fields of `p` as `$3…$13` after organization and id.
macro_rules! bind_plan {
    ($query:expr, $org:expr, $p:expr) => {
        $query
            .bind($org)
            .bind(&$p.id)
            .bind(&$p.name)
            .bind($p.plan_type.as_str())
            .bind($p.cycle.map(|c| c.unit.as_str()))
            .bind($p.cycle.map(|c| i64::from(c.count)))
            .bind(json(&$p.price))
            .bind($p.trial.as_ref().map(|t| t.cycle.unit.as_str()))
            .bind($p.trial.as_ref().map(|t| i64::from(t.cycle.count)))
            .bind($p.trial.as_ref().map(|t| json(&t.price)))
            .bind(search_text($p))
            .bind(to_micros($p.updated_at))
            .bind($p.archived_at.map(to_micros))
    };
}

/// Inserts a new plan; a taken id is [`StoreError::Conflict`].
pub async fn insert(ex: Ex<'_>, org: &str, p: &Plan) -> Result<()> {
    on!(ex, c => bind_plan!(sqlx::query(
        "INSERT INTO plans (organization_id, id, name, plan_type, interval_unit, interval_count, price, \
         trial_interval, trial_interval_count, trial_price, search_text, updated_at, archived_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"), org, p)
        .bind(to_micros(p.created_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()).map_err(conflict))?;
    Ok(())
}

/// Overwrites every mutable field of an existing plan (id and created_at stay).
pub async fn update(ex: Ex<'_>, org: &str, p: &Plan) -> Result<()> {
    on!(ex, c => bind_plan!(sqlx::query(
        "UPDATE plans SET name = $3, plan_type = $4, interval_unit = $5, interval_count = $6, price = $7, \
         trial_interval = $8, trial_interval_count = $9, trial_price = $10, search_text = $11, \
         updated_at = $12, archived_at = $13 WHERE organization_id = $1 AND id = $2"), org, p)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get(ex: Ex<'_>, org: &str, id: &str) -> Result<Option<Plan>> {
    let row: Option<PlanRow> = on!(ex, c => sqlx::query_as(
        concat!("SELECT ", columns!(), " FROM plans WHERE organization_id = $1 AND id = $2"))
        .bind(org).bind(id).fetch_optional(&mut *c).await)?;
    row.map(PlanRow::into_plan).transpose()
}

pub async fn list(ex: Ex<'_>, org: &str, q: &ListQuery) -> Result<Page<Plan>> {
    let page = crate::list::page::<PlanRow>(ex, "plans", columns!(), org, q).await?;
    Ok(Page { items: page.items.into_iter().map(PlanRow::into_plan).collect::<Result<_>>()?, total: page.total })
}
