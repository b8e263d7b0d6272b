//! Wire models: the JSON shapes of the API (§3, §5, §6, §2, §4.2, §11), apart
//! from the domain types. Inputs use `Option` everywhere so the use cases, not
//! serde, phrase the rules; wrong types and unknown enum values still fail in
//! serde and are answered 400 with the field's path.

use crate::extract::Version;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;
use tally_core::clock::{rfc3339_micros, rfc3339_seconds};
use tally_core::customer::{Address, Customer};
use tally_core::plan::{Interval, Plan, PlanType, PriceBook};
use tally_core::pricing::CurrencyDetails;
use tally_core::session::{ClientSession, PaymentMethodsMode, ProrationMode};
use tally_core::validate::Metadata;
use tally_core::{Country, Currency};
use utoipa::ToSchema;

/// Present-and-null vs absent, for PATCH: `None` absent, `Some(None)` null.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

fn ts(t: jiff::Timestamp) -> String {
    rfc3339_seconds(t)
}

// ---------------------------------------------------------------- plans (§3)

/// A plan (`GET /plans/{id}`).
#[derive(Serialize, ToSchema)]
pub struct PlanObject {
    /// Unique identifier for the plan.
    #[schema(example = "price_1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d")]
    pub id: String,
    /// Display name of the plan.
    #[schema(example = "Pro Plan")]
    pub name: String,
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub plan_type: PlanType,
    /// Unit of the billing period (recurring plans only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
    /// Number of units per billing period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_count: Option<u32>,
    pub price: PriceBook,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_interval: Option<Interval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_interval_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_price: Option<PriceBook>,
    #[schema(example = "2025-05-26T10:00:00Z")]
    pub created_at: String,
    #[schema(example = "2025-05-27T10:00:00Z")]
    pub updated_at: String,
    /// v2 only: when the plan was archived, null while active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Option<String>>,
}

impl PlanObject {
    pub fn new(p: Plan, v: Version) -> PlanObject {
        let trial = p.trial;
        PlanObject {
            id: p.id,
            name: p.name,
            plan_type: p.plan_type,
            interval: p.cycle.map(|c| c.unit),
            interval_count: p.cycle.map(|c| c.count),
            price: p.price,
            trial_interval: trial.as_ref().map(|t| t.cycle.unit),
            trial_interval_count: trial.as_ref().map(|t| t.cycle.count),
            trial_price: trial.map(|t| t.price),
            created_at: ts(p.created_at),
            updated_at: ts(p.updated_at),
            archived_at: (v == Version::V2).then(|| p.archived_at.map(ts)),
        }
    }
}

/// `POST /plans`: the plan without timestamps; `id` optional.
#[derive(Deserialize, ToSchema, Default)]
pub struct PlanCreate {
    /// Your own id (letters, digits, `_`, `-`, `.`), or omit for `plan_<uuid>`.
    pub id: Option<String>,
    pub name: Option<String>,
    /// `recurring` or `one-off` (`one_off` accepted).
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub plan_type: Option<PlanType>,
    pub interval: Option<Interval>,
    pub interval_count: Option<i64>,
    pub price: Option<PriceBook>,
    pub trial_interval: Option<Interval>,
    pub trial_interval_count: Option<i64>,
    pub trial_price: Option<PriceBook>,
}

impl PlanCreate {
    pub fn into_parts(self) -> (Option<String>, tally_core::plan::PlanTerms) {
        (
            self.id,
            tally_core::plan::PlanTerms {
                name: self.name,
                plan_type: self.plan_type,
                interval: self.interval,
                interval_count: self.interval_count,
                price: self.price,
                trial_interval: self.trial_interval,
                trial_interval_count: self.trial_interval_count,
                trial_price: self.trial_price,
            },
        )
    }
}

