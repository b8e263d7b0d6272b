//! Client sessions (§6): what a checkout will sell, to whom, at what price. The
//! session keeps the prices it showed, so checkout charges what the person saw.

use crate::country::Country;
use crate::money::Money;
use crate::plan::{Interval, PlanType};
use crate::pricing::CurrencyDetails;
use crate::subscription::PlanSnapshot;
use crate::validate::Metadata;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Which of the flows of §6.1 a session runs at checkout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    NewCustomer,
    OneTimeCharge,
    ChangePlan,
    RecoverPastDue,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodsMode {
    #[default]
    SavedOrNew,
    NewOnly,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProrationMode {
    #[default]
    ProratedImmediately,
    FullImmediately,
}

/// The customer as the session knows it: an existing one (`id`) or the details of
/// one checkout will create or match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCustomer {
    pub id: Option<String>,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub country: Option<Country>,
    #[serde(default)]
    pub metadata: Metadata,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSubscription {
    pub id: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    pub proration_billing_mode: Option<ProrationMode>,
}

/// The resolved trial terms of the plan for the customer's country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTrial {
    pub price: Money,
    pub interval: Interval,
    pub interval_count: u32,
}

/// The plan as sold in this session: its terms and the price resolved for the
/// customer's country (§6.2 `plan`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPlan {
    pub id: String,
    pub name: String,
    pub plan_type: PlanType,
    pub interval: Option<Interval>,
    pub interval_count: Option<u32>,
    pub price: Money,
    pub trial: Option<SessionTrial>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl SessionPlan {
    /// The terms a subscription sold by this session keeps; `None` for one-off plans.
    pub fn snapshot(&self) -> Option<PlanSnapshot> {
        Some(PlanSnapshot {
            id: self.id.clone(),
            name: self.name.clone(),
            plan_type: self.plan_type,
            interval: self.interval?,
            interval_count: self.interval_count?,
            price: self.price,
            trial_interval: self.trial.as_ref().map(|t| t.interval),
            trial_interval_count: self.trial.as_ref().map(|t| t.interval_count),
            trial_price: self.trial.as_ref().map(|t| t.price),
        })
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionOptions {
    pub payment_methods_mode: PaymentMethodsMode,
    pub currency_details: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientSession {
    pub id: String,
    pub flow: Flow,
    pub customer: SessionCustomer,
    pub subscription: SessionSubscription,
    pub payment_metadata: Metadata,
    pub plan: SessionPlan,
    pub options: SessionOptions,
    /// What checkout charges now (§6.3 `due_now`).
    pub due_now: Money,
    /// Present exactly when the session was created with `currency_details: true`.
    pub currency_details: Option<CurrencyDetails>,
    pub expires_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    /// The successful payment of a completed checkout.
    #[serde(default)]
    pub payment_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl ClientSession {
    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}
