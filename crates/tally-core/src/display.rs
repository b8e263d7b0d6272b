//! Local display of amounts: `formatted_amount` (D-11) and charm rounding (D-13).
//! Pure string and integer work; no conversion between currencies here.

use crate::currency::{Currency, SymbolPosition};

/// `amount` minor units of `currency` as a person reads it: `$1.00`, `12.50 zł`,
/// `¥1,235`, `CHF 12.50`, `-$1.00` (D-11).
///
/// Major units with exactly `currency.decimals()` decimals, `,` between thousands,
/// `.` before the decimals, the symbol on its side (D-10). Symbol and number are
/// separated by one space unless the symbol's character next to the number is a
/// Unicode symbol (category S: `$`, `€`, `₫`...), which is CLDR's currency-spacing
/// rule as `Intl.NumberFormat('en')` applies it. A negative amount starts with `-`
/// whichever side the symbol is on. Total for every `i64` (no panic on `i64::MIN`).
pub fn format_amount(amount: i64, currency: Currency) -> String {
    let number = format_number(amount.unsigned_abs(), currency.decimals());
    let symbol = currency.symbol();
    let sign = if amount < 0 { "-" } else { "" };
    match currency.position() {
        SymbolPosition::Left => {
            let space = if symbol.chars().next_back().is_some_and(is_symbol_char) {
                ""
            } else {
                " "
            };
            format!("{sign}{symbol}{space}{number}")
        }
        SymbolPosition::Right => {
            let space = if symbol.chars().next().is_some_and(is_symbol_char) {
                ""
            } else {
                " "
            };
            format!("{sign}{number}{space}{symbol}")
        }
    }
}

