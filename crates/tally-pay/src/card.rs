//! Card input as the customer typed it, and the checks the server makes before
//! any processor sees it (§7, §5, D-14): digits, length, Luhn, expiry, CVC. A
//! [`CheckedCard`] is the only way to hand a card to a processor; it keeps the
//! number and CVC private, redacts itself in `Debug` and cannot be serialized.
//! [`CardDetails`] is what may be stored and shown. This module must not store,
//! log or return a full card number or a CVC, and it does no I/O.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Card fields as received from checkout. `Debug` shows only the last four
/// digits of the number and nothing of the CVC, postal code or holder name.
/// Deliberately not `Serialize`: a card input is never written anywhere.
#[derive(Clone, Deserialize)]
pub struct CardInput {
    pub number: String,
    pub exp_month: u32,
    /// Four digits, or two (`27` means 2027).
    pub exp_year: i32,
    pub cvc: String,
    pub postal_code: Option<String>,
    pub holder_name: Option<String>,
}

/// Why a card input was refused: the JSON path of the field, a stable code and a
/// message saying what was wrong and what is allowed. Messages never contain the
/// number or the CVC.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CardError {
    /// `card.number`, `card.exp_month`, `card.exp_year`, `card.cvc`, `card.postal_code`
    /// or `card.holder_name`.
    pub field: &'static str,
    /// `invalid_card_number`, `invalid_expiry_month`, `invalid_expiry_year`,
    /// `expired_card`, `invalid_cvc`, `invalid_postal_code` or `invalid_holder_name`.
    pub code: &'static str,
    pub message: String,
}

impl CardError {
    fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> CardError {
        CardError {
            field,
            code,
            message: message.into(),
        }
    }
}

/// Card network, from the number's IIN range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    Diners,
    Unionpay,
    Unknown,
}

impl CardBrand {
    pub fn as_str(self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::Amex => "amex",
            CardBrand::Discover => "discover",
            CardBrand::Jcb => "jcb",
            CardBrand::Diners => "diners",
            CardBrand::Unionpay => "unionpay",
            CardBrand::Unknown => "unknown",
        }
    }

    /// The brand of a digits-only card number (or a prefix of one).
    pub fn detect(digits: &str) -> CardBrand {
        let p = |n: usize| -> u32 { digits.get(..n).and_then(|s| s.parse().ok()).unwrap_or(0) };
        let (p2, p3, p4) = (p(2), p(3), p(4));
        if p2 == 34 || p2 == 37 {
            CardBrand::Amex
        } else if (300..=305).contains(&p3) || p4 == 3095 || matches!(p2, 36 | 38 | 39) {
            CardBrand::Diners
        } else if (3528..=3589).contains(&p4) {
            CardBrand::Jcb
        } else if digits.starts_with('4') {
            CardBrand::Visa
        } else if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) {
            CardBrand::Mastercard
        } else if p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 {
            CardBrand::Discover
        } else if p2 == 62 || p2 == 81 {
            CardBrand::Unionpay
        } else {
            CardBrand::Unknown
        }
    }

    /// Digits of the card's security code.
    pub fn cvc_len(self) -> usize {
        if self == CardBrand::Amex { 4 } else { 3 }
    }
}

