#!/usr/bin/env node
// Generates crates/tally-core/src/tables.rs: the currency facts (§4.1, D-8..D-10)
// and the country → local currency table (§4.3, D-0, D-3, D-12) of the API contract.
//
//   cd tools/gen-tables && npm ci && node generate.mjs            # (re)write tables.rs
//   node generate.mjs --check                                     # fail if tables.rs is stale
//   node generate.mjs --seed /path/to/000_a14a7cf8feb0f5f5.txt    # also cross-check the
//                                                                 # embedded enums with the seed
//
// Sources (all pinned, see package-lock.json and README.md):
//   - ISO 4217 minor-unit exponents: npm `currency-codes` (ISO list one) + OVERRIDE_DECIMALS.
//   - Narrow symbols: node's built-in Intl (ICU → CLDR), locale `en`, `narrowSymbol` (D-9).
//   - Symbol position: Intl `formatToParts` in the currency's principal locale (D-10).
//   - Country → currency: npm `cldr-core` supplemental/currencyData.json `region` (D-12).
// Every rule and override is documented in README.md. The script fails loudly (exit 1)
// whenever the data does not satisfy the contract instead of guessing.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = resolve(HERE, '../../crates/tally-core/src/tables.rs');

const isoList = require('currency-codes/data.js');
const isoPublished = require('currency-codes/iso-4217-publish-date.js');
const cldrCurrencyData = require('cldr-core/supplemental/currencyData.json').supplemental.currencyData;
const territoryInfo = require('cldr-core/supplemental/territoryInfo.json').supplemental.territoryInfo;
const cldrCoreVersion = require('cldr-core/package.json').version;
const currencyCodesVersion = require('currency-codes/package.json').version;

const errors = [];
const fail = (msg) => errors.push(msg);

// ---------------------------------------------------------------------------------
// 1. The sets (§1). Copied verbatim from the seed OpenAPI fragment
//    (000_a14a7cf8feb0f5f5.txt: the `currency` enum — every occurrence is the same
//    list — and `clientSessionCustomerAddress.country`); `--seed FILE` re-checks them.
// ---------------------------------------------------------------------------------

const SEED_CURRENCIES = `
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS IMP INR IQD IRR ISK JEP JMD
JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STD STN SVC SYP SZL
THB TJS TMT TND TOP TRY TTD TWD TZS BOV COU CHE CHW MXV UGX VES VND VUV XAF XCD XCG XOF
XPF YER USD`.trim().split(/\s+/);

// D-0: active ISO 4217 currencies the seed enum leaves out although countries use them.
const ADDED_CURRENCIES = ['UAH', 'UYU', 'UZS', 'WST', 'ZAR', 'ZMW'];

const SEED_COUNTRIES = `
AD AE AF AG AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BW BY BZ CA CD CF CG CH CI CL CM CN CO CR CU CU-P CV CW CY CZ DE DJ DK DM DO DZ EC EE
EG ER ES ET FI FJ FK FM FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR
HT HU ID IE IL IM IN IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI
LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS
RU RW SA SB SC SD SE SG SH SI SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TG TH TJ TK TL TM
TN TO TR TT TV TW TZ UA UG US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW`.trim().split(/\s+/);

// ---------------------------------------------------------------------------------
// 2. Overrides. Each one is a decision; README.md says why.
// ---------------------------------------------------------------------------------

// ISO 4217 exponents for codes `currency-codes` does not carry (its ISO list is dated
// `isoPublished`). If the package ever carries one of these, the values must agree.
const OVERRIDE_DECIMALS = {
  XCG: 2, // Caribbean guilder, ISO 4217 amendment 176 (2023), in use since 2025-03-31
  IMP: 2, // Manx pound: not ISO (local issue of GBP), §1 says 2
  JEP: 2, // Jersey pound: not ISO (local issue of GBP), §1 says 2
  STD: 2, // old dobra, retired from ISO 4217 in 2018 (it had 2); §1 says 2
};

