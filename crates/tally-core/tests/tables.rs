//! Checks of the generated currency and country tables (`src/tables.rs`, written by
//! `tools/gen-tables`) against the API contract: §1, D-0, D-3, D-8..D-10, D-12.

use tally_core::currency::SymbolPosition;
use tally_core::display::{charm_amount, format_amount};
use tally_core::tables::{COUNTRIES, CURRENCIES};
use tally_core::{Country, Currency};

/// The `currency` enum of the seed (157 codes, in the seed's order).
const SEED_CURRENCIES: &str = "
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS IMP INR IQD IRR ISK JEP JMD
JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STD STN SVC SYP SZL
THB TJS TMT TND TOP TRY TTD TWD TZS BOV COU CHE CHW MXV UGX VES VND VUV XAF XCD XCG XOF
XPF YER USD";

/// D-0: the currencies added because countries of the enum use them.
const ADDED_CURRENCIES: [&str; 6] = ["UAH", "UYU", "UZS", "WST", "ZAR", "ZMW"];

/// `clientSessionCustomerAddress.country` of the seed (236 codes).
const SEED_COUNTRIES: &str = "
AD AE AF AG AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BW BY BZ CA CD CF CG CH CI CL CM CN CO CR CU CU-P CV CW CY CZ DE DJ DK DM DO DZ EC EE
EG ER ES ET FI FJ FK FM FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR
HT HU ID IE IL IM IN IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI
LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS
RU RW SA SB SC SD SE SG SH SI SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TG TH TJ TK TL TM
TN TO TR TT TV TW TZ UA UG US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

fn cur(code: &str) -> Currency {
    Currency::parse(code).unwrap_or_else(|| panic!("{code} is in the currency table"))
}

fn country(code: &str) -> Country {
    Country::parse(code).unwrap_or_else(|| panic!("{code} is in the country table"))
}

#[test]
fn currency_set_is_the_seed_enum_plus_d0() {
    let seed: Vec<&str> = SEED_CURRENCIES.split_whitespace().collect();
    assert_eq!(seed.len(), 157);
    assert_eq!(CURRENCIES.len(), 157 + 6);
    assert_eq!(Currency::all().count(), 163);
    for code in seed.iter().chain(ADDED_CURRENCIES.iter()) {
        assert_eq!(cur(code).code(), *code);
    }
}

#[test]
fn country_set_is_the_seed_enum() {
    let seed: Vec<&str> = SEED_COUNTRIES.split_whitespace().collect();
    assert_eq!(seed.len(), 236);
    assert_eq!(COUNTRIES.len(), seed.len());
    for code in &seed {
        assert_eq!(country(code).code(), *code);
    }
}

#[test]
fn tables_are_sorted_by_code_in_byte_order() {
    for w in CURRENCIES.windows(2) {
        assert!(
            w[0].code.as_bytes() < w[1].code.as_bytes(),
            "{} !< {}",
            w[0].code,
            w[1].code
        );
    }
    for w in COUNTRIES.windows(2) {
        assert!(
            w[0].code.as_bytes() < w[1].code.as_bytes(),
            "{} !< {}",
            w[0].code,
            w[1].code
        );
    }
    // Lookups (binary search) find every row.
    for row in CURRENCIES {
        assert_eq!(cur(row.code).code(), row.code);
    }
    for row in COUNTRIES {
        assert_eq!(country(row.code).code(), row.code);
    }
    assert_eq!(Currency::parse("usd"), None);
    assert_eq!(Currency::parse("XXX"), None);
    assert_eq!(Country::parse("CUP"), None);
    assert_eq!(Country::parse("cu-p"), None);
}

#[test]
fn every_country_maps_to_a_currency_of_the_table() {
    for row in COUNTRIES {
        assert!(
            Currency::parse(row.currency).is_some(),
            "{} → {}",
            row.code,
            row.currency
        );
    }
    for c in Country::all() {
        let _ = c.local_currency();
    }
}

#[test]
fn rows_are_well_formed() {
    for row in CURRENCIES {
        assert!(
            row.code.len() == 3 && row.code.bytes().all(|b| b.is_ascii_uppercase()),
            "{}",
            row.code
        );
        assert!(row.decimals <= 3, "{}: {}", row.code, row.decimals);
        assert!(
            !row.symbol.is_empty() && row.symbol.trim() == row.symbol,
            "{}",
            row.code
        );
        assert!(
            !row.symbol.bytes().any(|b| b.is_ascii_digit()),
            "{}",
            row.code
        );
    }
}

