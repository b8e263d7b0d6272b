//! Exchange rates (§4.2): the shipped default snapshot, overlaid per organization
//! by what its operator imported (`PUT /admin/exchange-rates`, `tally rates import`).

use crate::access::Principal;
use crate::{App, AppError, AppResult};
use jiff::Timestamp;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};
use tally_core::access::{Access, Resource};
use tally_core::clock::{from_micros, to_micros};
use tally_core::pricing::RateTable;
use tally_core::{Currency, rates};
use tally_store::rates::{self as store, StoredRate};

/// Every currency's rate per USD with the instant it is valid for.
#[derive(Debug)]
pub struct RateSheet {
    pub as_of: Timestamp,
    pub rates: BTreeMap<Currency, (Decimal, Timestamp)>,
    table: OnceLock<RateTable>,
}

impl RateSheet {
    /// The rates as a lookup table for conversions (built once per sheet).
    pub fn table(&self) -> &RateTable {
        self.table.get_or_init(|| RateTable::new(self.rates.iter().map(|(c, (r, _))| (*c, *r)).collect::<HashMap<_, _>>()))
    }
}

fn defaults() -> &'static (Timestamp, Vec<(Currency, Decimal)>) {
    static DEFAULTS: OnceLock<(Timestamp, Vec<(Currency, Decimal)>)> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        let (as_of, rates) = rates::default_snapshot();
        (as_of.parse().expect("the default snapshot's as_of is RFC 3339"), rates)
    })
}

/// A rate import: base must be USD; every rate > 0.
#[derive(Clone, Debug)]
pub struct RateImport {
    pub base: String,
    pub as_of: Timestamp,
    pub rates: BTreeMap<String, Decimal>,
}

impl App {
    pub(crate) async fn rate_sheet(&self, org: &str) -> AppResult<Arc<RateSheet>> {
        if let Some(sheet) = self.cache.rates.get(&org.to_string()) {
            return Ok(sheet);
        }
        let (default_as_of, default_rates) = defaults();
        let mut sheet: BTreeMap<Currency, (Decimal, Timestamp)> =
            default_rates.iter().map(|(c, r)| (*c, (*r, *default_as_of))).collect();
        let mut conn = self.db.conn().await?;
        for r in store::list(conn.ex(), org).await? {
            sheet.insert(r.currency, (r.per_usd, from_micros(r.as_of)));
        }
        let as_of = sheet.values().map(|(_, t)| *t).max().unwrap_or(*default_as_of);
        let sheet = Arc::new(RateSheet { as_of, rates: sheet, table: OnceLock::new() });
        self.cache.rates.put(org.to_string(), sheet.clone());
        Ok(sheet)
    }

    pub async fn exchange_rates(&self, p: &Principal) -> AppResult<Arc<RateSheet>> {
        p.require(Resource::Admin, Access::Read)?;
        self.rate_sheet(p.org()).await
    }

    pub async fn put_exchange_rates(&self, p: &Principal, import: RateImport) -> AppResult<Arc<RateSheet>> {
        p.require(Resource::Admin, Access::Write)?;
        self.import_rates(p.org(), import).await
    }

    /// Replaces the listed currencies' rates (a partial table leaves the rest).
    pub async fn import_rates(&self, org: &str, import: RateImport) -> AppResult<Arc<RateSheet>> {
        if import.base != "USD" {
            return Err(AppError::invalid("base", format!("`{}` is not supported: rates are units per 1 USD, so base must be `USD`", import.base)));
        }
        if import.rates.is_empty() {
            return Err(AppError::invalid("rates", "must list at least one currency"));
        }
        let mut rows = Vec::with_capacity(import.rates.len());
        for (code, rate) in &import.rates {
            let param = format!("rates.{code}");
            let currency = Currency::parse(code)
                .ok_or_else(|| AppError::invalid(&param, format!("`{code}` is not a supported currency code")))?;
            if *rate <= Decimal::ZERO {
                return Err(AppError::invalid(&param, "must be greater than 0"));
            }
            if currency == Currency::usd() && *rate != Decimal::ONE {
                return Err(AppError::invalid(&param, "USD is the base: its rate is 1"));
            }
            rows.push(StoredRate { currency, per_usd: rate.normalize(), as_of: to_micros(import.as_of) });
        }
        let mut tx = self.db.begin().await?;
        store::upsert(tx.ex(), org, &rows).await?;
        tx.commit().await?;
        self.cache.rates.remove(&org.to_string());
        self.rate_sheet(org).await
    }
}
