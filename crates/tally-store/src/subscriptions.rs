//! Subscription records (§9): the plan snapshot as JSON, dates as columns.

use crate::{Ex, Result, StoreError, json, on, parse_json};
use tally_core::clock::{from_micros, to_micros};
use tally_core::subscription::{Subscription, SubscriptionStatus};

macro_rules! columns {
    () => {
        "id, customer_id, status, plan, payment_method_id, anchor_at, current_period_start, current_period_end, \
         next_billing_date, past_due, cancel_at, cancelled_at, metadata, created_at, updated_at"
    };
}

#[derive(sqlx::FromRow)]
pub struct SubscriptionRow {
    id: String,
    customer_id: String,
    status: String,
    plan: String,
    payment_method_id: Option<String>,
    anchor_at: i64,
    current_period_start: i64,
    current_period_end: i64,
    next_billing_date: Option<i64>,
    past_due: Option<String>,
    cancel_at: Option<i64>,
    cancelled_at: Option<i64>,
    metadata: String,
    created_at: i64,
    updated_at: i64,
}

impl SubscriptionRow {
    fn into_subscription(self) -> Result<Subscription> {
        Ok(Subscription {
            status: SubscriptionStatus::parse(&self.status)
                .ok_or_else(|| StoreError::Corrupt(format!("subscription status {}", self.status)))?,
            plan: parse_json("plan snapshot", &self.plan)?,
            past_due: self.past_due.as_deref().map(|p| parse_json("past_due", p)).transpose()?,
            metadata: parse_json("metadata", &self.metadata)?,
            id: self.id,
            customer_id: self.customer_id,
            payment_method_id: self.payment_method_id,
            anchor_at: from_micros(self.anchor_at),
            current_period_start: from_micros(self.current_period_start),
            current_period_end: from_micros(self.current_period_end),
            next_billing_date: self.next_billing_date.map(from_micros),
            cancel_at: self.cancel_at.map(from_micros),
            cancelled_at: self.cancelled_at.map(from_micros),
            created_at: from_micros(self.created_at),
            updated_at: from_micros(self.updated_at),
        })
    }
}

fn search_text(s: &Subscription) -> String {
    format!("{} {} {} {} {}", s.id, s.customer_id, s.status.as_str(), s.plan.id, s.plan.name).to_lowercase()
}

pub async fn insert(ex: Ex<'_>, org: &str, s: &Subscription) -> Result<()> {
    on!(ex, c => sqlx::query(concat!("INSERT INTO subscriptions (organization_id, search_text, ", columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"))
        .bind(org).bind(search_text(s)).bind(&s.id).bind(&s.customer_id).bind(s.status.as_str()).bind(json(&s.plan))
        .bind(&s.payment_method_id).bind(to_micros(s.anchor_at)).bind(to_micros(s.current_period_start))
        .bind(to_micros(s.current_period_end)).bind(s.next_billing_date.map(to_micros)).bind(s.past_due.as_ref().map(json))
        .bind(s.cancel_at.map(to_micros)).bind(s.cancelled_at.map(to_micros)).bind(json(&s.metadata))
        .bind(to_micros(s.created_at)).bind(to_micros(s.updated_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get(ex: Ex<'_>, org: &str, id: &str) -> Result<Option<Subscription>> {
    let row: Option<SubscriptionRow> = on!(ex, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " FROM subscriptions WHERE organization_id = $1 AND id = $2"))
        .bind(org).bind(id).fetch_optional(&mut *c).await)?;
    row.map(SubscriptionRow::into_subscription).transpose()
}

pub async fn of_customer(ex: Ex<'_>, org: &str, customer_id: &str) -> Result<Vec<Subscription>> {
    let rows: Vec<SubscriptionRow> = on!(ex, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " FROM subscriptions WHERE organization_id = $1 AND customer_id = $2 ORDER BY created_at DESC, id DESC"))
        .bind(org).bind(customer_id).fetch_all(&mut *c).await)?;
    rows.into_iter().map(SubscriptionRow::into_subscription).collect()
}
