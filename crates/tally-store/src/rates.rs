//! Exchange rates per organization (§4.2): units of a currency per 1 USD, exact
//! decimals stored as text, each with the instant it was valid for.

use crate::{Ex, Result, StoreError, on};
use rust_decimal::Decimal;
use std::str::FromStr;
use tally_core::Currency;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRate {
    pub currency: Currency,
    pub per_usd: Decimal,
    pub as_of: i64,
}

pub async fn list(ex: Ex<'_>, org: &str) -> Result<Vec<StoredRate>> {
    let rows: Vec<(String, String, i64)> = on!(ex, c => sqlx::query_as(
        "SELECT currency, rate, as_of FROM exchange_rates WHERE organization_id = $1")
        .bind(org).fetch_all(&mut *c).await)?;
    rows.into_iter()
        .filter_map(|(code, rate, as_of)| {
            // A currency dropped from the table since it was stored is skipped.
            let currency = Currency::parse(&code)?;
            Some(
                Decimal::from_str(&rate)
                    .map(|per_usd| StoredRate { currency, per_usd, as_of })
                    .map_err(|e| StoreError::Corrupt(format!("rate {code}: {e}"))),
            )
        })
        .collect()
}

pub async fn upsert(ex: Ex<'_>, org: &str, rates: &[StoredRate]) -> Result<()> {
    on!(ex, c => {
        for r in rates {
            sqlx::query(
                "INSERT INTO exchange_rates (organization_id, currency, rate, as_of) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (organization_id, currency) DO UPDATE SET rate = excluded.rate, as_of = excluded.as_of")
                .bind(org).bind(r.currency.code()).bind(r.per_usd.to_string()).bind(r.as_of)
                .execute(&mut *c).await?;
        }
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(())
}