// Values the contract states (D-8, §1); checked after the lookup.
const REQUIRED_DECIMALS = {
  USD: 2, JPY: 0, KRW: 0, HUF: 2, IDR: 2,
  KWD: 3, BHD: 3, IQD: 3, JOD: 3, LYD: 3, OMR: 3, TND: 3,
  IMP: 2, JEP: 2, CUC: 2, STD: 2, BGN: 2, XCG: 2, SLE: 2, VES: 2, BOV: 2, CHE: 2,
};

// Principal territory of a currency whose principal territory is not unique in CLDR:
// used by several current territories, or (funds codes, retired or non-ISO codes)
// current nowhere. The principal locale is then derived from the territory.
const PRINCIPAL_REGION = {
  AUD: 'AU', CHF: 'CH', DKK: 'DK', EUR: 'DE', GBP: 'GB', ILS: 'IL', INR: 'IN',
  JOD: 'JO', MAD: 'MA', NOK: 'NO', NZD: 'NZ', SHP: 'SH', USD: 'US', ZAR: 'ZA',
  XAF: 'CM', // BEAC, Yaoundé
  XOF: 'CI', // largest UEMOA economy; French, like every UEMOA member's business use
  XCD: 'KN', // ECCB, Basseterre
  XCG: 'CW', // CBCS, Willemstad
  XPF: 'PF', // IEOM; French Polynesia is the largest user
  IMP: 'IM', JEP: 'JE', // no CLDR territory data at all
};

// Positions forced by the contract, overriding the principal locale's pattern.
const OVERRIDE_POSITION = {
  EUR: 'left', // D-10: "EUR is left (the reference example shows €0.90)"; de-DE says right
};

// Countries that CLDR has no territory for, or where the contract decides.
const OVERRIDE_COUNTRY = {
  'CU-P': 'CUP', // D-3: a distinct enum value, not an ISO 3166 code; maps to CUP
};

// Spot checks from the contract (D-9, D-10, D-3, D-12). The generator refuses to
// write a table that contradicts them.
const EXPECT_SYMBOL = {
  USD: '$', CAD: '$', AUD: '$', MXN: '$', EUR: '€', GBP: '£', JPY: '¥', INR: '₹', KRW: '₩',
  PLN: 'zł', SEK: 'kr', CZK: 'Kč', HUF: 'Ft', RON: 'lei', IDR: 'Rp', BRL: 'R$', TRY: '₺',
  AED: 'AED', CHF: 'CHF', SAR: 'SAR', KWD: 'KWD',
};
const EXPECT_POSITION = {
  PLN: 'right', SEK: 'right', NOK: 'right', DKK: 'right', CZK: 'right', HUF: 'right',
  RON: 'right', RUB: 'right', UAH: 'right', VND: 'right',
  EUR: 'left', USD: 'left', BRL: 'left', JPY: 'left', CHF: 'left', AED: 'left', KWD: 'left',
  IDR: 'left',
};
const EXPECT_COUNTRY = { DE: 'EUR', XK: 'EUR', 'CU-P': 'CUP', US: 'USD' };

// ---------------------------------------------------------------------------------
// 3. Derivations
// ---------------------------------------------------------------------------------

const byteCmp = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const currencySet = [...new Set([...SEED_CURRENCIES, ...ADDED_CURRENCIES])].sort(byteCmp);
if (SEED_CURRENCIES.length !== 157 || new Set(SEED_CURRENCIES).size !== 157) {
  fail(`the seed currency list must hold 157 distinct codes, has ${SEED_CURRENCIES.length}`);
}
if (currencySet.length !== 163) fail(`expected 157 + 6 currencies, got ${currencySet.length}`);
const inSet = new Set(currencySet);

