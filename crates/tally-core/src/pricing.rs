//! Price display for checkout (§6.3): a payment price with its display facts, the
//! same price converted into the customer's local currency with charm rounding,
//! and the whole `currency_details.plan` block. Pure: rates are passed in.

use crate::currency::Currency;
use crate::display::{charm_amount, format_amount};
use crate::money::Money;
use crate::rates::{convert, cross_rate, display_rate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Units of each currency per 1 USD, as exact decimals (§4.2).
#[derive(Clone, Debug, Default)]
pub struct RateTable {
    per_usd: HashMap<Currency, Decimal>,
}

impl RateTable {
    pub fn new(per_usd: HashMap<Currency, Decimal>) -> RateTable {
        RateTable { per_usd }
    }

    pub fn per_usd(&self, c: Currency) -> Option<Decimal> {
        self.per_usd.get(&c).copied()
    }

    /// Units of `to` per unit of `from`; 1 for the same currency.
    pub fn rate(&self, from: Currency, to: Currency) -> Option<Decimal> {
        if from == to {
            return Some(Decimal::ONE);
        }
        Some(cross_rate(self.per_usd(from)?, self.per_usd(to)?))
    }

    /// `m` in `to`'s minor units, rounded half away from zero.
    pub fn convert(&self, m: Money, to: Currency) -> Option<Money> {
        let rate = self.rate(m.currency, to)?;
        Some(Money::new(convert(m.amount, m.currency, to, rate)?, to))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentInfo {
    /// Price amount in minor units.
    pub amount: i64,
    pub currency: Currency,
    /// Decimal places of the currency (2 for USD: the amount is in cents).
    pub currency_decimals: u32,
    /// Side of the number the symbol stands on: `left` or `right`.
    #[cfg_attr(feature = "openapi", schema(example = "left"))]
    pub currency_position: String,
    /// Symbol of the currency.
    #[cfg_attr(feature = "openapi", schema(example = "$"))]
    pub currency_symbol: String,
    /// Amount formatted for display.
    #[cfg_attr(feature = "openapi", schema(example = "$1.00"))]
    pub formatted_amount: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalInfo {
    /// Localized amount in minor units.
    pub amount: i64,
    pub currency: Currency,
    pub currency_decimals: u32,
    /// Units of the local currency per unit of the payment currency, 6 significant digits.
    #[serde(with = "rust_decimal::serde::float")]
    #[cfg_attr(feature = "openapi", schema(value_type = f64, example = 0.9))]
    pub currency_exchange_rate: Decimal,
    #[cfg_attr(feature = "openapi", schema(example = "left"))]
    pub currency_position: String,
    #[cfg_attr(feature = "openapi", schema(example = "€"))]
    pub currency_symbol: String,
    #[cfg_attr(feature = "openapi", schema(example = "€0.90"))]
    pub formatted_amount: String,
    /// The smallest charm price at or above the amount, formatted.
    #[cfg_attr(feature = "openapi", schema(example = "€0.99"))]
    pub formatted_amount_rounded: String,
}

/// A price in the payment currency and, where the country is known, locally.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueNowPrice {
    pub payment: PaymentInfo,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub local: Option<LocalInfo>,
}

/// `currency_details.plan` (§6.3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanDetails {
    pub payment: PaymentInfo,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub local: Option<LocalInfo>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trial: Option<DueNowPrice>,
    pub due_now: DueNowPrice,
}

/// `currency_details` (§6.3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrencyDetails {
    pub plan: PlanDetails,
}

pub fn payment_info(m: Money) -> PaymentInfo {
    PaymentInfo {
        amount: m.amount,
        currency: m.currency,
        currency_decimals: m.currency.decimals(),
        currency_position: m.currency.position().as_str().to_string(),
        currency_symbol: m.currency.symbol().to_string(),
        formatted_amount: format_amount(m.amount, m.currency),
    }
}

/// `m` shown in `local`; `None` when a rate is missing or the amount overflows.
pub fn local_info(m: Money, local: Currency, rates: &RateTable) -> Option<LocalInfo> {
    let rate = rates.rate(m.currency, local)?;
    let converted = rates.convert(m, local)?;
    Some(LocalInfo {
        amount: converted.amount,
        currency: local,
        currency_decimals: local.decimals(),
        currency_exchange_rate: display_rate(rate),
        currency_position: local.position().as_str().to_string(),
        currency_symbol: local.symbol().to_string(),
        formatted_amount: format_amount(converted.amount, local),
        formatted_amount_rounded: format_amount(charm_amount(converted.amount, local), local),
    })
}

pub fn price_view(m: Money, local: Option<Currency>, rates: &RateTable) -> DueNowPrice {
    DueNowPrice { payment: payment_info(m), local: local.and_then(|l| local_info(m, l, rates)) }
}

/// The whole block for a plan price `price`, optional trial price, and what is due now.
pub fn plan_details(
    price: Money,
    trial: Option<Money>,
    due_now: Money,
    local: Option<Currency>,
    rates: &RateTable,
) -> PlanDetails {
    let main = price_view(price, local, rates);
    PlanDetails {
        payment: main.payment,
        local: main.local,
        trial: trial.map(|t| price_view(t, local, rates)),
        due_now: price_view(due_now, local, rates),
    }
}
