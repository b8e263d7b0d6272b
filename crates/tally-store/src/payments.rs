//! Payments, payment methods and refunds (§5, §8). Card details and decline
//! reasons are opaque JSON here: `tally-app` gives them their types. The store
//! never sees a card number.

use crate::list::{ListQuery, Page};
use crate::{Ex, Result, StoreError, json, on, parse_json};
use jiff::Timestamp;
use tally_core::clock::{from_micros, to_micros};
use tally_core::customer::Address;
use tally_core::validate::Metadata;
use tally_core::{Currency, Money};

#[derive(Clone, Debug, PartialEq)]
pub struct PaymentMethodRecord {
    pub id: String,
    pub customer_id: String,
    pub method_type: String,
    /// JSON of the card summary (brand, bin, last4, expiry, funding, country).
    pub details: serde_json::Value,
    pub billing_address: Option<Address>,
    pub processor: String,
    pub processor_token: String,
    pub fingerprint: String,
    /// Saved on the customer (a card is attached once a payment with it succeeds).
    pub attached: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct PmRow {
    id: String,
    customer_id: String,
    method_type: String,
    details: String,
    billing_address: Option<String>,
    processor: String,
    processor_token: String,
    fingerprint: String,
    attached: bool,
    created_at: i64,
    updated_at: i64,
}

impl PmRow {
    fn into_record(self) -> Result<PaymentMethodRecord> {
        Ok(PaymentMethodRecord {
            details: parse_json("payment method details", &self.details)?,
            billing_address: self.billing_address.as_deref().map(|a| parse_json("billing address", a)).transpose()?,
            id: self.id,
            customer_id: self.customer_id,
            method_type: self.method_type,
            processor: self.processor,
            processor_token: self.processor_token,
            fingerprint: self.fingerprint,
            attached: self.attached,
            created_at: from_micros(self.created_at),
            updated_at: from_micros(self.updated_at),
        })
    }
}

macro_rules! pm_columns {
    () => {
        "id, customer_id, method_type, details, billing_address, processor, processor_token, fingerprint, attached, created_at, updated_at"
    };
}

pub async fn insert_method(ex: Ex<'_>, org: &str, m: &PaymentMethodRecord) -> Result<()> {
    on!(ex, c => sqlx::query(concat!("INSERT INTO payment_methods (organization_id, ", pm_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
        .bind(org).bind(&m.id).bind(&m.customer_id).bind(&m.method_type).bind(m.details.to_string())
        .bind(m.billing_address.as_ref().map(json)).bind(&m.processor).bind(&m.processor_token)
        .bind(&m.fingerprint).bind(m.attached).bind(to_micros(m.created_at)).bind(to_micros(m.updated_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn attach_method(ex: Ex<'_>, org: &str, id: &str, at: Timestamp) -> Result<()> {
    on!(ex, c => sqlx::query("UPDATE payment_methods SET attached = TRUE, updated_at = $3 WHERE organization_id = $1 AND id = $2")
        .bind(org).bind(id).bind(to_micros(at)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get_method(ex: Ex<'_>, org: &str, id: &str) -> Result<Option<PaymentMethodRecord>> {
    let row: Option<PmRow> = on!(ex, c => sqlx::query_as(concat!("SELECT ", pm_columns!(),
        " FROM payment_methods WHERE organization_id = $1 AND id = $2"))
        .bind(org).bind(id).fetch_optional(&mut *c).await)?;
    row.map(PmRow::into_record).transpose()
}

/// The customer's saved (attached) methods, newest first.
pub async fn saved_methods(ex: Ex<'_>, org: &str, customer_id: &str) -> Result<Vec<PaymentMethodRecord>> {
    let rows: Vec<PmRow> = on!(ex, c => sqlx::query_as(concat!("SELECT ", pm_columns!(),
        " FROM payment_methods WHERE organization_id = $1 AND customer_id = $2 AND attached ORDER BY created_at DESC, id DESC"))
        .bind(org).bind(customer_id).fetch_all(&mut *c).await)?;
    rows.into_iter().map(PmRow::into_record).collect()
}

#[derive(Clone, Debug, PartialEq)]
pub struct PaymentRecord {
    pub id: String,
    pub customer_id: String,
    pub payment_method_id: Option<String>,
    pub subscription_id: Option<String>,
    pub client_session_id: Option<String>,
    pub amount: Money,
    pub amount_usd: i64,
    /// `CIT` or `MIT`.
    pub payment_type: String,
    /// One of the statuses of §8.1.
    pub status: String,
    /// JSON `{advice_code, decline_code, message}`.
    pub status_reason: Option<serde_json::Value>,
    pub processor: String,
    pub processor_transaction_id: Option<String>,
    pub auth_code: Option<String>,
    pub challenge_id: Option<String>,
    pub refunded_amount: i64,
    pub metadata: Metadata,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
pub struct PaymentRow {
    id: String,
    customer_id: String,
    payment_method_id: Option<String>,
    subscription_id: Option<String>,
    client_session_id: Option<String>,
    amount: i64,
    currency: String,
    amount_usd: i64,
    payment_type: String,
    status: String,
    status_reason: Option<String>,
    processor: String,
    processor_transaction_id: Option<String>,
    auth_code: Option<String>,
    challenge_id: Option<String>,
    refunded_amount: i64,
    metadata: String,
    created_at: i64,
    updated_at: i64,
}

impl PaymentRow {
    fn into_record(self) -> Result<PaymentRecord> {
        let currency = Currency::parse(&self.currency).ok_or_else(|| StoreError::Corrupt(format!("currency {}", self.currency)))?;
        Ok(PaymentRecord {
            amount: Money::new(self.amount, currency),
            status_reason: self.status_reason.as_deref().map(|s| parse_json("status reason", s)).transpose()?,
            metadata: parse_json("metadata", &self.metadata)?,
            id: self.id,
            customer_id: self.customer_id,
            payment_method_id: self.payment_method_id,
            subscription_id: self.subscription_id,
            client_session_id: self.client_session_id,
            amount_usd: self.amount_usd,
            payment_type: self.payment_type,
            status: self.status,
            processor: self.processor,
            processor_transaction_id: self.processor_transaction_id,
            auth_code: self.auth_code,
            challenge_id: self.challenge_id,
            refunded_amount: self.refunded_amount,
            created_at: from_micros(self.created_at),
            updated_at: from_micros(self.updated_at),
        })
    }
}

macro_rules! payment_columns {
    () => {
        "id, customer_id, payment_method_id, subscription_id, client_session_id, amount, currency, amount_usd, \
         payment_type, status, status_reason, processor, processor_transaction_id, auth_code, challenge_id, \
         refunded_amount, metadata, created_at, updated_at"
    };
}

/// Columns a v1 list may sort by.
pub const SORTS: &[&str] = &["created_at", "updated_at", "amount", "status", "id"];

fn search_text(p: &PaymentRecord) -> String {
    format!("{} {} {} {} {}", p.id, p.customer_id, p.status, p.amount.currency, p.subscription_id.as_deref().unwrap_or("")).to_lowercase()
}

pub async fn insert_payment(ex: Ex<'_>, org: &str, p: &PaymentRecord) -> Result<()> {
    on!(ex, c => sqlx::query(concat!("INSERT INTO payments (organization_id, search_text, ", payment_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"))
        .bind(org).bind(search_text(p)).bind(&p.id).bind(&p.customer_id).bind(&p.payment_method_id)
        .bind(&p.subscription_id).bind(&p.client_session_id).bind(p.amount.amount).bind(p.amount.currency.code())
        .bind(p.amount_usd).bind(&p.payment_type).bind(&p.status).bind(p.status_reason.as_ref().map(|r| r.to_string()))
        .bind(&p.processor).bind(&p.processor_transaction_id).bind(&p.auth_code).bind(&p.challenge_id)
        .bind(p.refunded_amount).bind(json(&p.metadata)).bind(to_micros(p.created_at)).bind(to_micros(p.updated_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Writes the processor's answer onto a payment (status, reason, ids, links).
pub async fn update_payment(ex: Ex<'_>, org: &str, p: &PaymentRecord) -> Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE payments SET status = $3, status_reason = $4, processor_transaction_id = $5, auth_code = $6, \
         challenge_id = $7, subscription_id = $8, payment_method_id = $9, search_text = $10, updated_at = $11 \
         WHERE organization_id = $1 AND id = $2")
        .bind(org).bind(&p.id).bind(&p.status).bind(p.status_reason.as_ref().map(|r| r.to_string()))
        .bind(&p.processor_transaction_id).bind(&p.auth_code).bind(&p.challenge_id).bind(&p.subscription_id)
        .bind(&p.payment_method_id).bind(search_text(p)).bind(to_micros(p.updated_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get_payment(ex: Ex<'_>, org: &str, id: &str) -> Result<Option<PaymentRecord>> {
    let row: Option<PaymentRow> = on!(ex, c => sqlx::query_as(concat!("SELECT ", payment_columns!(),
        " FROM payments WHERE organization_id = $1 AND id = $2"))
        .bind(org).bind(id).fetch_optional(&mut *c).await)?;
    row.map(PaymentRow::into_record).transpose()
}

/// The payment of a client session waiting for this 3-D Secure challenge.
pub async fn find_by_challenge(ex: Ex<'_>, org: &str, session_id: &str, challenge_id: &str) -> Result<Option<PaymentRecord>> {
    let row: Option<PaymentRow> = on!(ex, c => sqlx::query_as(concat!("SELECT ", payment_columns!(),
        " FROM payments WHERE organization_id = $1 AND client_session_id = $2 AND challenge_id = $3"))
        .bind(org).bind(session_id).bind(challenge_id).fetch_optional(&mut *c).await)?;
    row.map(PaymentRow::into_record).transpose()
}

pub async fn list_payments(ex: Ex<'_>, org: &str, q: &ListQuery) -> Result<Page<PaymentRecord>> {
    let page = crate::list::page::<PaymentRow>(ex, "payments", payment_columns!(), org, q).await?;
    Ok(Page { items: page.items.into_iter().map(PaymentRow::into_record).collect::<Result<_>>()?, total: page.total })
}

/// Reserves `amount` of a payment for a refund: adds it to `refunded_amount`
/// only if the total stays within the payment and the status is refundable.
/// False when it would not (the caller answers 400).
pub async fn reserve_refund(ex: Ex<'_>, org: &str, payment_id: &str, amount: i64, at: Timestamp) -> Result<bool> {
    let n = on!(ex, c => sqlx::query(
        "UPDATE payments SET refunded_amount = refunded_amount + $3, updated_at = $4 \
         WHERE organization_id = $1 AND id = $2 AND status IN ('SETTLING', 'SETTLED') AND refunded_amount + $3 <= amount")
        .bind(org).bind(payment_id).bind(amount).bind(to_micros(at)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Gives back a reservation whose refund the processor refused.
pub async fn release_refund(ex: Ex<'_>, org: &str, payment_id: &str, amount: i64, at: Timestamp) -> Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE payments SET refunded_amount = refunded_amount - $3, updated_at = $4 WHERE organization_id = $1 AND id = $2")
        .bind(org).bind(payment_id).bind(amount).bind(to_micros(at)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq)]
pub struct RefundRecord {
    pub id: String,
    pub payment_id: String,
    pub amount: Money,
    /// `PENDING`, `SUCCEEDED` or `FAILED`.
    pub status: String,
    pub reason: Option<String>,
    pub processor_refund_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub async fn insert_refund(ex: Ex<'_>, org: &str, r: &RefundRecord) -> Result<()> {
    on!(ex, c => sqlx::query(
        "INSERT INTO refunds (id, organization_id, payment_id, amount, currency, status, reason, processor_refund_id, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(&r.id).bind(org).bind(&r.payment_id).bind(r.amount.amount).bind(r.amount.currency.code())
        .bind(&r.status).bind(&r.reason).bind(&r.processor_refund_id).bind(to_micros(r.created_at)).bind(to_micros(r.updated_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn update_refund(ex: Ex<'_>, org: &str, r: &RefundRecord) -> Result<()> {
    on!(ex, c => sqlx::query(
        "UPDATE refunds SET status = $3, processor_refund_id = $4, updated_at = $5 WHERE organization_id = $1 AND id = $2")
        .bind(org).bind(&r.id).bind(&r.status).bind(&r.processor_refund_id).bind(to_micros(r.updated_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