impl fmt::Display for CardBrand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the card is funded, as the issuer reports it (from BIN data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Funding {
    Credit,
    Debit,
    Prepaid,
    Unknown,
}

impl Funding {
    pub fn as_str(self) -> &'static str {
        match self {
            Funding::Credit => "credit",
            Funding::Debit => "debit",
            Funding::Prepaid => "prepaid",
            Funding::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Funding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What may be stored and shown about a card (§5 `details` and `bin_data`).
/// Never the full number, never the CVC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDetails {
    pub brand: CardBrand,
    /// The leading digits that identify the issuer: six, or fewer for numbers
    /// shorter than 14 digits so that at least four digits always stay hidden.
    pub bin: String,
    pub last4: String,
    pub exp_month: u32,
    /// Always four digits.
    pub exp_year: i32,
    pub funding: Funding,
    /// Issuer country (ISO 3166-1 alpha-2) when the BIN data knows it.
    pub country: Option<String>,
}

/// A card that passed [`CardInput::check`]. The number and CVC stay inside this
/// crate (processors read them); everything else reads [`CheckedCard::details`].
pub struct CheckedCard {
    number: String,
    cvc: String,
    exp_month: u32,
    exp_year: i32,
    brand: CardBrand,
    postal_code: Option<String>,
    holder_name: Option<String>,
}

const FINGERPRINT_DOMAIN: &[u8] = b"tally-pay/card-fingerprint/v1\0";
const MAX_POSTAL_CODE_LEN: usize = 16;
const MAX_HOLDER_NAME_LEN: usize = 200;
/// Expiry years further ahead than this are typos, not cards.
const MAX_YEARS_AHEAD: i32 = 50;

impl CardInput {
    /// Checks every field, normalizes it (spaces and dashes out of the number,
    /// two-digit years to 20YY, blank optional fields to `None`) and returns the
    /// first problem found, in the order number, expiry month, expiry year,
    /// expiry date, CVC, postal code, holder name. `today` is the date from the
    /// caller's clock; a card is valid through the last day of its expiry month.
    pub fn check(&self, today: jiff::civil::Date) -> Result<CheckedCard, CardError> {
        let number = check_number(&self.number)?;
        let brand = CardBrand::detect(&number);

        if !(1..=12).contains(&self.exp_month) {
            return Err(CardError::new(
                "card.exp_month",
                "invalid_expiry_month",
                format!(
                    "card.exp_month must be a month number from 1 to 12; got {}",
                    self.exp_month
                ),
            ));
        }
        let exp_year = match self.exp_year {
            y @ 0..=99 => 2000 + y,
            y @ 2000..=9999 => y,
            y => {
                return Err(CardError::new(
                    "card.exp_year",
                    "invalid_expiry_year",
                    format!("card.exp_year must be a year as 2 or 4 digits (27 or 2027); got {y}"),
                ));
            }
        };
        let this_year = i32::from(today.year());
        let this_month = u32::try_from(today.month()).unwrap_or(1);
        if exp_year > this_year + MAX_YEARS_AHEAD {
            return Err(CardError::new(
                "card.exp_year",
                "invalid_expiry_year",
                format!(
                    "card.exp_year {exp_year} is more than {MAX_YEARS_AHEAD} years ahead; check the expiry date"
                ),
            ));
        }
        if (exp_year, self.exp_month) < (this_year, this_month) {
            let field = if exp_year < this_year {
                "card.exp_year"
            } else {
                "card.exp_month"
            };
            return Err(CardError::new(
                field,
                "expired_card",
                format!(
                    "the card expired at the end of {:02}/{exp_year}; use a card that has not expired",
                    self.exp_month
                ),
            ));
        }

        let cvc = self.cvc.trim();
        let want = brand.cvc_len();
        if cvc.len() != want || !cvc.bytes().all(|b| b.is_ascii_digit()) {
            let message = if cvc.is_empty() {
                "card.cvc is required".to_owned()
            } else if brand == CardBrand::Amex {
                "card.cvc must be the 4 digits printed on the front of an American Express card"
                    .to_owned()
            } else {
                format!("card.cvc must be the 3 digits on the back of a {brand} card")
            };
            return Err(CardError::new("card.cvc", "invalid_cvc", message));
        }

        let postal_code = bounded(&self.postal_code, "card.postal_code", "invalid_postal_code", MAX_POSTAL_CODE_LEN)?;
        let holder_name = bounded(&self.holder_name, "card.holder_name", "invalid_holder_name", MAX_HOLDER_NAME_LEN)?;

        Ok(CheckedCard {
            number,
            cvc: cvc.to_owned(),
            exp_month: self.exp_month,
            exp_year,
            brand,
            postal_code,
            holder_name,
        })
    }
}

/// An optional free-text field: blank is absent; longer than `max` is an error.
fn bounded(v: &Option<String>, field: &'static str, code: &'static str, max: usize) -> Result<Option<String>, CardError> {
    let v = non_blank(v);
    match &v {
        Some(text) if text.chars().count() > max => {
            Err(CardError::new(field, code, format!("{field} must be at most {max} characters")))
        }
        _ => Ok(v),
    }
}

fn check_number(raw: &str) -> Result<String, CardError> {
    let digits: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .collect();
    let err = |m: String| Err(CardError::new("card.number", "invalid_card_number", m));
    if digits.is_empty() {
        return err("card.number is required".to_owned());
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return err(
            "card.number must contain only digits (spaces and dashes between groups are allowed)"
                .to_owned(),
        );
    }
    if !(12..=19).contains(&digits.len()) {
        return err(format!(
            "card.number must have 12 to 19 digits; got {}",
            digits.len()
        ));
    }
    if !luhn_valid(&digits) {
        return err(
            "card.number is not a valid card number (Luhn check failed); check it for typos"
                .to_owned(),
        );
    }
    Ok(digits)
}

fn non_blank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The Luhn (mod 10) check over a digits-only string; false on anything else.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// How many leading digits [`CardDetails::bin`] shows for a number of `len`
/// digits: six, but never so many that fewer than four stay hidden.
fn bin_len(len: usize) -> usize {
    6.min(len.saturating_sub(8))
}

impl CheckedCard {
    /// The storable facts the server knows without BIN data: `funding` is
    /// `unknown` and `country` is `None` (a processor fills them in when it
    /// vaults the card, see [`crate::VaultedCard::details`]).
    pub fn details(&self) -> CardDetails {
        CardDetails {
            brand: self.brand,
            bin: self.number[..bin_len(self.number.len())].to_owned(),
            last4: self.last4().to_owned(),
            exp_month: self.exp_month,
            exp_year: self.exp_year,
            funding: Funding::Unknown,
            country: None,
        }
    }

    /// Recognizes the same card saved twice: lowercase hex SHA-256 of a fixed
    /// domain-separation prefix and the digits. It depends on the number only
    /// (not expiry, CVC or name). Unkeyed, so the card number space can be
    /// searched against it: keep it server-side, never show it to clients.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(FINGERPRINT_DOMAIN);
        h.update(self.number.as_bytes());
        hex::encode(h.finalize())
    }

    pub fn brand(&self) -> CardBrand {
        self.brand
    }

    pub fn last4(&self) -> &str {
        &self.number[self.number.len() - 4..]
    }

    pub fn exp_month(&self) -> u32 {
        self.exp_month
    }

    /// Four digits.
    pub fn exp_year(&self) -> i32 {
        self.exp_year
    }

    pub fn postal_code(&self) -> Option<&str> {
        self.postal_code.as_deref()
    }

    pub fn holder_name(&self) -> Option<&str> {
        self.holder_name.as_deref()
    }

    /// The full number, for processors in this crate only.
    pub(crate) fn number(&self) -> &str {
        &self.number
    }

    /// The CVC, for processors in this crate only.
    pub(crate) fn cvc(&self) -> &str {
        &self.cvc
    }
}

const REDACTED: &str = "<redacted>";

impl fmt::Debug for CardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits: String = self.number.chars().filter(char::is_ascii_digit).collect();
        // Show the last four only when they are a small part of the number.
        let number = if digits.len() >= 12 {
            format!("****{}", &digits[digits.len() - 4..])
        } else {
            REDACTED.to_owned()
        };
        f.debug_struct("CardInput")
            .field("number", &number)
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("cvc", &REDACTED)
            .field("postal_code", &self.postal_code.as_ref().map(|_| REDACTED))
            .field("holder_name", &self.holder_name.as_ref().map(|_| REDACTED))
            .finish()
    }
}

