//! Exchange rates and conversion (§4.2): rates are "units of X per 1 USD" as exact
//! decimals; conversion re-scales between minor-unit exponents and rounds half away
//! from zero. No floats. Also the dated default snapshot shipped with the server.

use crate::currency::Currency;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::LazyLock;

/// Rate to go from `from` to `to`, given each one's units per USD: to / from.
pub fn cross_rate(from_per_usd: Decimal, to_per_usd: Decimal) -> Decimal {
    to_per_usd / from_per_usd
}

/// Significant digits of `currency_exchange_rate` (§4.2).
const DISPLAY_SIGNIFICANT_DIGITS: u32 = 6;

/// `currency_exchange_rate` as shown: the rate rounded to 6 significant digits
/// (half away from zero), normalized (no trailing zeros): 0.9 → 0.9,
/// 1.23456789 → 1.23457, 1234567.8 → 1234570, 0.000123456789 → 0.000123457.
pub fn display_rate(rate: Decimal) -> Decimal {
    let rate = rate.normalize();
    let mantissa = rate.mantissa();
    let digits = decimal_digits(mantissa.unsigned_abs());
    if digits <= DISPLAY_SIGNIFICANT_DIGITS {
        return rate;
    }
    let drop = digits - DISPLAY_SIGNIFICANT_DIGITS; // ≤ 23: the mantissa is < 2^96
    let divisor = 10u128.pow(drop);
    let magnitude = round_half_away(mantissa.unsigned_abs(), divisor);
    let scale = i64::from(rate.scale()) - i64::from(drop);
    let (magnitude, scale) = if scale < 0 {
        // The rounding position is left of the decimal point: 1234567.8 → 1234570.
        (magnitude * 10u128.pow(scale.unsigned_abs() as u32), 0)
    } else {
        (magnitude, scale as u32)
    };
    let signed = if mantissa < 0 {
        -(magnitude as i128)
    } else {
        magnitude as i128
    };
    // Fails only when rounding up passes Decimal::MAX (e.g. 79228162514264337593543950335
    // → 79228200000000000000000000000): the rate is then shown as it is.
    Decimal::try_from_i128_with_scale(signed, scale)
        .map(|d| d.normalize())
        .unwrap_or(rate)
}

