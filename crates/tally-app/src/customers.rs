//! Customers (§5): create, read, partial update (`null` clears), list.

use crate::access::Principal;
use crate::list::ListParams;
use crate::payments::CustomerView;
use crate::{App, AppError, AppResult};
use tally_core::access::{Access, Resource};
use tally_core::customer::{Address, Customer};
use tally_core::ids;
use tally_core::validate::{self, FieldError, Metadata};
use tally_store::list::Page;
use tally_store::{Ex, StoreError, customers};

#[derive(Clone, Debug, Default)]
pub struct NewCustomer {
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub full_name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub metadata: Option<Metadata>,
}

/// Absent fields stay; `Some(None)` clears.
#[derive(Clone, Debug, Default)]
pub struct CustomerPatch {
    pub email: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub full_name: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub address: Option<Option<Address>>,
    pub metadata: Option<Option<Metadata>>,
}

fn optional_text(param: &str, v: Option<String>, max: usize) -> Result<Option<String>, FieldError> {
    v.map(|s| validate::text(param, &s, max)).transpose()
}

fn check_address(a: Option<Address>) -> Result<Option<Address>, FieldError> {
    let Some(a) = a else { return Ok(None) };
    let line = |name: &str, v: Option<String>| optional_text(&format!("address.{name}"), v, 200);
    let a = Address {
        line1: line("line1", a.line1)?,
        line2: line("line2", a.line2)?,
        city: line("city", a.city)?,
        state: line("state", a.state)?,
        postal_code: optional_text("address.postal_code", a.postal_code, 20)?,
        country: a.country,
    };
    Ok((!a.is_empty()).then_some(a))
}

/// Checks and normalizes every field of a customer about to be stored.
pub(crate) fn check(c: &mut Customer) -> Result<(), FieldError> {
    c.email = c.email.take().map(|e| validate::email("email", &e)).transpose()?;
    c.external_id = optional_text("external_id", c.external_id.take(), 255)?;
    c.full_name = optional_text("full_name", c.full_name.take(), 200)?;
    c.phone = optional_text("phone", c.phone.take(), 40)?;
    c.address = check_address(c.address.take())?;
    validate::metadata("metadata", &c.metadata)
}

pub(crate) async fn load(ex: Ex<'_>, org: &str, id: &str, param: Option<&str>) -> AppResult<Customer> {
    customers::get(ex, org, id).await?.ok_or_else(|| AppError::not_found("customer", id, param))
}

fn external_id_taken(c: &Customer) -> AppError {
    AppError::Conflict {
        code: "resource_exists",
        message: format!(
            "a customer with external_id `{}` already exists; external ids are unique per organization",
            c.external_id.as_deref().unwrap_or_default()
        ),
    }
}

/// Stores a new, checked customer inside `ex`'s transaction.
pub(crate) async fn insert(ex: Ex<'_>, org: &str, mut c: Customer) -> AppResult<Customer> {
    check(&mut c)?;
    match customers::insert(ex, org, &c).await {
        Err(StoreError::Conflict(_)) => Err(external_id_taken(&c)),
        r => r.map(|_| c).map_err(AppError::from),
    }
}

impl App {
    pub async fn create_customer(&self, p: &Principal, new: NewCustomer) -> AppResult<CustomerView> {
        p.require(Resource::Customers, Access::Write)?;
        let now = self.now();
        let c = Customer {
            id: ids::new_id(ids::CUSTOMER),
            email: new.email,
            external_id: new.external_id,
            full_name: new.full_name,
            phone: new.phone,
            address: new.address,
            metadata: new.metadata.unwrap_or_default(),
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.db.begin().await?;
        let c = insert(tx.ex(), p.org(), c).await?;
        tx.commit().await?;
        Ok(CustomerView { customer: c, payment_methods: Vec::new(), subscriptions: Vec::new() })
    }

    pub async fn get_customer(&self, p: &Principal, id: &str) -> AppResult<CustomerView> {
        p.require(Resource::Customers, Access::Read)?;
        let mut conn = self.db.conn().await?;
        let c = load(conn.ex(), p.org(), id, None).await?;
        self.customer_view(conn.ex(), p.org(), c).await
    }

    pub async fn update_customer(&self, p: &Principal, id: &str, patch: CustomerPatch) -> AppResult<CustomerView> {
        p.require(Resource::Customers, Access::Write)?;
        let mut tx = self.db.begin().await?;
        let mut c = load(tx.ex(), p.org(), id, None).await?;
        crate::patch(&mut c.email, patch.email);
        crate::patch(&mut c.external_id, patch.external_id);
        crate::patch(&mut c.full_name, patch.full_name);
        crate::patch(&mut c.phone, patch.phone);
        crate::patch(&mut c.address, patch.address);
        if let Some(m) = patch.metadata {
            c.metadata = m.unwrap_or_default();
        }
        c.updated_at = self.now();
        check(&mut c)?;
        match customers::update(tx.ex(), p.org(), &c).await {
            Err(StoreError::Conflict(_)) => return Err(external_id_taken(&c)),
            r => r?,
        }
        let view = self.customer_view(tx.ex(), p.org(), c).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn list_customers(&self, p: &Principal, params: &ListParams) -> AppResult<Page<CustomerView>> {
        p.require(Resource::Customers, Access::Read)?;
        let q = params.check(customers::SORTS)?;
        let mut conn = self.db.conn().await?;
        let page = customers::list(conn.ex(), p.org(), &q).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for c in page.items {
            items.push(self.customer_view(conn.ex(), p.org(), c).await?);
        }
        Ok(Page { items, total: page.total })
    }
}