#[test]
fn decimals_are_iso_4217() {
    let expect = [
        ("USD", 2),
        ("EUR", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("HUF", 2),
        ("IDR", 2),
        ("KWD", 3),
        ("BHD", 3),
        ("IQD", 3),
        ("JOD", 3),
        ("LYD", 3),
        ("OMR", 3),
        ("TND", 3),
        // Non-ISO or retired codes of §1.
        ("IMP", 2),
        ("JEP", 2),
        ("CUC", 2),
        ("STD", 2),
        ("BGN", 2),
        // Named in §1, or ISO 4217 values where CLDR's `digits` differ (COP, IRR, LAK).
        ("XCG", 2),
        ("SLE", 2),
        ("VES", 2),
        ("BOV", 2),
        ("CHE", 2),
        ("COP", 2),
        ("IRR", 2),
        ("LAK", 2),
        ("ISK", 0),
        ("CLP", 0),
        ("VND", 0),
        ("XOF", 0),
        ("XAF", 0),
        ("UGX", 0),
    ];
    for (code, d) in expect {
        assert_eq!(cur(code).decimals(), d, "{code}");
    }
}

#[test]
fn symbols_and_positions() {
    use SymbolPosition::{Left, Right};
    let expect = [
        ("USD", "$", Left),
        ("CAD", "$", Left),
        ("AUD", "$", Left),
        ("MXN", "$", Left),
        ("EUR", "€", Left),
        ("GBP", "£", Left),
        ("JPY", "¥", Left),
        ("KRW", "₩", Left),
        ("INR", "₹", Left),
        ("TRY", "₺", Left),
        ("BRL", "R$", Left),
        ("IDR", "Rp", Left),
        ("AED", "AED", Left),
        ("CHF", "CHF", Left),
        ("SAR", "SAR", Left),
        ("KWD", "KWD", Left),
        ("PLN", "zł", Right),
        ("SEK", "kr", Right),
        ("NOK", "kr", Right),
        ("DKK", "kr", Right),
        ("CZK", "Kč", Right),
        ("HUF", "Ft", Right),
        ("RON", "lei", Right),
        ("RUB", "₽", Right),
        ("UAH", "₴", Right),
        ("VND", "₫", Right),
    ];
    for (code, symbol, position) in expect {
        let c = cur(code);
        assert_eq!((c.symbol(), c.position()), (symbol, position), "{code}");
    }
    assert_eq!(cur("JPY").decimals(), 0);
    assert_eq!(cur("KRW").decimals(), 0);
    assert_eq!(cur("IQD").decimals(), 3);
}

#[test]
fn local_currencies() {
    let expect = [
        ("DE", "EUR"),
        ("XK", "EUR"),
        ("CU-P", "CUP"),
        ("CU", "CUP"),
        ("US", "USD"),
        ("GB", "GBP"),
        ("JP", "JPY"),
        ("PL", "PLN"),
        ("CH", "CHF"),
        ("LI", "CHF"),
        ("UA", "UAH"),
        ("UY", "UYU"),
        ("UZ", "UZS"),
        ("WS", "WST"),
        ("ZA", "ZAR"),
        ("ZM", "ZMW"),
        ("ZW", "USD"),
        ("EC", "USD"),
        ("SV", "USD"),
        ("BQ", "USD"),
        ("CW", "XCG"),
        ("SX", "XCG"),
        ("SL", "SLE"),
        ("ST", "STN"),
        ("VE", "VES"),
        ("HR", "EUR"),
        ("BG", "EUR"),
        ("GL", "DKK"),
        ("SN", "XOF"),
        ("CM", "XAF"),
        ("NC", "XPF"),
        ("LC", "XCD"),
        ("KI", "AUD"),
        ("TK", "NZD"),
    ];
    for (c, currency) in expect {
        assert_eq!(country(c).local_currency().code(), currency, "{c}");
    }
}

#[test]
fn seed_example_end_to_end() {
    let (usd, eur) = (Currency::usd(), country("DE").local_currency());
    let rate = tally_core::rates::cross_rate("1".parse().unwrap(), "0.9".parse().unwrap());
    let local = tally_core::rates::convert(100, usd, eur, rate).unwrap();
    assert_eq!(local, 90);
    assert_eq!(format_amount(local, eur), "€0.90");
    assert_eq!(format_amount(charm_amount(local, eur), eur), "€0.99");
}

#[test]
fn every_currency_formats() {
    for c in Currency::all() {
        let s = format_amount(123_456_789, c);
        assert!(s.contains(c.symbol()), "{c}: {s}");
        let number = match c.decimals() {
            0 => "123,456,789",
            2 => "1,234,567.89",
            3 => "123,456.789",
            d => panic!("{c}: unexpected exponent {d}"),
        };
        assert!(s.contains(number), "{c}: {s}");
    }
}