// CLDR territory data: for each currency, where it is current tender and where it was.
// "Current tender" = an entry without `_to` and without `_tender: "false"` (D-12).
function currentTenders(region) {
  return (cldrCurrencyData.region[region] ?? [])
    .map((entry) => Object.entries(entry)[0])
    .filter(([, v]) => v._to === undefined && v._tender !== 'false')
    .map(([code]) => code);
}
const currentIn = new Map();
const formerlyIn = new Map();
for (const [region, entries] of Object.entries(cldrCurrencyData.region)) {
  if (!/^[A-Z]{2}$/.test(region)) continue; // skip macro-regions such as EU, 419
  const current = new Set(currentTenders(region));
  for (const entry of entries) {
    const [code] = Object.keys(entry);
    const map = current.has(code) ? currentIn : formerlyIn;
    if (!map.has(code)) map.set(code, new Set());
    map.get(code).add(region);
  }
}

// D-8: ISO 4217 exponent.
const isoByCode = new Map(isoList.map((c) => [c.code, c]));
function decimalsOf(code) {
  const iso = isoByCode.get(code);
  const override = OVERRIDE_DECIMALS[code];
  if (iso && override !== undefined && iso.digits !== override) {
    fail(`${code}: currency-codes says ${iso.digits} decimals, OVERRIDE_DECIMALS says ${override}`);
  }
  const d = iso ? iso.digits : override;
  if (!Number.isInteger(d) || d < 0 || d > 4) {
    fail(`${code}: no ISO 4217 minor-unit exponent (add it to OVERRIDE_DECIMALS, documented)`);
    return 0;
  }
  return d;
}

// D-9: CLDR English narrow symbol, exactly as Intl shows it; the code where CLDR has none.
function symbolOf(code) {
  const parts = new Intl.NumberFormat('en', {
    style: 'currency', currency: code, currencyDisplay: 'narrowSymbol',
  }).formatToParts(1);
  const sym = parts.filter((p) => p.type === 'currency').map((p) => p.value).join('');
  if (!sym || sym !== sym.trim()) fail(`${code}: unusable narrow symbol ${JSON.stringify(sym)}`);
  return sym;
}

