//! Currencies: the closed set this server accepts (§1 of the API contract) and the
//! display facts of each (§4.1). The table itself is generated (see `tables.rs`);
//! this module only gives it a type. It must not format or convert amounts.

use crate::tables::{CURRENCIES, CurrencyRow};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Which side of the number the symbol stands on in local display (D-10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolPosition {
    Left,
    Right,
}

impl SymbolPosition {
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolPosition::Left => "left",
            SymbolPosition::Right => "right",
        }
    }
}

/// A currency of the accepted set; cheap to copy, always valid.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(u16);

impl Currency {
    /// Parses an upper-case ISO 4217 code of the accepted set.
    pub fn parse(code: &str) -> Option<Currency> {
        CURRENCIES
            .binary_search_by(|row| row.code.cmp(code))
            .ok()
            .map(|i| Currency(i as u16))
    }

    fn row(self) -> &'static CurrencyRow {
        &CURRENCIES[self.0 as usize]
    }

    pub fn code(self) -> &'static str {
        self.row().code
    }

    /// ISO 4217 minor-unit exponent: the unit of `amount` (D-8).
    pub fn decimals(self) -> u32 {
        u32::from(self.row().decimals)
    }

    /// CLDR English narrow symbol, or the code where CLDR has none (D-9).
    pub fn symbol(self) -> &'static str {
        self.row().symbol
    }

    pub fn position(self) -> SymbolPosition {
        self.row().position
    }

    pub fn all() -> impl Iterator<Item = Currency> {
        (0..CURRENCIES.len()).map(|i| Currency(i as u16))
    }

    pub fn usd() -> Currency {
        Currency::parse("USD").expect("USD is in the currency table")
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown currency `{s}`: expected an upper-case ISO 4217 code such as USD or EUR"
            ))
        })
    }
}