/// `PATCH /plans/{id}`: only the fields sent change; `null` clears an optional one.
#[derive(Deserialize, ToSchema, Default)]
pub struct PlanUpdate {
    pub name: Option<String>,
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub plan_type: Option<PlanType>,
    #[serde(default, deserialize_with = "double_option")]
    pub interval: Option<Option<Interval>>,
    #[serde(default, deserialize_with = "double_option")]
    pub interval_count: Option<Option<i64>>,
    pub price: Option<PriceBook>,
    #[serde(default, deserialize_with = "double_option")]
    pub trial_interval: Option<Option<Interval>>,
    #[serde(default, deserialize_with = "double_option")]
    pub trial_interval_count: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    pub trial_price: Option<Option<PriceBook>>,
}

impl From<PlanUpdate> for tally_app::plans::PlanPatch {
    fn from(u: PlanUpdate) -> Self {
        tally_app::plans::PlanPatch {
            name: u.name,
            plan_type: u.plan_type,
            interval: u.interval,
            interval_count: u.interval_count,
            price: u.price,
            trial_interval: u.trial_interval,
            trial_interval_count: u.trial_interval_count,
            trial_price: u.trial_price,
        }
    }
}

// ------------------------------------------------------------ customers (§5)

/// A customer.
#[derive(Serialize, ToSchema)]
pub struct CustomerObject {
    /// v2 only: always `customer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<&'static str>,
    #[schema(example = "cus_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")]
    pub id: String,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub full_name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub metadata: Metadata,
    /// Cards saved by checkout (omitted inside payments and subscriptions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_methods: Option<Vec<PaymentMethodObject>>,
    /// The customer's subscriptions (omitted inside payments and subscriptions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<Vec<SubscriptionObject>>,
    pub created_at: String,
    pub updated_at: String,
}

impl CustomerObject {
    /// The full customer, with saved cards and subscriptions.
    pub fn new(v: tally_app::payments::CustomerView, version: Version) -> CustomerObject {
        let mut o = CustomerObject::summary(v.customer, version);
        o.payment_methods = Some(v.payment_methods.into_iter().map(Into::into).collect());
        o.subscriptions = Some(v.subscriptions.into_iter().map(|s| SubscriptionObject::new(s, None)).collect());
        o
    }