// D-10: the principal locale. Territory = the only one where CLDR has the currency as
// current tender, else the only one where it ever was, else PRINCIPAL_REGION (which
// wins in every case). Locale = likely subtags of `und-<territory>` (CLDR), with the
// script dropped when it is the language's default (`es-Latn-AR` → `es-AR`: ICU
// resolves the script-qualified tag to the bare language and loses the regional
// pattern). When ICU has no data for that language (`ht`, `dv`, `tpi`, `gn`, `bi`, `sm`,
// `pap`), the next language of the territory (CLDR territoryInfo: official languages
// first, then by population share) that ICU does have.
function principalRegion(code) {
  if (PRINCIPAL_REGION[code]) return PRINCIPAL_REGION[code];
  const current = [...(currentIn.get(code) ?? [])];
  if (current.length === 1) return current[0];
  const former = [...(formerlyIn.get(code) ?? [])];
  if (current.length === 0 && former.length === 1) return former[0];
  fail(`${code}: no unique principal territory (current: ${current.join(',') || '-'}; ` +
    `former: ${former.join(',') || '-'}); add it to PRINCIPAL_REGION`);
  return 'US';
}
const hasData = (tag) => Intl.NumberFormat.supportedLocalesOf([tag]).length > 0;
function principalLocale(region) {
  const max = new Intl.Locale(`und-${region}`).maximize();
  const min = max.minimize();
  const likely = new Intl.Locale(min.language, { script: min.script, region: max.region });
  if (hasData(likely.toString())) return { locale: likely, note: '' };
  const languages = Object.entries(territoryInfo[region]?.languagePopulation ?? {})
    .map(([lang, info]) => ({
      lang: lang.replace(/_/g, '-'),
      official: /official/.test(info._officialStatus ?? '') ? 1 : 0,
      share: Number(info._populationPercent ?? 0),
    }))
    .sort((a, b) => b.official - a.official || b.share - a.share || byteCmp(a.lang, b.lang));
  for (const { lang } of languages) {
    const tag = new Intl.Locale(lang, { region });
    if (hasData(tag.toString())) return { locale: tag, note: `no ICU data for ${likely}` };
  }
  fail(`${region}: no territory language with ICU data`);
  return { locale: likely, note: '' };
}
function positionOf(code) {
  const region = principalRegion(code);
  const { locale, note } = principalLocale(region);
  const resolved = new Intl.NumberFormat(locale.toString(), { style: 'currency', currency: code })
    .resolvedOptions().locale;
  let position;
  let how;
  if (OVERRIDE_POSITION[code]) {
    position = OVERRIDE_POSITION[code];
    how = 'override';
  } else if ((locale.textInfo ?? locale.getTextInfo?.())?.direction === 'rtl') {
    // Right-to-left locales: the symbol is visually on the left of the number in all
    // CLDR patterns (after the number inside a right-to-left run for Arabic and Hebrew,
    // before it inside a left-to-right run for Persian, Urdu and Dhivehi); our strings
    // are laid out left to right with Latin digits, so `left`.
    position = 'left';
    how = 'rtl';
  } else {
    const parts = new Intl.NumberFormat(locale.toString(), { style: 'currency', currency: code })
      .formatToParts(1234.5);
    const c = parts.findIndex((p) => p.type === 'currency');
    const n = parts.findIndex((p) => p.type === 'integer');
    if (c < 0 || n < 0) fail(`${code}: ${locale} pattern has no currency or no number`);
    position = c < n ? 'left' : 'right';
    how = 'pattern';
  }
  if (!resolved.startsWith(locale.language)) {
    fail(`${code}: principal locale ${locale} resolved to ${resolved}; pick another territory`);
  }
  return { position, region, locale: locale.toString(), how: note ? `${how}; ${note}` : how };
}

// D-12: a country's local currency: the first current tender (CLDR order; ICU takes the
// first as the territory's default currency) that is in our set. A current tender outside
// the set is skipped and reported; no in-set tender at all is an error.
function countryCurrency(country) {
  if (OVERRIDE_COUNTRY[country]) return { currency: OVERRIDE_COUNTRY[country], how: 'override' };
  const tenders = currentTenders(country);
  if (tenders.length === 0) {
    fail(`${country}: CLDR has no current tender; add it to OVERRIDE_COUNTRY`);
    return { currency: 'USD', how: 'error' };
  }
  const pick = tenders.find((c) => inSet.has(c));
  if (!pick) {
    fail(`${country}: none of its current tenders (${tenders.join(', ')}) is in the currency set`);
    return { currency: 'USD', how: 'error' };
  }
  const skipped = tenders.slice(0, tenders.indexOf(pick));
  const others = tenders.filter((c) => c !== pick);
  let how = 'cldr';
  if (skipped.length) how = `cldr, skipped out-of-set ${skipped.join(', ')}`;
  else if (others.length) how = `cldr first of ${tenders.join(', ')}`;
  return { currency: pick, how };
}

// D-11 cross-check: our spacing rule (one space unless the symbol's character next to the
// number is Unicode category S) must be what Intl('en') does for a left-hand symbol.
function checkSpacing(code, symbol) {
  const formatted = new Intl.NumberFormat('en', {
    style: 'currency', currency: code, currencyDisplay: 'narrowSymbol',
  }).format(1);
  const last = [...symbol].at(-1);
  const expectSpace = !/\p{S}/u.test(last);
  const rest = formatted.slice(formatted.indexOf(symbol) + symbol.length);
  const hasSpace = /^\p{Zs}/u.test(rest);
  if (expectSpace !== hasSpace) {
    fail(`${code}: Intl('en') gives ${JSON.stringify(formatted)}; spacing rule disagrees`);
  }
}

