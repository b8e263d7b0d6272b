//! Subscriptions (§9): the terms a subscription was sold on (a snapshot that
//! plan edits never touch), its status, and its periods. Renewals, dunning and
//! cancellation rules build on this; here is only the record and its start.

use crate::money::Money;
use crate::period::period_start;
use crate::plan::{Cycle, Interval, Plan, PlanType};
use crate::validate::Metadata;
use crate::country::Country;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Trial,
    Active,
    PastDue,
    ScheduledForCancellation,
    Cancelled,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Trial => "trial",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::ScheduledForCancellation => "scheduled_for_cancellation",
            SubscriptionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<SubscriptionStatus> {
        [
            SubscriptionStatus::Trial,
            SubscriptionStatus::Active,
            SubscriptionStatus::PastDue,
            SubscriptionStatus::ScheduledForCancellation,
            SubscriptionStatus::Cancelled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// The plan as sold: resolved prices for the customer's country (§3.2, §9.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanSnapshot {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(rename = "type"))]
    pub plan_type: PlanType,
    pub interval: Interval,
    pub interval_count: u32,
    pub price: Money,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trial_interval: Option<Interval>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trial_interval_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trial_price: Option<Money>,
}

impl PlanSnapshot {
    /// The terms of a recurring `plan` for a customer in `country`; `None` for one-off plans.
    pub fn of(plan: &Plan, country: Option<Country>) -> Option<PlanSnapshot> {
        let cycle = plan.cycle?;
        Some(PlanSnapshot {
            id: plan.id.clone(),
            name: plan.name.clone(),
            plan_type: plan.plan_type,
            interval: cycle.unit,
            interval_count: cycle.count,
            price: plan.price.resolve(country),
            trial_interval: plan.trial.as_ref().map(|t| t.cycle.unit),
            trial_interval_count: plan.trial.as_ref().map(|t| t.cycle.count),
            trial_price: plan.trial.as_ref().map(|t| t.price.resolve(country)),
        })
    }

    pub fn cycle(&self) -> Cycle {
        Cycle { unit: self.interval, count: self.interval_count }
    }

    pub fn trial_cycle(&self) -> Option<Cycle> {
        Some(Cycle { unit: self.trial_interval?, count: self.trial_interval_count? })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastDue {
    pub attempt_count: u32,
    pub max_attempts_count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub customer_id: String,
    pub status: SubscriptionStatus,
    pub plan: PlanSnapshot,
    pub payment_method_id: Option<String>,
    /// Periods are anchor + n × cycle (§9.3).
    pub anchor_at: Timestamp,
    pub current_period_start: Timestamp,
    pub current_period_end: Timestamp,
    pub next_billing_date: Option<Timestamp>,
    pub past_due: Option<PastDue>,
    pub cancel_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    pub metadata: Metadata,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The first period of a new subscription starting `now`: the trial when
/// `with_trial` and the plan has one (a trial is its own first period and the
/// anchor is its end), else the first paid period anchored at `now`.
/// `None` only past year 9999.
pub fn first_period(plan: &PlanSnapshot, now: Timestamp, with_trial: bool) -> Option<(SubscriptionStatus, Timestamp, Timestamp)> {
    match plan.trial_cycle().filter(|_| with_trial) {
        Some(trial) => {
            let end = period_start(now, trial, 1)?;
            Some((SubscriptionStatus::Trial, end, end))
        }
        None => Some((SubscriptionStatus::Active, now, period_start(now, plan.cycle(), 1)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::currency::Currency;

    fn snapshot(trial: bool) -> PlanSnapshot {
        let usd = Currency::parse("USD").unwrap();
        PlanSnapshot {
            id: "p".into(),
            name: "P".into(),
            plan_type: PlanType::Recurring,
            interval: Interval::Months,
            interval_count: 1,
            price: Money::new(1000, usd),
            trial_interval: trial.then_some(Interval::Days),
            trial_interval_count: trial.then_some(14),
            trial_price: trial.then(|| Money::new(0, usd)),
        }
    }

    #[test]
    fn trial_is_its_own_first_period() {
        let now: Timestamp = "2025-01-31T12:00:00Z".parse().unwrap();
        let (status, anchor, end) = first_period(&snapshot(true), now, true).unwrap();
        assert_eq!(status, SubscriptionStatus::Trial);
        assert_eq!(end, "2025-02-14T12:00:00Z".parse().unwrap());
        assert_eq!(anchor, end);
        let (status, anchor, end) = first_period(&snapshot(false), now, true).unwrap();
        assert_eq!(status, SubscriptionStatus::Active);
        assert_eq!(anchor, now);
        assert_eq!(end, "2025-02-28T12:00:00Z".parse().unwrap());
    }
}