    /// The customer as embedded in another object.
    pub fn summary(c: Customer, v: Version) -> CustomerObject {
        CustomerObject {
            object: (v == Version::V2).then_some("customer"),
            id: c.id,
            email: c.email,
            external_id: c.external_id,
            full_name: c.full_name,
            phone: c.phone,
            address: c.address,
            metadata: c.metadata,
            payment_methods: None,
            subscriptions: None,
            created_at: ts(c.created_at),
            updated_at: ts(c.updated_at),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CustomerCreate {
    pub email: Option<String>,
    /// Your own id for the customer; unique per organization.
    pub external_id: Option<String>,
    pub full_name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub metadata: Option<Metadata>,
}

impl From<CustomerCreate> for tally_app::customers::NewCustomer {
    fn from(c: CustomerCreate) -> Self {
        tally_app::customers::NewCustomer {
            email: c.email,
            external_id: c.external_id,
            full_name: c.full_name,
            phone: c.phone,
            address: c.address,
            metadata: c.metadata,
        }
    }
}

/// Only the fields sent change; `null` clears.
#[derive(Deserialize, ToSchema, Default)]
pub struct CustomerUpdate {
    #[serde(default, deserialize_with = "double_option")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub full_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub address: Option<Option<Address>>,
    #[serde(default, deserialize_with = "double_option")]
    pub metadata: Option<Option<Metadata>>,
}

impl From<CustomerUpdate> for tally_app::customers::CustomerPatch {
    fn from(u: CustomerUpdate) -> Self {
        tally_app::customers::CustomerPatch {
            email: u.email,
            external_id: u.external_id,
            full_name: u.full_name,
            phone: u.phone,
            address: u.address,
            metadata: u.metadata,
        }
    }
}

// ------------------------------------------------------ client sessions (§6)

#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct SessionAddress {
    /// ISO country code (e.g. US, DE).
    pub country: Option<Country>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionCustomerObject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<SessionAddress>,
    pub metadata: Metadata,
}

#[derive(Serialize, ToSchema)]
pub struct SessionSubscriptionObject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub metadata: Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proration_billing_mode: Option<ProrationMode>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionPaymentObject {
    pub metadata: Metadata,
}

/// The resolved trial of the plan for the customer's country.
#[derive(Serialize, ToSchema)]
pub struct SessionTrialObject {
    pub amount: i64,
    pub currency: Currency,
    pub interval: Interval,
    pub interval_count: u32,
}

/// The plan flattened with the price resolved for the customer's country.
#[derive(Serialize, ToSchema)]
pub struct SessionPlanObject {
    pub id: String,
    pub created_at: String,
    pub updated_at: String,
    pub name: String,
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub plan_type: PlanType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_count: Option<u32>,
    /// Price amount in minor units.
    pub amount: i64,
    pub currency: Currency,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial: Option<SessionTrialObject>,
}

/// A client session (seed `sessionResponse`).
#[derive(Serialize, ToSchema)]
pub struct SessionObject {
    /// The session id: the `clientToken` of checkout.
    #[schema(example = "d3b07384-d9a5-4d16-a5b1-3fa3d9b0b123")]
    pub id: String,
    #[schema(example = "2021-08-12T16:14:08.578695Z")]
    pub expiry_date: String,
    pub customer: SessionCustomerObject,
    pub subscription: SessionSubscriptionObject,
    pub payment: SessionPaymentObject,
    pub plan: SessionPlanObject,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_details: Option<CurrencyDetails>,
}

impl From<tally_core::session::SessionPlan> for SessionPlanObject {
    fn from(p: tally_core::session::SessionPlan) -> SessionPlanObject {
        SessionPlanObject {
            id: p.id,
            created_at: ts(p.created_at),
            updated_at: ts(p.updated_at),
            name: p.name,
            plan_type: p.plan_type,
            interval: p.interval,
            interval_count: p.interval_count,
            amount: p.price.amount,
            currency: p.price.currency,
            trial: p.trial.map(|t| SessionTrialObject {
                amount: t.price.amount,
                currency: t.price.currency,
                interval: t.interval,
                interval_count: t.interval_count,
            }),
        }
    }
}

impl From<ClientSession> for SessionObject {
    fn from(s: ClientSession) -> SessionObject {
        SessionObject {
            id: s.id,
            expiry_date: rfc3339_micros(s.expires_at),
            customer: SessionCustomerObject {
                id: s.customer.id,
                email: s.customer.email,
                external_id: s.customer.external_id,
                address: s.customer.country.map(|c| SessionAddress { country: Some(c) }),
                metadata: s.customer.metadata,
            },
            subscription: SessionSubscriptionObject {
                id: s.subscription.id,
                metadata: s.subscription.metadata,
                proration_billing_mode: s.subscription.proration_billing_mode,
            },
            payment: SessionPaymentObject { metadata: s.payment_metadata },
            plan: s.plan.into(),
            currency_details: s.currency_details,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct SessionCustomerInput {
    /// An existing customer; or give `email` (and optionally the rest) for a new one.
    pub id: Option<String>,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub address: Option<SessionAddress>,
    /// Alias of `address.country`.
    pub country: Option<Country>,
    pub metadata: Option<Metadata>,
}

impl SessionCustomerInput {
    fn into_app(self) -> Result<tally_app::sessions::CustomerInput, crate::error::ApiError> {
        let from_address = self.address.and_then(|a| a.country);
        let country = match (from_address, self.country) {
            (Some(a), Some(c)) if a != c => {
                return Err(crate::error::ApiError::bad_request(
                    "customer.country",
                    "`customer.country` and `customer.address.country` differ; send one of them",
                ));
            }
            (a, c) => a.or(c),
        };
        Ok(tally_app::sessions::CustomerInput {
            id: self.id,
            email: self.email,
            external_id: self.external_id,
            country,
            metadata: self.metadata,
        })
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct IdRef {
    pub id: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct SessionSubscriptionInput {
    pub id: Option<String>,
    pub metadata: Option<Metadata>,
    pub proration_billing_mode: Option<ProrationMode>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct MetadataInput {
    pub metadata: Option<Metadata>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct SessionOptionsInput {
    pub payment_methods_mode: Option<PaymentMethodsMode>,
    /// Return `currency_details` (payment, local, trial, due now).
    pub currency_details: Option<bool>,
}

impl From<SessionOptionsInput> for tally_app::sessions::OptionsInput {
    fn from(o: SessionOptionsInput) -> Self {
        tally_app::sessions::OptionsInput { payment_methods_mode: o.payment_methods_mode, currency_details: o.currency_details }
    }
}

/// `POST /client-session`.
#[derive(Deserialize, ToSchema, Default)]
pub struct SessionCreate {
    pub customer: Option<SessionCustomerInput>,
    pub plan: Option<IdRef>,
    pub subscription: Option<SessionSubscriptionInput>,
    pub payment: Option<MetadataInput>,
    pub options: Option<SessionOptionsInput>,
}

impl SessionCreate {
    pub fn into_app(self) -> Result<tally_app::sessions::NewSession, crate::error::ApiError> {
        Ok(tally_app::sessions::NewSession {
            customer: self.customer.map(SessionCustomerInput::into_app).transpose()?,
            plan_id: self.plan.and_then(|p| p.id),
            subscription: self.subscription.map(|s| tally_app::sessions::SubscriptionInput {
                id: s.id,
                metadata: s.metadata,
                proration_billing_mode: s.proration_billing_mode,
            }),
            payment_metadata: self.payment.and_then(|p| p.metadata),
            options: self.options.map(Into::into),
        })
    }
}

/// `PATCH /client-session/{id}`.
#[derive(Deserialize, ToSchema, Default)]
pub struct SessionUpdate {
    pub customer: Option<SessionCustomerInput>,
    pub payment: Option<MetadataInput>,
    pub subscription: Option<MetadataInput>,
    pub options: Option<SessionOptionsInput>,
}

impl SessionUpdate {
    pub fn into_app(self) -> Result<tally_app::sessions::SessionPatch, crate::error::ApiError> {
        Ok(tally_app::sessions::SessionPatch {
            customer: self.customer.map(SessionCustomerInput::into_app).transpose()?,
            payment_metadata: self.payment.and_then(|p| p.metadata),
            subscription_metadata: self.subscription.and_then(|s| s.metadata),
            options: self.options.map(Into::into),
        })
    }
}

// ---------------------------------------------------------------- lists (§11)

#[derive(Serialize, ToSchema)]
pub struct ListMeta {
    pub limit: u32,
    pub page: u32,
    pub pages: i64,
    pub total: i64,
}

/// A v1 list page.
#[derive(Serialize, ToSchema)]
pub struct ListPage<T: ToSchema> {
    pub data: Vec<T>,
    pub meta: ListMeta,
}

// ------------------------------------------------------- admin (§2, §4.2 ext)

#[derive(Serialize, ToSchema)]
pub struct OrganizationObject {
    #[schema(example = "org_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")]
    pub id: String,
    pub name: String,
    /// `sandbox` or `live`.
    pub mode: String,
    pub created_at: String,
}

impl From<tally_app::access::Organization> for OrganizationObject {
    fn from(o: tally_app::access::Organization) -> Self {
        OrganizationObject { id: o.id, name: o.name, mode: o.mode.as_str().into(), created_at: ts(o.created_at) }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct OrganizationCreate {
    pub name: Option<String>,
    pub mode: Option<tally_core::access::Mode>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeyObject {
    #[schema(example = "key_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")]
    pub id: String,
    /// The secret: shown only in the response that creates the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The secret's prefix and last four characters.
    pub key_hint: String,
    pub name: String,
    pub organization_id: String,
    /// Access per resource: `none`, `read` or `write`.
    #[schema(value_type = BTreeMap<String, String>)]
    pub scopes: BTreeMap<String, String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl ApiKeyObject {
    pub fn new(k: tally_app::access::ApiKey, secret: Option<String>) -> ApiKeyObject {
        ApiKeyObject {
            id: k.id,
            key: secret,
            key_hint: k.key_hint,
            name: k.name,
            organization_id: k.organization_id,
            scopes: k.scopes.iter().map(|(r, a)| (r.as_str().to_string(), a.as_str().to_string())).collect(),
            created_at: ts(k.created_at),
            revoked_at: k.revoked_at.map(ts),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ApiKeyCreate {
    pub name: Option<String>,
    /// Another organization (root keys only); default: the caller's.
    pub organization_id: Option<String>,
    /// e.g. `{"plans": "read", "customers": "write"}`; unlisted resources get `none`;
    /// omit for a key with every scope.
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub scopes: Option<BTreeMap<tally_core::access::Resource, tally_core::access::Access>>,
}

/// A decimal given as a JSON string (exact) or number.
#[derive(Clone, Copy, Debug)]
pub struct DecimalInput(pub Decimal);

impl<'de> Deserialize<'de> for DecimalInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i64),
            Float(f64),
        }
        let parsed = match Raw::deserialize(d)? {
            Raw::Text(s) => Decimal::from_str(s.trim()).map_err(|e| format!("`{s}` is not a decimal number: {e}")),
            Raw::Int(i) => Ok(Decimal::from(i)),
            // The shortest text that reads back as this f64 is what the client wrote.
            Raw::Float(f) => Decimal::from_str(&f.to_string())
                .or_else(|_| Decimal::from_scientific(&format!("{f:e}")))
                .map_err(|e| format!("{f} is not a usable decimal: {e}")),
        };
        parsed.map(DecimalInput).map_err(serde::de::Error::custom)
    }
}

/// `PUT /admin/exchange-rates` body and `GET` answer: units per 1 USD.
#[derive(Deserialize, ToSchema)]
pub struct RatesInput {
    #[schema(example = "USD")]
    pub base: Option<String>,
    #[schema(example = "2025-06-02T00:00:00Z")]
    pub as_of: Option<String>,
    /// Currency code → units per 1 USD, as a decimal string or number (> 0).
    #[schema(value_type = BTreeMap<String, String>)]
    pub rates: Option<BTreeMap<String, DecimalInput>>,
}

#[derive(Serialize, ToSchema)]
pub struct RatesObject {
    pub base: &'static str,
    /// The newest `as_of` of the rates listed.
    pub as_of: String,
    /// Every currency → units per 1 USD (decimal strings).
    pub rates: BTreeMap<String, String>,
}

impl From<&tally_app::rates::RateSheet> for RatesObject {
    fn from(s: &tally_app::rates::RateSheet) -> Self {
        RatesObject {
            base: "USD",
            as_of: ts(s.as_of),
            rates: s.rates.iter().map(|(c, (r, _))| (c.code().to_string(), r.normalize().to_string())).collect(),
        }
    }
}

// ------------------------------------------------------- payments (§5, §8, §9)

#[derive(Serialize, ToSchema)]
pub struct BinData {
    /// visa, mastercard, amex, discover, jcb, diners, unionpay or unknown.
    pub brand: String,
    /// Issuer country, when known.
    pub country: Option<String>,
    /// credit, debit, prepaid or unknown.
    pub funding: String,
}

#[derive(Serialize, ToSchema)]
pub struct CardDetailsObject {
    pub bin: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
    pub bin_data: BinData,
}

/// A saved card. The full number is never stored or shown.
#[derive(Serialize, ToSchema)]
pub struct PaymentMethodObject {
    #[schema(example = "pm_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")]
    pub id: String,
    /// Always `CARD`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub method_type: &'static str,
    pub details: CardDetailsObject,
    pub billing_address: Option<Address>,
}

impl From<tally_app::payments::PaymentMethod> for PaymentMethodObject {
    fn from(m: tally_app::payments::PaymentMethod) -> Self {
        let c = m.card;
        PaymentMethodObject {
            id: m.id,
            method_type: "CARD",
            details: CardDetailsObject {
                bin: c.bin,
                last4: c.last4,
                exp_month: c.exp_month,
                exp_year: c.exp_year,
                bin_data: BinData { brand: c.brand.as_str().into(), country: c.country, funding: c.funding.as_str().into() },
            },
            billing_address: m.billing_address,
        }
    }
}

/// A subscription (§9.1); inside a customer it omits `customer`.
#[derive(Serialize, ToSchema)]
pub struct SubscriptionObject {
    #[schema(example = "sub_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")]
    pub id: String,
    pub status: tally_core::subscription::SubscriptionStatus,
    /// The terms the subscription was sold on.
    pub plan: tally_core::subscription::PlanSnapshot,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub customer: Option<Box<CustomerObject>>,
    pub current_period_start: String,
    pub current_period_end: String,
    pub next_billing_date: Option<String>,
    pub past_due: Option<tally_core::subscription::PastDue>,
    pub cancel_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub metadata: Metadata,
    pub created_at: String,
    pub updated_at: String,
}

impl SubscriptionObject {
    pub fn new(s: tally_core::subscription::Subscription, customer: Option<CustomerObject>) -> SubscriptionObject {
        SubscriptionObject {
            id: s.id,
            status: s.status,
            plan: s.plan,
            customer: customer.map(Box::new),
            current_period_start: ts(s.current_period_start),
            current_period_end: ts(s.current_period_end),
            next_billing_date: s.next_billing_date.map(ts),
            past_due: s.past_due,
            cancel_at: s.cancel_at.map(ts),
            cancelled_at: s.cancelled_at.map(ts),
            metadata: s.metadata,
            created_at: ts(s.created_at),
            updated_at: ts(s.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionRef {
    pub id: String,
    pub status: tally_core::subscription::SubscriptionStatus,
}

#[derive(Serialize, ToSchema)]
pub struct StatusReasonObject {
    /// `try_again_later` or `do_not_try_again`.
    pub advice_code: String,
    pub decline_code: String,
    pub message: String,
}

impl From<tally_pay::StatusReason> for StatusReasonObject {
    fn from(r: tally_pay::StatusReason) -> Self {
        StatusReasonObject { advice_code: r.advice_code.as_str().into(), decline_code: r.decline_code.as_str().into(), message: r.message }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PaymentDetails {
    pub processor: String,
    pub processor_transaction_id: Option<String>,
    pub auth_code: Option<String>,
}

/// A payment (§8.1).
#[derive(Serialize, ToSchema)]
pub struct PaymentObject {
    #[schema(example = "pay_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")]
    pub id: String,
    /// Minor units of `currency_code`.
    pub amount: i64,
    /// The amount in US cents at the rate of the payment's time.
    pub amount_usd: i64,
    pub currency_code: Currency,
    /// PENDING, AUTHORIZED, SETTLING, SETTLED, INCOMPLETE, DECLINED, FAILED, BLOCKED or CANCELLED.
    pub payment_status: String,
    /// `CIT` (customer present) or `MIT` (merchant initiated).
    pub payment_type: String,
    pub customer: CustomerObject,
    pub payment_method: Option<PaymentMethodObject>,
    pub subscription: Option<SubscriptionRef>,
    pub status_reason: Option<StatusReasonObject>,
    pub payment_details: PaymentDetails,
    pub refunded_amount: i64,
    pub metadata: Metadata,
    pub created_at: String,
    pub updated_at: String,
}

impl PaymentObject {
    pub fn new(v: tally_app::payments::PaymentView, version: Version) -> PaymentObject {
        let p = v.payment;
        PaymentObject {
            id: p.id,
            amount: p.amount.amount,
            amount_usd: p.amount_usd,
            currency_code: p.amount.currency,
            payment_status: p.status,
            payment_type: p.payment_type,
            customer: CustomerObject::summary(v.customer, version),
            payment_method: v.payment_method.map(Into::into),
            subscription: v.subscription.map(|(id, status)| SubscriptionRef { id, status }),
            status_reason: v.status_reason.map(Into::into),
            payment_details: PaymentDetails {
                processor: p.processor,
                processor_transaction_id: p.processor_transaction_id,
                auth_code: p.auth_code,
            },
            refunded_amount: p.refunded_amount,
            metadata: p.metadata,
            created_at: ts(p.created_at),
            updated_at: ts(p.updated_at),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct PaymentSubscriptionInput {
    pub id: Option<String>,
    pub proration_billing_mode: Option<ProrationMode>,
}

/// `POST /payments`: charge a saved card now.
#[derive(Deserialize, ToSchema, Default)]
pub struct PaymentCreate {
    pub customer: Option<IdRef>,
    pub plan: Option<IdRef>,
    pub subscription: Option<PaymentSubscriptionInput>,
    /// A saved card of the customer; default: the newest saved card.
    pub payment_method_id: Option<String>,
    pub metadata: Option<Metadata>,
}

impl From<PaymentCreate> for tally_app::payments::NewPayment {
    fn from(b: PaymentCreate) -> Self {
        tally_app::payments::NewPayment {
            customer_id: b.customer.and_then(|c| c.id),
            plan_id: b.plan.and_then(|p| p.id),
            subscription_id: b.subscription.and_then(|s| s.id),
            payment_method_id: b.payment_method_id,
            metadata: b.metadata,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct RefundCreate {
    /// Minor units; default: everything not yet refunded.
    pub amount: Option<i64>,
    pub reason: Option<String>,
}

/// A refund.
#[derive(Serialize, ToSchema)]
pub struct RefundObject {
    #[schema(example = "re_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")]
    pub id: String,
    pub payment_id: String,
    pub amount: i64,
    pub currency: Currency,
    /// PENDING, SUCCEEDED or FAILED.
    pub status: String,
    pub reason: Option<String>,
    pub created_at: String,
}

impl From<tally_app::payments::RefundRecord> for RefundObject {
    fn from(r: tally_app::payments::RefundRecord) -> Self {
        RefundObject {
            id: r.id,
            payment_id: r.payment_id,
            amount: r.amount.amount,
            currency: r.amount.currency,
            status: r.status,
            reason: r.reason,
            created_at: ts(r.created_at),
        }
    }
}

/// The answer of `POST /payments/refund/{id}`: the refund and the payment after it.
#[derive(Serialize, ToSchema)]
pub struct RefundResponse {
    #[serde(flatten)]
    pub refund: RefundObject,
    pub payment: PaymentObject,
}

// ------------------------------------------------------ checkout (§7, public)

/// A card typed into checkout. Never stored or logged.
#[derive(Deserialize, ToSchema)]
pub struct CardBody {
    pub number: String,
    pub exp_month: u32,
    /// Four digits, or two (20YY).
    pub exp_year: i32,
    pub cvc: String,
    pub postal_code: Option<String>,
    pub holder_name: Option<String>,
}

impl std::fmt::Debug for CardBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardBody { <redacted> }")
    }
}

/// `POST /client-session/{id}/complete`: a new card or a saved one.
#[derive(Deserialize, ToSchema)]
pub struct CompleteBody {
    pub card: Option<CardBody>,
    pub payment_method_id: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct ChallengeBody {
    pub challenge_id: Option<String>,
    /// `pass` or `abandon`.
    pub result: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NextAction {
    /// Always `three_d_secure`.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub action_type: &'static str,
    pub challenge_id: String,
}

/// The result of a checkout attempt.
#[derive(Serialize, ToSchema)]
pub struct CompletionObject {
    pub payment_id: String,
    pub status: String,
    pub status_reason: Option<StatusReasonObject>,
    pub next_action: Option<NextAction>,
}

impl From<tally_app::checkout::Completion> for CompletionObject {
    fn from(c: tally_app::checkout::Completion) -> Self {
        CompletionObject {
            payment_id: c.payment_id,
            status: c.status,
            status_reason: c.status_reason.map(Into::into),
            next_action: c.challenge_id.map(|challenge_id| NextAction { action_type: "three_d_secure", challenge_id }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SavedCardObject {
    pub id: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

/// What the checkout page may see of a session (no secrets, no customer data).
#[derive(Serialize, ToSchema)]
pub struct CheckoutObject {
    pub id: String,
    pub expiry_date: String,
    /// `open`, `expired` or `completed`.
    pub status: &'static str,
    pub payment_methods_mode: PaymentMethodsMode,
    /// The plan as sold in this session, with the resolved price.
    pub plan: SessionPlanObject,
    pub price: tally_core::pricing::DueNowPrice,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial: Option<tally_core::pricing::DueNowPrice>,
    pub due_now: tally_core::pricing::DueNowPrice,
    pub saved_payment_methods: Vec<SavedCardObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
}