impl fmt::Debug for CheckedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckedCard")
            .field("brand", &self.brand)
            .field("last4", &self.last4())
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("cvc", &REDACTED)
            .field("postal_code", &self.postal_code.as_ref().map(|_| REDACTED))
            .field("holder_name", &self.holder_name.as_ref().map(|_| REDACTED))
            .finish()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use jiff::civil::date;

    pub(crate) fn today() -> jiff::civil::Date {
        date(2025, 5, 26)
    }

    pub(crate) fn input(number: &str) -> CardInput {
        CardInput {
            number: number.to_owned(),
            exp_month: 12,
            exp_year: 2030,
            cvc: "123".to_owned(),
            postal_code: Some("10115".to_owned()),
            holder_name: Some("Ada Lovelace".to_owned()),
        }
    }

    fn err(card: &CardInput) -> CardError {
        card.check(today()).expect_err("the card must be refused")
    }

    #[test]
    fn normalizes_spaces_and_dashes() {
        let c = input(" 4242 4242-4242 4242 ").check(today()).unwrap();
        assert_eq!(c.number(), "4242424242424242");
        assert_eq!(c.last4(), "4242");
        assert_eq!(c.brand(), CardBrand::Visa);
    }

    #[test]
    fn number_errors_name_the_field_and_rule() {
        let e = err(&input(""));
        assert_eq!((e.field, e.code), ("card.number", "invalid_card_number"));
        assert!(e.message.contains("required"), "{}", e.message);

        let e = err(&input("4242 4242 4242 424a"));
        assert_eq!((e.field, e.code), ("card.number", "invalid_card_number"));
        assert!(e.message.contains("only digits"), "{}", e.message);

        let e = err(&input("42424242424"));
        assert_eq!(e.code, "invalid_card_number");
        assert!(
            e.message.contains("12 to 19 digits; got 11"),
            "{}",
            e.message
        );

        let e = err(&input("42424242424242424242"));
        assert!(e.message.contains("got 20"), "{}", e.message);

        let e = err(&input("4242424242424241"));
        assert_eq!(e.code, "invalid_card_number");
        assert!(e.message.contains("Luhn"), "{}", e.message);
        assert!(!e.message.contains("4242424242424241"));
    }

    #[test]
    fn luhn() {
        for ok in [
            "4242424242424242",
            "4111111111111111",
            "5555555555554444",
            "378282246310005",
            "4000000000003220",
            "0",
        ] {
            assert!(luhn_valid(ok), "{ok}");
        }
        for bad in [
            "4242424242424243",
            "1234567812345678",
            "",
            "42a2",
            "79927398710",
        ] {
            assert!(!luhn_valid(bad), "{bad}");
        }
        assert!(luhn_valid("79927398713"));
    }

    #[test]
    fn expiry_rules() {
        // This month is still valid; last month is expired.
        let mut c = input("4242424242424242");
        c.exp_month = 5;
        c.exp_year = 2025;
        assert!(c.check(today()).is_ok());

        c.exp_month = 4;
        let e = err(&c);
        assert_eq!((e.field, e.code), ("card.exp_month", "expired_card"));
        assert!(e.message.contains("04/2025"), "{}", e.message);

        c.exp_month = 12;
        c.exp_year = 2024;
        let e = err(&c);
        assert_eq!((e.field, e.code), ("card.exp_year", "expired_card"));

        // Two-digit years mean 20YY.
        c.exp_year = 27;
        assert_eq!(c.check(today()).unwrap().exp_year(), 2027);
        c.exp_year = 24;
        assert_eq!(err(&c).code, "expired_card");
        c.exp_month = 5;
        c.exp_year = 25;
        assert_eq!(c.check(today()).unwrap().details().exp_year, 2025);

        for m in [0, 13] {
            c.exp_month = m;
            let e = err(&c);
            assert_eq!(
                (e.field, e.code),
                ("card.exp_month", "invalid_expiry_month")
            );
            assert!(e.message.contains(&format!("got {m}")), "{}", e.message);
        }
        c.exp_month = 6;
        for y in [-1, 100, 999, 1999, 10000] {
            c.exp_year = y;
            let e = err(&c);
            assert_eq!(
                (e.field, e.code),
                ("card.exp_year", "invalid_expiry_year"),
                "{y}"
            );
        }
        c.exp_year = 2076;
        assert_eq!(err(&c).code, "invalid_expiry_year");
        c.exp_year = 2075;
        assert!(c.check(today()).is_ok());
    }

    #[test]
    fn cvc_rules() {
        let mut c = input("4242424242424242");
        for bad in ["", "12", "1234", "12a", "abc"] {
            c.cvc = bad.to_owned();
            let e = err(&c);
            assert_eq!((e.field, e.code), ("card.cvc", "invalid_cvc"), "{bad:?}");
            if !bad.is_empty() {
                assert!(e.message.contains("3 digits"), "{}", e.message);
            }
        }
        c.cvc = " 123 ".to_owned();
        assert_eq!(c.check(today()).unwrap().cvc(), "123");

        let mut amex = input("378282246310005");
        amex.cvc = "123".to_owned();
        let e = err(&amex);
        assert_eq!(e.code, "invalid_cvc");
        assert!(e.message.contains("4 digits"), "{}", e.message);
        amex.cvc = "1234".to_owned();
        assert!(amex.check(today()).is_ok());
    }

    #[test]
    fn optional_fields() {
        let mut c = input("4242424242424242");
        c.postal_code = Some("   ".to_owned());
        c.holder_name = Some(" Ada ".to_owned());
        let checked = c.check(today()).unwrap();
        assert_eq!(checked.postal_code(), None);
        assert_eq!(checked.holder_name(), Some("Ada"));

        c.postal_code = Some("1".repeat(17));
        let e = err(&c);
        assert_eq!(
            (e.field, e.code),
            ("card.postal_code", "invalid_postal_code")
        );
        c.postal_code = None;
        c.holder_name = Some("x".repeat(201));
        assert_eq!(err(&c).field, "card.holder_name");
    }

    #[test]
    fn brands_from_iin_ranges() {
        let cases = [
            ("4242424242424242", CardBrand::Visa),
            ("4000056655665556", CardBrand::Visa),
            ("5555555555554444", CardBrand::Mastercard),
            ("2223003122003222", CardBrand::Mastercard),
            ("2720990000000000", CardBrand::Mastercard),
            ("378282246310005", CardBrand::Amex),
            ("371449635398431", CardBrand::Amex),
            ("6011111111111117", CardBrand::Discover),
            ("6445644564456445", CardBrand::Discover),
            ("6500000000000000", CardBrand::Discover),
            ("3566002020360505", CardBrand::Jcb),
            ("30569309025904", CardBrand::Diners),
            ("36227206271667", CardBrand::Diners),
            ("3095000000000000", CardBrand::Diners),
            ("6200000000000005", CardBrand::Unionpay),
            ("8171999927660000", CardBrand::Unionpay),
            ("2720990000000000", CardBrand::Mastercard),
            ("2721000000000000", CardBrand::Unknown),
            ("2220990000000000", CardBrand::Unknown),
            ("9999999999999995", CardBrand::Unknown),
            ("3400000000000000", CardBrand::Amex),
            ("3527000000000000", CardBrand::Unknown),
            ("3528000000000000", CardBrand::Jcb),
        ];
        for (n, brand) in cases {
            assert_eq!(CardBrand::detect(n), brand, "{n}");
        }
        assert_eq!(
            serde_json::to_string(&CardBrand::Unionpay).unwrap(),
            "\"unionpay\""
        );
    }

    #[test]
    fn details_never_hold_the_number() {
        let c = input("4242 4242 4242 4242").check(today()).unwrap();
        let d = c.details();
        assert_eq!(
            d,
            CardDetails {
                brand: CardBrand::Visa,
                bin: "424242".into(),
                last4: "4242".into(),
                exp_month: 12,
                exp_year: 2030,
                funding: Funding::Unknown,
                country: None,
            }
        );
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.contains("4242424242424242"), "{json}");
        assert!(!json.contains("\"123\""), "{json}");
        let back: CardDetails = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);

        // Short numbers keep at least four digits hidden.
        let short = input("5000 0000 0009").check(today()).unwrap().details();
        assert_eq!((short.bin.as_str(), short.last4.as_str()), ("5000", "0009"));
    }

    #[test]
    fn debug_is_redacted() {
        let raw = input("4242 4242 4242 4242");
        let mut raw_compact = raw.clone();
        raw_compact.number = "4242424242424242".into();
        raw_compact.cvc = "987".into();
        for card in [&raw, &raw_compact] {
            let s = format!("{card:?} {card:#?}");
            assert!(!s.contains("4242424242424242"), "{s}");
            assert!(!s.contains("4242 4242 4242 4242"), "{s}");
            assert!(!s.contains("987") && !s.contains("\"123\""), "{s}");
            assert!(!s.contains("10115") && !s.contains("Ada"), "{s}");
            assert!(s.contains("****4242"), "{s}");
        }
        let checked = raw_compact.check(today()).unwrap();
        let s = format!("{checked:?} {checked:#?}");
        assert!(!s.contains("4242424242424242"), "{s}");
        assert!(!s.contains("987"), "{s}");
        assert!(!s.contains("Ada"), "{s}");
        assert!(s.contains("4242"), "{s}");

        // A short garbage number shows nothing at all.
        let s = format!("{:?}", input("123456"));
        assert!(!s.contains("123456") && !s.contains("3456"), "{s}");
    }

    #[test]
    fn fingerprint_recognizes_the_same_card() {
        let a = input("4242424242424242").check(today()).unwrap();
        let mut other = input("4242-4242-4242-4242");
        other.exp_year = 2031;
        other.cvc = "999".into();
        let b = other.check(today()).unwrap();
        let c = input("4111111111111111").check(today()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_eq!(a.fingerprint().len(), 64);
        assert!(a.fingerprint().bytes().all(|b| b.is_ascii_hexdigit()));
        // Domain-separated: not the bare SHA-256 of the number.
        assert_ne!(
            a.fingerprint(),
            hex::encode(Sha256::digest(b"4242424242424242"))
        );
    }
}