/// `magnitude` minor units as `1,234.50` with exactly `decimals` decimals.
fn format_number(magnitude: u64, decimals: u32) -> String {
    let digits = magnitude.to_string();
    let decimals = decimals as usize;
    // Left-pad so that there is at least one integer digit: 5 → "0.05".
    let digits = if digits.len() <= decimals {
        format!("{}{digits}", "0".repeat(decimals + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = digits.split_at(digits.len() - decimals);
    let mut out = String::with_capacity(int.len() + int.len() / 3 + frac.len() + 1);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Whether `c` is in Unicode general category S (Sc, Sm, Sk, So) — for every character
/// that can stand next to the number in a currency symbol. Covers the whole Sc
/// (currency sign) category, the ASCII and Latin-1 symbols, and the symbol blocks a
/// currency symbol could plausibly use; letters, digits, `.` and spaces are not S.
/// Every symbol of the generated table is checked against this in the tests, and the
/// generator checks that the same rule reproduces `Intl.NumberFormat('en')`.
fn is_symbol_char(c: char) -> bool {
    matches!(
        c,
        // ASCII: Sc `$`, Sm `+ < = > | ~`, Sk `^ \``.
        '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~'
        // Latin-1: ¢ £ ¤ ¥ ¦ ¨ © ¬ ® ¯ ° ± ´ ¸ × ÷
        | '\u{a2}'..='\u{a6}' | '\u{a8}' | '\u{a9}' | '\u{ac}' | '\u{ae}'..='\u{b1}'
        | '\u{b4}' | '\u{b8}' | '\u{d7}' | '\u{f7}'
        // Sc outside the currency block: ֏ ؋ ߾ ߿ ৲ ৳ ৻ ૱ ௹ ฿ ៛ ꠸ ﷼ ﹩ ＄ ￠ ￡ ￥ ￦
        | '\u{58f}' | '\u{60b}' | '\u{7fe}' | '\u{7ff}' | '\u{9f2}' | '\u{9f3}' | '\u{9fb}'
        | '\u{af1}' | '\u{bf9}' | '\u{e3f}' | '\u{17db}' | '\u{a838}' | '\u{fdfc}'
        | '\u{fe69}' | '\u{ff04}' | '\u{ffe0}' | '\u{ffe1}' | '\u{ffe5}' | '\u{ffe6}'
        | '\u{11fdd}'..='\u{11fe0}' | '\u{1e2ff}' | '\u{1ecb0}'
        // Currency Symbols block (₠ … ₿ ⃀ ⃁ and the rest of the block).
        | '\u{20a0}'..='\u{20cf}'
        // Letterlike/arrows/math/technical/box/shapes/misc symbols and dingbats, all S.
        | '\u{2190}'..='\u{21ff}' | '\u{2200}'..='\u{22ff}' | '\u{2300}'..='\u{2307}'
        | '\u{2310}'..='\u{2328}' | '\u{2500}'..='\u{25ff}' | '\u{2600}'..='\u{2767}'
    )
}

/// The smallest charm price ≥ `amount` (minor units of `currency`) (D-13).
///
/// - decimals ≥ 1: the next price whose decimals are all 9 in the first two places
///   (`.99`, `.990` for 3 decimals, `.9` for 1): 0.90 → 0.99, 9.12 → 9.99,
///   10.00 → 10.99, 19.99 → 19.99; 1.234 → 1.990, 1.995 → 2.990;
/// - 0 decimals: below 100 the next integer ending in 9 (87 → 89, 90 → 99, 1 → 9),
///   from 100 up the next integer ending in 99 (100 → 199, 1,234 → 1,299).
///
/// Decisions for what D-13 leaves open: an amount ≤ 0 is returned unchanged (a free
/// price stays free — a trial of 0 must not read `€0.99` — and a credit is not a
/// price); an amount whose charm price would not fit in an `i64` is returned unchanged.
pub fn charm_amount(amount: i64, currency: Currency) -> i64 {
    if amount <= 0 {
        return amount;
    }
    let decimals = currency.decimals();
    // `step`: the charm prices are k·step + ending, k ≥ 0.
    let (step, ending) = match decimals {
        0 if amount < 100 => (10, 9),
        0 => (100, 99),
        1 => (10, 9),
        d => match 10i64.checked_pow(d) {
            Some(unit) => (unit, 99 * (unit / 100)),
            None => return amount,
        },
    };
    let base = amount - amount % step;
    let candidate = if amount % step <= ending {
        base.checked_add(ending)
    } else {
        base.checked_add(step + ending)
    };
    candidate.unwrap_or(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap_or_else(|| panic!("{code} is in the table"))
    }

    /// Parses a string produced by `format_amount` back into minor units.
    fn parse_formatted(s: &str, currency: Currency) -> Option<i64> {
        let (negative, rest) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let symbol = currency.symbol();
        let number = match currency.position() {
            SymbolPosition::Left => rest.strip_prefix(symbol)?,
            SymbolPosition::Right => rest.strip_suffix(symbol)?,
        };
        let number = number
            .strip_prefix(' ')
            .or(number.strip_suffix(' '))
            .unwrap_or(number);
        let decimals = currency.decimals() as usize;
        let (int, frac) = match number.split_once('.') {
            Some((i, f)) => (i, f),
            None => (number, ""),
        };
        if frac.len() != decimals || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Thousands grouping: first group 1–3 digits, then groups of exactly 3.
        let groups: Vec<&str> = int.split(',').collect();
        if groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
        if groups
            .iter()
            .any(|g| !g.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        if groups[0].starts_with('0') && int != "0" {
            return None;
        }
        let digits: String = groups.concat() + frac;
        let magnitude: i128 = digits.parse().ok()?;
        let value = if negative { -magnitude } else { magnitude };
        i64::try_from(value).ok()
    }

    #[test]
    fn contract_examples() {
        assert_eq!(format_amount(100, cur("USD")), "$1.00");
        assert_eq!(format_amount(100, cur("BRL")), "R$1.00");
        assert_eq!(format_amount(90, cur("EUR")), "€0.90");
        assert_eq!(format_amount(1235, cur("JPY")), "¥1,235");
        assert_eq!(format_amount(1250, cur("CHF")), "CHF 12.50");
        assert_eq!(format_amount(1999, cur("AED")), "AED 19.99");
        assert_eq!(format_amount(1250, cur("PLN")), "12.50 zł");
        assert_eq!(format_amount(1_234_500, cur("KWD")), "KWD 1,234.500");
        assert_eq!(format_amount(-100, cur("USD")), "-$1.00");
        assert_eq!(format_amount(-1250, cur("PLN")), "-12.50 zł");
    }

    #[test]
    fn more_examples() {
        assert_eq!(format_amount(0, cur("USD")), "$0.00");
        assert_eq!(format_amount(5, cur("USD")), "$0.05");
        assert_eq!(format_amount(0, cur("JPY")), "¥0");
        assert_eq!(format_amount(123_456_789, cur("USD")), "$1,234,567.89");
        assert_eq!(format_amount(100_000, cur("USD")), "$1,000.00");
        assert_eq!(format_amount(1_000_000, cur("KRW")), "₩1,000,000");
        assert_eq!(format_amount(123_456, cur("HUF")), "1,234.56 Ft");
        assert_eq!(format_amount(123_456, cur("IDR")), "Rp 1,234.56");
        assert_eq!(format_amount(1235, cur("VND")), "1,235₫");
        assert_eq!(format_amount(99_900, cur("SEK")), "999.00 kr");
        assert_eq!(format_amount(1, cur("IQD")), "IQD 0.001");
        assert_eq!(format_amount(-1_234_500, cur("KWD")), "-KWD 1,234.500");
        assert_eq!(format_amount(1234, cur("INR")), "₹12.34");
        assert_eq!(format_amount(1234, cur("TRY")), "₺12.34");
        assert_eq!(format_amount(1234, cur("GHS")), "GH₵12.34");
        assert_eq!(format_amount(1235, cur("XOF")), "1,235 F\u{202f}CFA");
    }

    #[test]
    fn extremes_do_not_panic() {
        assert_eq!(
            format_amount(i64::MIN, cur("USD")),
            "-$92,233,720,368,547,758.08"
        );
        assert_eq!(
            format_amount(i64::MAX, cur("USD")),
            "$92,233,720,368,547,758.07"
        );
        assert_eq!(
            format_amount(i64::MIN, cur("JPY")),
            "-¥9,223,372,036,854,775,808"
        );
        assert_eq!(
            format_amount(i64::MIN, cur("KWD")),
            "-KWD 9,223,372,036,854,775.808"
        );
        for c in Currency::all() {
            for a in [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX] {
                assert_eq!(parse_formatted(&format_amount(a, c), c), Some(a), "{c} {a}");
                let _ = charm_amount(a, c);
            }
        }
    }

    /// Every symbol character that stands next to the number is classified: letters,
    /// digits, `.` and spaces are not S; anything else must be one our table knows
    /// (so a new CLDR sign outside the table fails here rather than mis-spacing).
    #[test]
    fn symbol_edges_are_classified() {
        for c in Currency::all() {
            let s = c.symbol();
            let edges = [s.chars().next().unwrap(), s.chars().next_back().unwrap()];
            for ch in edges {
                if ch.is_alphanumeric() || ch == '.' || ch.is_whitespace() {
                    assert!(!is_symbol_char(ch), "{c}: {ch:?} is not category S");
                } else {
                    assert!(
                        is_symbol_char(ch),
                        "{c}: {ch:?} (U+{:04X}) must be known as S",
                        ch as u32
                    );
                }
            }
        }
        for ch in [
            '$', '€', '₫', '£', '¥', '₹', '₩', '₺', '₪', '֏', '؋', '৳', '฿', '៛', '₽', '⃀', '¢',
            '¤',
        ] {
            assert!(is_symbol_char(ch), "{ch}");
        }
        for ch in ['z', 'ł', 'R', 'F', '.', ' ', 'ł', 'č', '1'] {
            assert!(!is_symbol_char(ch), "{ch}");
        }
    }

    #[test]
    fn charm_examples() {
        let usd = cur("USD");
        assert_eq!(charm_amount(90, usd), 99);
        assert_eq!(charm_amount(912, usd), 999);
        assert_eq!(charm_amount(1000, usd), 1099);
        assert_eq!(charm_amount(1999, usd), 1999);
        assert_eq!(charm_amount(2000, usd), 2099);
        assert_eq!(charm_amount(1, usd), 99);
        let kwd = cur("KWD");
        assert_eq!(charm_amount(1234, kwd), 1990);
        assert_eq!(charm_amount(1995, kwd), 2990);
        assert_eq!(charm_amount(1990, kwd), 1990);
        assert_eq!(charm_amount(1991, kwd), 2990);
        let jpy = cur("JPY");
        assert_eq!(charm_amount(87, jpy), 89);
        assert_eq!(charm_amount(89, jpy), 89);
        assert_eq!(charm_amount(90, jpy), 99);
        assert_eq!(charm_amount(91, jpy), 99);
        assert_eq!(charm_amount(99, jpy), 99);
        assert_eq!(charm_amount(1, jpy), 9);
        assert_eq!(charm_amount(100, jpy), 199);
        assert_eq!(charm_amount(199, jpy), 199);
        assert_eq!(charm_amount(1234, jpy), 1299);
        assert_eq!(charm_amount(153_456, jpy), 153_499);
        // Decisions: zero and negative amounts are unchanged, and so is an amount
        // whose charm price does not fit in an i64.
        assert_eq!(charm_amount(0, usd), 0);
        assert_eq!(charm_amount(0, jpy), 0);
        assert_eq!(charm_amount(-150, usd), -150);
        assert_eq!(charm_amount(i64::MIN, usd), i64::MIN);
        assert_eq!(charm_amount(i64::MAX, usd), i64::MAX); // ends in ...07
        assert_eq!(charm_amount(i64::MAX - 8, jpy), i64::MAX - 8); // ...799 → ...899 overflows
        assert_eq!(
            charm_amount(9_223_372_036_854_775_699, jpy),
            9_223_372_036_854_775_699
        );
    }

    #[test]
    fn seed_example_display() {
        let eur = cur("EUR");
        assert_eq!(format_amount(90, eur), "€0.90");
        assert_eq!(charm_amount(90, eur), 99);
        assert_eq!(format_amount(charm_amount(90, eur), eur), "€0.99");
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        (0..Currency::all().count()).prop_map(|i| Currency::all().nth(i).unwrap())
    }

    /// Whether `x` is a charm price of a currency with `decimals`, per D-13.
    fn is_charm(x: i64, decimals: u32) -> bool {
        match decimals {
            0 if x < 100 => x % 10 == 9,
            0 => x % 100 == 99,
            1 => x % 10 == 9,
            d => {
                let unit = 10i64.pow(d);
                x % unit == 99 * (unit / 100)
            }
        }
    }

    proptest! {
        #[test]
        fn format_round_trips(amount in any::<i64>(), c in any_currency()) {
            let s = format_amount(amount, c);
            prop_assert_eq!(parse_formatted(&s, c), Some(amount), "{}", s);
        }

        #[test]
        fn grouping_is_by_thousands(amount in 0i64..=i64::MAX, c in any_currency()) {
            let s = format_amount(amount, c);
            let digits_only: String = s.chars().filter(char::is_ascii_digit).collect();
            // No digit is lost or invented (no symbol carries an ASCII digit).
            prop_assert_eq!(digits_only.parse::<u128>().ok(), Some(amount as u128), "{}", &s);
            let unit = 10u64.pow(c.decimals());
            let int_digits = (amount as u64 / unit).to_string().len();
            let commas = s.matches(',').count();
            prop_assert_eq!(commas, (int_digits - 1) / 3, "{}", s);
        }

        #[test]
        fn charm_is_minimal_charm_at_or_above(amount in 1i64..1_000_000_000_000, c in any_currency()) {
            let d = c.decimals();
            let charm = charm_amount(amount, c);
            prop_assert!(charm >= amount);
            prop_assert!(is_charm(charm, d), "{} → {}", amount, charm);
            // Minimal: no charm price in [amount, charm).
            let step = match d { 0 if charm < 100 => 10, 0 => 100, 1 => 10, d => 10i64.pow(d) };
            prop_assert!(charm - amount < step, "{} → {}", amount, charm);
            if d == 0 && amount >= 100 {
                prop_assert!(!(amount..charm).any(|x| x >= 100 && x % 100 == 99));
            }
            prop_assert_eq!(charm_amount(charm, c), charm, "idempotent");
        }

        #[test]
        fn charm_is_monotonic(a in 1i64..1_000_000_000, b in 1i64..1_000_000_000, c in any_currency()) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(charm_amount(lo, c) <= charm_amount(hi, c));
        }
    }
}
