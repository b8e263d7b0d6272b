//! Plans and their price books (§3): the terms a plan is sold on, the rules a plan
//! must satisfy, and price resolution for a customer's country.

use crate::country::Country;
use crate::money::Money;
use crate::validate::FieldError;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PlanType {
    #[serde(rename = "recurring")]
    #[cfg_attr(feature = "openapi", schema(rename = "recurring"))]
    Recurring,
    #[serde(rename = "one-off", alias = "one_off")]
    #[cfg_attr(feature = "openapi", schema(rename = "one-off"))]
    OneOff,
}

impl PlanType {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanType::Recurring => "recurring",
            PlanType::OneOff => "one-off",
        }
    }

    pub fn parse(s: &str) -> Option<PlanType> {
        match s {
            "recurring" => Some(PlanType::Recurring),
            "one-off" | "one_off" => Some(PlanType::OneOff),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Days,
    Months,
    Years,
}

impl Interval {
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Days => "days",
            Interval::Months => "months",
            Interval::Years => "years",
        }
    }

    pub fn parse(s: &str) -> Option<Interval> {
        match s {
            "days" => Some(Interval::Days),
            "months" => Some(Interval::Months),
            "years" => Some(Interval::Years),
            _ => None,
        }
    }
}

/// Upper bound of `interval_count`: ten years in any unit is plenty.
pub const MAX_INTERVAL_COUNT: u32 = 3660;

/// A length of time in calendar units: `count` × `unit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cycle {
    pub unit: Interval,
    pub count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountryPrice {
    pub countries: Vec<Country>,
    pub price: Money,
}

/// A default price plus per-country overrides; each group has its own currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceBook {
    pub default: Money,
    #[serde(default)]
    pub countries: Vec<CountryPrice>,
}

impl PriceBook {
    /// The price for a customer in `country`: the group listing it, else the default.
    pub fn resolve(&self, country: Option<Country>) -> Money {
        country
            .and_then(|c| self.countries.iter().find(|g| g.countries.contains(&c)))
            .map(|g| g.price)
            .unwrap_or(self.default)
    }

