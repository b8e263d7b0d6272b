//! Customers (§5): contact fields as columns, address and metadata as JSON.

use crate::list::{ListQuery, Page};
use crate::{Ex, Result, conflict, json, on, parse_json};
use tally_core::clock::{from_micros, to_micros};
use tally_core::customer::Customer;

macro_rules! columns {
    () => {
        "id, email, external_id, full_name, phone, address, metadata, created_at, updated_at"
    };
}

/// Columns a v1 list may sort by.
pub const SORTS: &[&str] = &["created_at", "updated_at", "email", "external_id", "full_name", "id"];

#[derive(sqlx::FromRow)]
pub struct CustomerRow {
    id: String,
    email: Option<String>,
    external_id: Option<String>,
    full_name: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    metadata: String,
    created_at: i64,
    updated_at: i64,
}

impl CustomerRow {
    fn into_customer(self) -> Result<Customer> {
        Ok(Customer {
            address: self.address.as_deref().map(|a| parse_json("address", a)).transpose()?,
            metadata: parse_json("metadata", &self.metadata)?,
            id: self.id,
            email: self.email,
            external_id: self.external_id,
            full_name: self.full_name,
            phone: self.phone,
            created_at: from_micros(self.created_at),
            updated_at: from_micros(self.updated_at),
        })
    }
}

fn search_text(c: &Customer) -> String {
    [Some(c.id.as_str()), c.email.as_deref(), c.external_id.as_deref(), c.full_name.as_deref(), c.phone.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Binds the fields of `cu` as `$1…$11` (organization, id, then the mutable ones).
macro_rules! bind_customer {
    ($query:expr, $org:expr, $cu:expr) => {
        $query
            .bind($org)
            .bind(&$cu.id)
            .bind(&$cu.email)
            .bind($cu.email.as_ref().map(|e| e.to_lowercase()))
            .bind(&$cu.external_id)
            .bind(&$cu.full_name)
            .bind(&$cu.phone)
            .bind($cu.address.as_ref().map(json))
            .bind(json(&$cu.metadata))
            .bind(search_text($cu))
            .bind(to_micros($cu.updated_at))
    };
}

/// Inserts a customer; a taken `external_id` is [`crate::StoreError::Conflict`].
pub async fn insert(ex: Ex<'_>, org: &str, cu: &Customer) -> Result<()> {
    on!(ex, c => bind_customer!(sqlx::query(
        "INSERT INTO customers (organization_id, id, email, email_lower, external_id, full_name, phone, address, \
         metadata, search_text, updated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"), org, cu)
        .bind(to_micros(cu.created_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()).map_err(conflict))?;
    Ok(())
}

pub async fn update(ex: Ex<'_>, org: &str, cu: &Customer) -> Result<()> {
    on!(ex, c => bind_customer!(sqlx::query(
        "UPDATE customers SET email = $3, email_lower = $4, external_id = $5, full_name = $6, phone = $7, \
         address = $8, metadata = $9, search_text = $10, updated_at = $11 WHERE organization_id = $1 AND id = $2"), org, cu)
        .execute(&mut *c).await.map(|r| r.rows_affected()).map_err(conflict))?;
    Ok(())
}

pub async fn get(ex: Ex<'_>, org: &str, id: &str) -> Result<Option<Customer>> {
    let row: Option<CustomerRow> = on!(ex, c => sqlx::query_as(concat!(
        "SELECT ", columns!(), " FROM customers WHERE organization_id = $1 AND id = $2"))
        .bind(org).bind(id).fetch_optional(&mut *c).await)?;
    row.map(CustomerRow::into_customer).transpose()
}

/// The customer checkout should reuse: by `external_id` when given, else the
/// oldest with this email (case-insensitive).
pub async fn find_match(ex: Ex<'_>, org: &str, external_id: Option<&str>, email: Option<&str>) -> Result<Option<Customer>> {
    let row: Option<CustomerRow> = match (external_id, email) {
        (Some(ext), _) => on!(ex, c => sqlx::query_as(concat!(
            "SELECT ", columns!(), " FROM customers WHERE organization_id = $1 AND external_id = $2"))
            .bind(org).bind(ext).fetch_optional(&mut *c).await)?,
        (None, Some(email)) => on!(ex, c => sqlx::query_as(concat!(
            "SELECT ", columns!(), " FROM customers WHERE organization_id = $1 AND email_lower = $2 \
             ORDER BY created_at, id LIMIT 1"))
            .bind(org).bind(email.to_lowercase()).fetch_optional(&mut *c).await)?,
        (None, None) => None,
    };
    row.map(CustomerRow::into_customer).transpose()
}

pub async fn list(ex: Ex<'_>, org: &str, q: &ListQuery) -> Result<Page<Customer>> {
    let page = crate::list::page::<CustomerRow>(ex, "customers", columns!(), org, q).await?;
    Ok(Page { items: page.items.into_iter().map(CustomerRow::into_customer).collect::<Result<_>>()?, total: page.total })
}