// ---------------------------------------------------------------------------------
// 4. Build and check
// ---------------------------------------------------------------------------------

const seedArg = process.argv.indexOf('--seed');
if (seedArg > 0) checkSeed(process.argv[seedArg + 1]);

const cldrMajor = (v) => String(v).split('.')[0];
if (cldrMajor(process.versions.cldr) !== cldrMajor(cldrCoreVersion)) {
  fail(`node's ICU carries CLDR ${process.versions.cldr} but cldr-core is ${cldrCoreVersion}; ` +
    'use a node whose CLDR major matches (symbols and territories must be one CLDR release)');
}

const currencies = currencySet.map((code) => {
  const symbol = symbolOf(code);
  checkSpacing(code, symbol);
  return { code, decimals: decimalsOf(code), symbol, ...positionOf(code) };
});
const countries = [...new Set(SEED_COUNTRIES)].sort(byteCmp).map((code) => ({
  code,
  ...countryCurrency(code),
}));
if (countries.length !== SEED_COUNTRIES.length) fail('duplicate country in the seed list');

const curByCode = new Map(currencies.map((c) => [c.code, c]));
for (const c of countries) {
  if (!curByCode.has(c.currency)) fail(`${c.code} → ${c.currency}, which is not in the currency set`);
}
for (const [code, d] of Object.entries(REQUIRED_DECIMALS)) {
  if (curByCode.get(code)?.decimals !== d) fail(`${code}: decimals must be ${d} (D-8)`);
}
for (const [code, s] of Object.entries(EXPECT_SYMBOL)) {
  if (curByCode.get(code)?.symbol !== s) {
    fail(`${code}: symbol must be ${s}, CLDR gives ${curByCode.get(code)?.symbol} (D-9)`);
  }
}
for (const [code, p] of Object.entries(EXPECT_POSITION)) {
  if (curByCode.get(code)?.position !== p) fail(`${code}: position must be ${p} (D-10)`);
}
for (const [code, cur] of Object.entries(EXPECT_COUNTRY)) {
  if (countries.find((c) => c.code === code)?.currency !== cur) fail(`${code} must map to ${cur}`);
}

