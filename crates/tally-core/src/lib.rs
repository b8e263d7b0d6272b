//! Tally's pure billing domain: money, currencies, countries, price books and
//! their resolution, local display, exchange-rate maths, billing periods, the
//! validation of values that cross the API boundary. No I/O, no async, no SQL and
//! no HTTP: everything here is a function of its inputs (time included — callers
//! pass instants read from a [`clock::Clock`]).

pub mod access;
pub mod clock;
pub mod country;
pub mod currency;
pub mod customer;
pub mod display;
pub mod ids;
pub mod money;
pub mod period;
pub mod plan;
pub mod pricing;
pub mod rates;
pub mod session;
pub mod subscription;
pub mod tables;
pub mod validate;

#[cfg(feature = "openapi")]
mod openapi;

pub use country::Country;
pub use currency::Currency;
pub use money::Money;