/// Number of decimal digits of `n` (0 has 0 digits).
fn decimal_digits(mut n: u128) -> u32 {
    let mut digits = 0;
    while n > 0 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// `n / divisor` rounded half away from zero (`n` is a magnitude; divisor > 0).
fn round_half_away(n: u128, divisor: u128) -> u128 {
    let (q, r) = (n / divisor, n % divisor);
    if r >= divisor - r { q + 1 } else { q }
}

/// Converts `amount` minor units of `from` into minor units of `to` at `rate`
/// (units of `to` per unit of `from`), rounded half away from zero. `None` on overflow.
///
/// result = amount × rate × 10^(to.decimals − from.decimals), computed exactly in
/// 128-bit integers on the rate's mantissa (any i64 amount times any rate whose
/// mantissa is below 2^64, i.e. every rate of up to 19 significant digits); rates
/// with longer mantissas go through rust_decimal's checked operations. The result is
/// `None` when it does not fit in an `i64`.
pub fn convert(amount: i64, from: Currency, to: Currency, rate: Decimal) -> Option<i64> {
    let shift = i64::from(to.decimals()) - i64::from(from.decimals());
    // amount × mantissa / 10^scale × 10^shift = amount × mantissa / 10^(scale − shift)
    let exponent = i64::from(rate.scale()) - shift;
    let negative = (amount < 0) != rate.is_sign_negative();
    let magnitude =
        match u128::from(amount.unsigned_abs()).checked_mul(rate.mantissa().unsigned_abs()) {
            Some(product) => {
                if exponent <= 0 {
                    product.checked_mul(10u128.checked_pow(u32::try_from(-exponent).ok()?)?)?
                } else {
                    match 10u128.checked_pow(u32::try_from(exponent).ok()?) {
                        Some(divisor) => round_half_away(product, divisor),
                        None => 0, // divisor > 10^38 > product: rounds to 0
                    }
                }
            }
            None => return convert_decimal(amount, shift, rate),
        };
    to_signed(magnitude, negative)
}

/// The same computation in rust_decimal (for rates with a mantissa ≥ 2^64, whose
/// product with a large amount can exceed 128 bits).
fn convert_decimal(amount: i64, shift: i64, rate: Decimal) -> Option<i64> {
    let scale = Decimal::from_i128_with_scale(1, u32::try_from(shift.unsigned_abs()).ok()?);
    let product = Decimal::from(amount).checked_mul(rate)?;
    let scaled = if shift >= 0 {
        product.checked_div(scale)?
    } else {
        product.checked_mul(scale)?
    };
    let rounded = scaled.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(rounded).ok()
}

fn to_signed(magnitude: u128, negative: bool) -> Option<i64> {
    if negative {
        // i64::MIN's magnitude is one more than i64::MAX.
        if magnitude == u128::from(i64::MIN.unsigned_abs()) {
            Some(i64::MIN)
        } else {
            i64::try_from(magnitude).ok().map(|m| -m)
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// The committed default snapshot (`data/default-rates.json`).
static DEFAULT_RATES_JSON: &str = include_str!("../data/default-rates.json");

#[derive(serde::Deserialize)]
struct SnapshotFile {
    base: String,
    as_of: String,
    rates: BTreeMap<String, String>,
}

struct Snapshot {
    as_of: String,
    rates: Vec<(Currency, Decimal)>,
}

static DEFAULT_SNAPSHOT: LazyLock<Snapshot> = LazyLock::new(|| {
    // The file is committed and checked by the tests below; a malformed file is a
    // build defect, not a runtime condition.
    let file: SnapshotFile = serde_json::from_str(DEFAULT_RATES_JSON)
        .expect("data/default-rates.json is valid JSON of the snapshot shape");
    assert_eq!(
        file.base, "USD",
        "data/default-rates.json: rates are per USD"
    );
    let rates = Currency::all()
        .filter_map(|c| {
            let text = file.rates.get(c.code())?;
            let rate = Decimal::from_str_exact(text)
                .ok()
                .or_else(|| Decimal::from_str(text).ok())?;
            (rate > Decimal::ZERO).then_some((c, rate))
        })
        .collect();
    Snapshot {
        as_of: file.as_of,
        rates,
    }
});

/// The default snapshot: its `as_of` (RFC 3339) and a rate per USD for every currency.
///
/// Mid-market rates per 1 USD as of the stated date (`data/default-rates.json`),
/// in the currency table's order. Funds codes and non-ISO codes are valued as their
/// underlying: CHE = EUR, CHW = CHF, BOV = BOB, IMP = JEP = GBP, CUC = USD, STD =
/// 1000 STN; COU and MXV at the UVR and UDI values of the date.
pub fn default_snapshot() -> (&'static str, Vec<(Currency, Decimal)>) {
    let snapshot = &*DEFAULT_SNAPSHOT;
    (snapshot.as_of.as_str(), snapshot.rates.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::{charm_amount, format_amount};
    use proptest::prelude::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap_or_else(|| panic!("{code} is in the table"))
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn seed_example() {
        // USD 100 minor units at 0.9 to EUR → 90, "€0.90", rounded "€0.99".
        let (usd, eur) = (cur("USD"), cur("EUR"));
        let rate = cross_rate(dec("1"), dec("0.9"));
        assert_eq!(display_rate(rate), dec("0.9"));
        let amount = convert(100, usd, eur, rate).unwrap();
        assert_eq!(amount, 90);
        assert_eq!(format_amount(amount, eur), "€0.90");
        assert_eq!(format_amount(charm_amount(amount, eur), eur), "€0.99");
    }

    #[test]
    fn display_rate_six_significant_digits() {
        assert_eq!(display_rate(dec("0.9")).to_string(), "0.9");
        assert_eq!(display_rate(dec("0.900000")).to_string(), "0.9");
        assert_eq!(display_rate(dec("1")).to_string(), "1");
        assert_eq!(display_rate(dec("1.23456789")).to_string(), "1.23457");
        assert_eq!(display_rate(dec("1.234565")).to_string(), "1.23457"); // half away
        assert_eq!(display_rate(dec("1.234564")).to_string(), "1.23456");
        assert_eq!(
            display_rate(dec("0.000123456789")).to_string(),
            "0.000123457"
        );
        assert_eq!(display_rate(dec("1234567.8")).to_string(), "1234570");
        assert_eq!(display_rate(dec("16295")).to_string(), "16295");
        assert_eq!(display_rate(dec("999999.5")).to_string(), "1000000");
        assert_eq!(display_rate(dec("-1.23456789")).to_string(), "-1.23457");
        assert_eq!(display_rate(Decimal::ZERO).to_string(), "0");
        assert_eq!(display_rate(Decimal::MAX), Decimal::MAX);
        assert_eq!(
            display_rate(dec("79228100000000000000000000001")).to_string(),
            "79228100000000000000000000000"
        );
        let third = cross_rate(dec("3"), dec("1"));
        assert_eq!(display_rate(third).to_string(), "0.333333");
        let idr_per_jpy = cross_rate(dec("143.62"), dec("16295"));
        assert_eq!(display_rate(idr_per_jpy).to_string(), "113.459");
    }

    #[test]
    fn convert_rescales_between_exponents() {
        let (usd, jpy, kwd, eur) = (cur("USD"), cur("JPY"), cur("KWD"), cur("EUR"));
        // $19.99 at 143.62 JPY/USD = ¥2,870.9638 → ¥2,871
        assert_eq!(convert(1999, usd, jpy, dec("143.62")), Some(2871));
        // ¥1,000 at 1/143.62 → $6.96
        assert_eq!(
            convert(1000, jpy, usd, cross_rate(dec("143.62"), dec("1"))),
            Some(696)
        );
        // $10.00 at 0.3067 → KWD 3.067
        assert_eq!(convert(1000, usd, kwd, dec("0.3067")), Some(3067));
        // KWD 1.000 → $
        assert_eq!(convert(1000, kwd, usd, dec("3.2605")), Some(326));
        // Half away from zero, both signs.
        assert_eq!(convert(1, usd, eur, dec("0.5")), Some(1));
        assert_eq!(convert(-1, usd, eur, dec("0.5")), Some(-1));
        assert_eq!(convert(3, usd, eur, dec("0.5")), Some(2));
        assert_eq!(convert(1, usd, eur, dec("0.4999999")), Some(0));
        assert_eq!(convert(5, kwd, usd, dec("1")), Some(1)); // 0.005 → 0.01
        assert_eq!(convert(4, kwd, usd, dec("1")), Some(0));
        assert_eq!(convert(-5, kwd, usd, dec("1")), Some(-1));
    }

    #[test]
    fn convert_overflow_is_none() {
        let (usd, jpy, kwd) = (cur("USD"), cur("JPY"), cur("KWD"));
        assert_eq!(convert(i64::MAX, usd, usd, dec("2")), None);
        assert_eq!(convert(i64::MAX, usd, kwd, dec("1")), None);
        assert_eq!(convert(i64::MIN, usd, usd, dec("1")), Some(i64::MIN));
        assert_eq!(convert(i64::MIN, usd, usd, dec("-1")), None);
        assert_eq!(convert(i64::MAX, usd, usd, dec("-1")), Some(-i64::MAX));
        assert_eq!(convert(i64::MAX, usd, jpy, dec("1")), Some(i64::MAX / 100));
        assert_eq!(convert(i64::MAX, usd, usd, Decimal::MAX), None);
        assert_eq!(convert(i64::MIN, kwd, usd, Decimal::MAX), None);
        // A long-mantissa rate takes the rust_decimal path.
        let long = dec("0.9000000000000000000000000001");
        assert_eq!(convert(100, usd, usd, long), Some(90));
        assert_eq!(
            convert(i64::MAX, usd, usd, long),
            Some(8_301_034_833_169_298_226)
        );
        // A tiny rate rounds to 0 rather than failing.
        assert_eq!(
            convert(1, usd, usd, dec("0.0000000000000000000000000001")),
            Some(0)
        );
    }

    #[test]
    fn default_snapshot_covers_every_currency() {
        let (as_of, rates) = default_snapshot();
        assert!(
            jiff::Timestamp::from_str(as_of).is_ok(),
            "as_of is RFC 3339: {as_of}"
        );
        assert!(as_of.ends_with('Z'));
        let map: BTreeMap<Currency, Decimal> = rates.iter().copied().collect();
        assert_eq!(map.len(), rates.len(), "one rate per currency");
        for c in Currency::all() {
            let rate = map
                .get(&c)
                .unwrap_or_else(|| panic!("no default rate for {c}"));
            assert!(*rate > Decimal::ZERO, "{c}");
        }
        assert_eq!(map[&Currency::usd()], Decimal::ONE);
        // Every entry of the file is a known currency with a parseable positive rate.
        let file: SnapshotFile = serde_json::from_str(DEFAULT_RATES_JSON).unwrap();
        assert_eq!(file.base, "USD");
        assert_eq!(file.rates.len(), Currency::all().count());
        for (code, text) in &file.rates {
            assert!(Currency::parse(code).is_some(), "unknown currency {code}");
            assert!(
                Decimal::from_str_exact(text).is_ok_and(|d| d > Decimal::ZERO),
                "{code}: {text}"
            );
        }
        // Pegs hold in the snapshot.
        let peg = |code: &str| map[&cur(code)];
        assert_eq!(peg("CHE"), peg("EUR"));
        assert_eq!(peg("CHW"), peg("CHF"));
        assert_eq!(peg("IMP"), peg("GBP"));
        assert_eq!(peg("JEP"), peg("GBP"));
        assert_eq!(peg("CUC"), Decimal::ONE);
        assert_eq!(peg("STD"), peg("STN") * Decimal::from(1000));
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        (0..Currency::all().count()).prop_map(|i| Currency::all().nth(i).unwrap())
    }

    /// A positive rate with up to 12 significant digits spread over 0.000001 .. 1e6.
    fn any_rate() -> impl Strategy<Value = Decimal> {
        (1i64..1_000_000_000_000, 0u32..=18).prop_map(|(m, s)| Decimal::new(m, s))
    }

    proptest! {
        #[test]
        fn convert_rate_one_same_currency_is_identity(amount in any::<i64>(), c in any_currency()) {
            prop_assert_eq!(convert(amount, c, c, Decimal::ONE), Some(amount));
            prop_assert_eq!(convert(amount, c, c, dec("1.000")), Some(amount));
        }

        #[test]
        fn convert_is_monotonic_in_amount(
            a in -1_000_000_000_000i64..1_000_000_000_000,
            b in -1_000_000_000_000i64..1_000_000_000_000,
            from in any_currency(), to in any_currency(), rate in any_rate(),
        ) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            if let (Some(x), Some(y)) = (convert(lo, from, to, rate), convert(hi, from, to, rate)) {
                prop_assert!(x <= y, "{} → {}, {} → {}", lo, x, hi, y);
            }
        }

        #[test]
        fn convert_is_monotonic_in_rate(
            amount in 0i64..1_000_000_000_000, from in any_currency(), to in any_currency(),
            r1 in any_rate(), r2 in any_rate(),
        ) {
            let (lo, hi) = if r1 <= r2 { (r1, r2) } else { (r2, r1) };
            if let (Some(x), Some(y)) = (convert(amount, from, to, lo), convert(amount, from, to, hi)) {
                prop_assert!(x <= y);
            }
        }

        #[test]
        fn convert_matches_decimal_reference(
            amount in -1_000_000_000_000i64..1_000_000_000_000,
            from in any_currency(), to in any_currency(), rate in any_rate(),
        ) {
            let shift = i64::from(to.decimals()) - i64::from(from.decimals());
            prop_assert_eq!(convert(amount, from, to, rate), convert_decimal(amount, shift, rate));
        }

        #[test]
        fn convert_is_odd(amount in -1_000_000_000_000i64..1_000_000_000_000,
                          from in any_currency(), to in any_currency(), rate in any_rate()) {
            prop_assert_eq!(convert(-amount, from, to, rate), convert(amount, from, to, rate).map(|x| -x));
        }

        #[test]
        fn display_rate_has_at_most_six_significant_digits(m in 1i64..i64::MAX, s in 0u32..=28) {
            let rate = Decimal::new(m, s);
            let shown = display_rate(rate);
            let digits = decimal_digits(shown.mantissa().unsigned_abs());
            let trailing = shown.mantissa().unsigned_abs().to_string().chars().rev().take_while(|&c| c == '0').count() as u32;
            prop_assert!(digits - trailing <= 6, "{} → {}", rate, shown);
            // Within half a unit of the 6th significant digit.
            let err = (shown - rate).abs();
            prop_assert!(err * Decimal::from(200_000) <= rate, "{} → {}", rate, shown);
            prop_assert_eq!(display_rate(shown), shown, "idempotent");
        }
    }
}
