//! Countries: the ISO 3166-1 alpha-2 codes of the seed enum (plus `XK` and the
//! distinct `CU-P`), each with its local currency (§4.3, D-3, D-12). Generated
//! data lives in `tables.rs`; this module gives it a type and nothing more.

use crate::currency::Currency;
use crate::tables::{COUNTRIES, CountryRow};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(u16);

impl Country {
    /// Parses a code exactly as the seed enum spells it (`DE`, `XK`, `CU-P`).
    pub fn parse(code: &str) -> Option<Country> {
        COUNTRIES
            .binary_search_by(|row| row.code.cmp(code))
            .ok()
            .map(|i| Country(i as u16))
    }

    fn row(self) -> &'static CountryRow {
        &COUNTRIES[self.0 as usize]
    }

    pub fn code(self) -> &'static str {
        self.row().code
    }

    /// The currency people in this country pay with (§4.3).
    pub fn local_currency(self) -> Currency {
        Currency::parse(self.row().currency).expect("country table names only known currencies")
    }

    pub fn all() -> impl Iterator<Item = Country> {
        (0..COUNTRIES.len()).map(|i| Country(i as u16))
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Country::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown country `{s}`: expected an upper-case ISO 3166-1 alpha-2 code such as US or DE"
            ))
        })
    }
}