if (errors.length) {
  for (const e of errors) console.error(`gen-tables: ${e}`);
  console.error(`gen-tables: ${errors.length} error(s); ${OUT} NOT written`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------
// 5. Output
// ---------------------------------------------------------------------------------

function rustStr(s) {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    // Spaces other than U+0020, controls and format characters are escaped so that the
    // source shows them (e.g. the U+202F inside `F CFA`).
    else if (/[\p{Z}\p{C}]/u.test(ch)) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

const pos = (p) => (p === 'left' ? 'SymbolPosition::Left' : 'SymbolPosition::Right');
const lines = [];
lines.push('//! GENERATED by `tools/gen-tables` — do not edit by hand.');
lines.push('//! Regenerate: `cd tools/gen-tables && npm ci && node generate.mjs`');
lines.push('//! (`node generate.mjs --check` fails when this file is stale).');
lines.push('//!');
lines.push(`//! Sources: ISO 4217 exponents from currency-codes ${currencyCodesVersion} (ISO list of ` +
  `${isoPublished}) plus documented overrides;`);
lines.push(`//! narrow symbols and patterns from node's Intl (CLDR ${process.versions.cldr}); ` +
  `territory currencies from cldr-core ${cldrCoreVersion}.`);
lines.push('//! Rules and overrides: tools/gen-tables/README.md.');
lines.push('//! Both tables are sorted by `code` in byte order (lookups binary-search them).');
lines.push('');
lines.push('use crate::currency::SymbolPosition;');
lines.push('');
lines.push('pub struct CurrencyRow {');
lines.push('    pub code: &\'static str,');
lines.push('    pub decimals: u8,');
lines.push('    pub symbol: &\'static str,');
lines.push('    pub position: SymbolPosition,');
lines.push('}');
lines.push('');
lines.push('pub struct CountryRow {');
lines.push('    pub code: &\'static str,');
lines.push('    pub currency: &\'static str,');
lines.push('}');
lines.push('');
lines.push(`/// ${currencies.length} currencies: the 157 of the seed enum plus ${ADDED_CURRENCIES.join(', ')} (D-0).`);
lines.push('/// Trailing comments: principal locale and how the position was decided.');
lines.push('#[rustfmt::skip]');
lines.push('pub static CURRENCIES: &[CurrencyRow] = &[');
for (const c of currencies) {
  const how = c.how === 'pattern' ? c.locale : `${c.locale}, ${c.how.replace(/^pattern; /, '')}`;
  lines.push(`    CurrencyRow { code: ${rustStr(c.code)}, decimals: ${c.decimals}, ` +
    `symbol: ${rustStr(c.symbol)}, position: ${pos(c.position)} }, // ${how}`);
}
lines.push('];');
lines.push('');
lines.push(`/// ${countries.length} countries of the seed enum and their local currency (D-12).`);
lines.push('#[rustfmt::skip]');
lines.push('pub static COUNTRIES: &[CountryRow] = &[');
for (const c of countries) {
  const note = c.how === 'cldr' ? '' : ` // ${c.how}`;
  lines.push(`    CountryRow { code: ${rustStr(c.code)}, currency: ${rustStr(c.currency)} },${note}`);
}
lines.push('];');
const text = `${lines.join('\n')}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(OUT, 'utf8'); } catch { /* missing → stale */ }
  if (current !== text) {
    console.error(`gen-tables: ${OUT} is stale; run \`node generate.mjs\``);
    process.exit(1);
  }
  console.log(`gen-tables: ${OUT} is up to date`);
} else {
  writeFileSync(OUT, text);
  console.log(`gen-tables: wrote ${currencies.length} currencies and ${countries.length} countries to ${OUT}`);
}

// ---------------------------------------------------------------------------------

function checkSeed(file) {
  if (!file) { fail('--seed needs a file'); return; }
  const lines = readFileSync(file, 'utf8').split('\n');
  // The enum list under each `<key>:` line from line `from` on (YAML, by indentation).
  const enumsAfter = (keyRe, from = 0) => {
    const lists = [];
    for (let i = from; i < lines.length; i++) {
      if (!keyRe.test(lines[i])) continue;
      const indent = lines[i].search(/\S/);
      const list = [];
      let inEnum = false;
      for (let j = i + 1; j < lines.length; j++) {
        const l = lines[j];
        const ind = l.search(/\S/);
        if (ind >= 0 && ind <= indent) break;
        if (/^\s*enum:\s*$/.test(l)) { inEnum = true; continue; }
        const m = l.match(/^\s*-\s*'?([A-Za-z-]+)'?\s*$/);
        if (inEnum && m) list.push(m[1]);
        else if (inEnum && list.length) inEnum = false;
      }
      if (list.length) lists.push(list);
    }
    return lists;
  };
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const curLists = enumsAfter(/^\s*currency:\s*$/);
  if (curLists.length === 0) fail(`${file}: no currency enum found`);
  for (const l of curLists) {
    if (!same(l, SEED_CURRENCIES)) fail(`${file}: a currency enum differs from SEED_CURRENCIES`);
  }
  const addr = lines.findIndex((l) => /clientSessionCustomerAddress:\s*$/.test(l));
  const country = addr < 0 ? undefined : enumsAfter(/^\s*country:\s*$/, addr)[0];
  if (!country) fail(`${file}: no clientSessionCustomerAddress.country enum found`);
  else if (!same(country, SEED_COUNTRIES)) fail(`${file}: the country enum differs from SEED_COUNTRIES`);
  console.log(`gen-tables: ${file}: ${curLists.length} currency enum(s) and the country enum checked`);
}