    /// Amounts are ≥ 0 (`allow_zero`: trials may be free; a paid price must be > 0),
    /// every group lists at least one country and no country is in two groups.
    pub fn check(&self, param: &str, allow_zero: bool) -> Result<(), FieldError> {
        let amount_ok = |m: &Money| if allow_zero { m.amount >= 0 } else { m.amount > 0 };
        let rule = if allow_zero { "must be 0 or more" } else { "must be greater than 0" };
        if !amount_ok(&self.default) {
            return Err(FieldError::new(format!("{param}.default.amount"), rule));
        }
        let mut seen = HashSet::new();
        for (i, group) in self.countries.iter().enumerate() {
            if group.countries.is_empty() {
                return Err(FieldError::new(
                    format!("{param}.countries[{i}].countries"),
                    "must list at least one country",
                ));
            }
            if !amount_ok(&group.price) {
                return Err(FieldError::new(format!("{param}.countries[{i}].price.amount"), rule));
            }
            for c in &group.countries {
                if !seen.insert(*c) {
                    return Err(FieldError::new(
                        format!("{param}.countries[{i}].countries"),
                        format!("country {c} appears in more than one group; a country may have only one price"),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trial {
    pub cycle: Cycle,
    pub price: PriceBook,
}

/// A plan as the domain sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub plan_type: PlanType,
    /// `Some` exactly for recurring plans.
    pub cycle: Option<Cycle>,
    pub price: PriceBook,
    /// Only recurring plans have trials.
    pub trial: Option<Trial>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub archived_at: Option<Timestamp>,
}

/// The fields of a plan as a client states them (create, or a patch merged
/// onto the current plan), before the rules are checked.
#[derive(Clone, Debug, Default)]
pub struct PlanTerms {
    pub name: Option<String>,
    pub plan_type: Option<PlanType>,
    pub interval: Option<Interval>,
    pub interval_count: Option<i64>,
    pub price: Option<PriceBook>,
    pub trial_interval: Option<Interval>,
    pub trial_interval_count: Option<i64>,
    pub trial_price: Option<PriceBook>,
}

/// The checked result of [`PlanTerms::check`].
pub struct CheckedTerms {
    pub name: String,
    pub plan_type: PlanType,
    pub cycle: Option<Cycle>,
    pub price: PriceBook,
    pub trial: Option<Trial>,
}

fn count(param: &str, n: i64) -> Result<u32, FieldError> {
    if n < 1 || n > i64::from(MAX_INTERVAL_COUNT) {
        return Err(FieldError::new(param, format!("must be between 1 and {MAX_INTERVAL_COUNT}")));
    }
    Ok(n as u32)
}

impl PlanTerms {
    /// Applies every plan rule of §3.1.
    pub fn check(self) -> Result<CheckedTerms, FieldError> {
        let name = crate::validate::text("name", self.name.as_deref().unwrap_or(""), 200)?;
        let plan_type = self.plan_type.ok_or_else(|| {
            FieldError::new("type", "is required: `recurring` or `one-off`")
        })?;
        let price = self.price.ok_or_else(|| FieldError::new("price", "is required"))?;
        price.check("price", false)?;
        let trial_given = self.trial_interval.is_some()
            || self.trial_interval_count.is_some()
            || self.trial_price.is_some();
        match plan_type {
            PlanType::OneOff => {
                for (given, field) in [
                    (self.interval.is_some(), "interval"),
                    (self.interval_count.is_some(), "interval_count"),
                ] {
                    if given {
                        return Err(FieldError::new(field, "one-off plans have no billing interval; omit it or send null"));
                    }
                }
                if trial_given {
                    let field = if self.trial_interval.is_some() {
                        "trial_interval"
                    } else if self.trial_interval_count.is_some() {
                        "trial_interval_count"
                    } else {
                        "trial_price"
                    };
                    return Err(FieldError::new(field, "one-off plans have no trial; omit it or send null"));
                }
                Ok(CheckedTerms { name, plan_type, cycle: None, price, trial: None })
            }
            PlanType::Recurring => {
                let unit = self.interval.ok_or_else(|| {
                    FieldError::new("interval", "is required for recurring plans: `days`, `months` or `years`")
                })?;
                let n = self.interval_count.ok_or_else(|| {
                    FieldError::new("interval_count", "is required for recurring plans")
                })?;
                let cycle = Cycle { unit, count: count("interval_count", n)? };
                let trial = match (self.trial_interval, self.trial_interval_count, self.trial_price) {
                    (None, None, None) => None,
                    (Some(unit), Some(n), Some(price)) => {
                        price.check("trial_price", true)?;
                        Some(Trial { cycle: Cycle { unit, count: count("trial_interval_count", n)? }, price })
                    }
                    (i, n, _) => {
                        let missing = if i.is_none() {
                            "trial_interval"
                        } else if n.is_none() {
                            "trial_interval_count"
                        } else {
                            "trial_price"
                        };
                        return Err(FieldError::new(
                            missing,
                            "a trial needs all three of trial_interval, trial_interval_count and trial_price",
                        ));
                    }
                };
                Ok(CheckedTerms { name, plan_type, cycle: Some(cycle), price, trial })
            }
        }
    }
}

impl Plan {
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// Back to the client-side view, to merge a partial update onto.
    pub fn terms(&self) -> PlanTerms {
        PlanTerms {
            name: Some(self.name.clone()),
            plan_type: Some(self.plan_type),
            interval: self.cycle.map(|c| c.unit),
            interval_count: self.cycle.map(|c| i64::from(c.count)),
            price: Some(self.price.clone()),
            trial_interval: self.trial.as_ref().map(|t| t.cycle.unit),
            trial_interval_count: self.trial.as_ref().map(|t| i64::from(t.cycle.count)),
            trial_price: self.trial.as_ref().map(|t| t.price.clone()),
        }
    }
}

/// A plan id chosen by a client: 1–255 characters of letters, digits, `_`, `-`, `.`.
pub fn check_plan_id(id: &str) -> Result<(), FieldError> {
    let ok = !id.is_empty()
        && id.len() <= 255
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(FieldError::new("id", "must be 1 to 255 characters of letters, digits, `_`, `-` or `.`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::currency::Currency;

    fn usd(a: i64) -> Money {
        Money::new(a, Currency::parse("USD").unwrap())
    }

    fn book() -> PriceBook {
        PriceBook {
            default: usd(1000),
            countries: vec![CountryPrice {
                countries: vec![Country::parse("DE").unwrap()],
                price: Money::new(900, Currency::parse("EUR").unwrap()),
            }],
        }
    }

    #[test]
    fn resolves_group_then_default() {
        let b = book();
        assert_eq!(b.resolve(Country::parse("DE")).amount, 900);
        assert_eq!(b.resolve(Country::parse("US")), usd(1000));
        assert_eq!(b.resolve(None), usd(1000));
    }

    #[test]
    fn country_in_two_groups_is_rejected() {
        let mut b = book();
        b.countries.push(b.countries[0].clone());
        let e = b.check("price", false).unwrap_err();
        assert_eq!(e.param, "price.countries[1].countries");
    }

    #[test]
    fn one_off_rejects_interval_and_trial() {
        let t = PlanTerms {
            name: Some("x".into()),
            plan_type: Some(PlanType::OneOff),
            interval: Some(Interval::Days),
            price: Some(book()),
            ..Default::default()
        };
        assert_eq!(t.check().err().unwrap().param, "interval");
    }

    #[test]
    fn partial_trial_is_rejected() {
        let t = PlanTerms {
            name: Some("x".into()),
            plan_type: Some(PlanType::Recurring),
            interval: Some(Interval::Months),
            interval_count: Some(1),
            price: Some(book()),
            trial_interval: Some(Interval::Days),
            ..Default::default()
        };
        assert_eq!(t.check().err().unwrap().param, "trial_interval_count");
    }
}
