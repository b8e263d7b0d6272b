// An in-memory stand-in for the Tally server, implementing only what the browser
// side of checkout needs (API.md §6, §7, §8.4 and the checkout contract), so the
// browser tests can run before — and independently of — the Rust server.
// It is a development aid: the real runs target the Rust binary via TALLY_URL.
//
//   node web/checkout/tests/mock-server.mjs [--port 8787]
//     → prints TALLY_URL=... and TALLY_API_KEY=...
//
// Environment: MOCK_LATENCY_MS (delay of /complete and /three-d-secure, default 200),
// MOCK_SESSION_TTL_MS (default 24 h), TALLY_API_KEY (the bootstrap key to accept).

import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHECKOUT_JS = path.join(HERE, '..', 'checkout.js');
const PAGE_HTML = path.join(HERE, '..', 'page.html');
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ------------------------------------------------------------ currencies (subset of §4)

const CURRENCIES = {
  USD: { decimals: 2, symbol: '$', position: 'left', perUsd: 1 },
  EUR: { decimals: 2, symbol: '€', position: 'left', perUsd: 0.9 },
  GBP: { decimals: 2, symbol: '£', position: 'left', perUsd: 0.78 },
  JPY: { decimals: 0, symbol: '¥', position: 'left', perUsd: 150 },
  PLN: { decimals: 2, symbol: 'zł', position: 'right', perUsd: 4 },
  CHF: { decimals: 2, symbol: 'CHF', position: 'left', perUsd: 0.88 },
  SEK: { decimals: 2, symbol: 'kr', position: 'right', perUsd: 10.5 },
  BRL: { decimals: 2, symbol: 'R$', position: 'left', perUsd: 5 },
  KWD: { decimals: 3, symbol: 'KWD', position: 'left', perUsd: 0.307 },
};
const COUNTRY_CURRENCY = {
  US: 'USD', DE: 'EUR', FR: 'EUR', ES: 'EUR', IT: 'EUR', NL: 'EUR', AT: 'EUR', IE: 'EUR', XK: 'EUR',
  GB: 'GBP', JP: 'JPY', PL: 'PLN', CH: 'CHF', SE: 'SEK', BR: 'BRL', KW: 'KWD',
};

function currency(code) {
  const c = CURRENCIES[code];
  if (!c) throw new HttpError(400, 'invalid_request', `currency ${code} is not supported by the mock`);
  return c;
}

function formatAmount(amount, code) {
  const c = currency(code);
  const unit = 10 ** c.decimals;
  const abs = Math.abs(amount);
  const int = Math.floor(abs / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = c.decimals ? '.' + String(abs % unit).padStart(c.decimals, '0') : '';
  const num = int + frac;
  const isSym = (ch) => /\p{S}/u.test(ch);
  const s = c.position === 'left'
    ? c.symbol + (isSym(c.symbol.slice(-1)) ? '' : ' ') + num
    : num + (isSym(c.symbol[0]) ? '' : ' ') + c.symbol;
  return (amount < 0 ? '-' : '') + s;
}

function charm(amount, code) {
  const d = currency(code).decimals;
  if (d >= 2) {
    const unit = 10 ** d;
    const tail = 99 * 10 ** (d - 2);
    let v = Math.floor(amount / unit) * unit + tail;
    if (v < amount) v += unit;
    return v;
  }
  const step = amount < 100 ? 10 : 100;
  return Math.ceil((amount + 1) / step) * step - 1;
}

function paymentInfo(money) {
  const c = currency(money.currency);
  return {
    amount: money.amount, currency: money.currency, currency_decimals: c.decimals,
    currency_position: c.position, currency_symbol: c.symbol, formatted_amount: formatAmount(money.amount, money.currency),
  };
}

function localInfo(money, country) {
  const to = COUNTRY_CURRENCY[country];
  if (!to) return undefined;
  const from = currency(money.currency);
  const target = currency(to);
  const rate = target.perUsd / from.perUsd;
  const amount = Math.round(money.amount * rate * 10 ** (target.decimals - from.decimals));
  return {
    ...paymentInfo({ amount, currency: to }),
    currency_exchange_rate: Number(rate.toPrecision(6)),
    formatted_amount_rounded: formatAmount(charm(amount, to), to),
  };
}

function display(money, country) {
  if (!money) return undefined;
  const out = { payment: paymentInfo(money) };
  const local = localInfo(money, country);
  if (local) out.local = local;
  return out;
}

// ------------------------------------------------------------ sandbox processor (§8.4)

const DECLINES = {
  '4000000000009995': ['DECLINED', 'insufficient_funds', 'try_again_later', 'Your card has insufficient funds.'],
  '4000000000000002': ['DECLINED', 'card_declined', 'try_again_later', 'Your card was declined.'],
  '4000000000000069': ['DECLINED', 'expired_card', 'do_not_try_again', 'Your card has expired.'],
  '4000000000009979': ['DECLINED', 'card_lost_or_stolen', 'do_not_try_again', 'Your card was declined.'],
  '4000000000000119': ['FAILED', 'processor_error', 'try_again_later', 'The payment processor had an error. Please try again.'],
};
const THREE_DS_CARD = '4000000000003220';

function luhn(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}

function brandOf(number) {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  return 'unknown';
}

class HttpError extends Error {
  constructor(status, code, message, param) {
    super(message);
    this.status = status;
    this.code = code;
    this.param = param;
  }
}

// ------------------------------------------------------------ the server

export async function startMockServer(options = {}) {
  const apiKey = options.apiKey || process.env.TALLY_API_KEY || 'sk_test_mock_bootstrap';
  const latencyMs = options.latencyMs ?? Number(process.env.MOCK_LATENCY_MS ?? 200);
  const sessionTtlMs = options.sessionTtlMs ?? Number(process.env.MOCK_SESSION_TTL_MS ?? 24 * 3600 * 1000);

  const orgs = new Map(); // id → {id, name, mode, clockOffsetMs, root}
  const keys = new Map(); // secret → orgId
  const plans = new Map(); // `${org}/${id}` → plan
  const customers = new Map(); // id → customer (with org)
  const sessions = new Map(); // id → session
  const payments = new Map(); // id → payment
  const subscriptions = new Map();
  const challenges = new Map();
  const stats = { completeRequests: 0 };

  const rootOrg = { id: 'org_' + randomUUID(), name: 'Default', mode: 'sandbox', clockOffsetMs: 0, root: true };
  orgs.set(rootOrg.id, rootOrg);
  keys.set(apiKey, rootOrg.id);

  const now = (org) => new Date(Date.now() + org.clockOffsetMs);
  const iso = (d) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  function resolvePrice(price, country) {
    if (!price) return undefined;
    const group = (price.countries || []).find((g) => g.countries.includes(country));
    return { ...(group ? group.price : price.default) };
  }

  function sessionView(s) {
    const org = orgs.get(s.org);
    const plan = s.plan;
    const country = s.country;
    const price = resolvePrice(plan.price, country);
    const trial = plan.trial_interval ? resolvePrice(plan.trial_price, country) : undefined;
    return { plan, country, price, trial, due: trial || price, org };
  }

  function sessionStatus(s) {
    if (s.paymentId) return 'completed';
    return now(orgs.get(s.org)) >= s.expiresAt ? 'expired' : 'open';
  }

  function flattenedPlan(v) {
    const p = v.plan;
    return {
      id: p.id, name: p.name, type: p.type,
      ...(p.type === 'recurring' ? { interval: p.interval, interval_count: p.interval_count } : {}),
      amount: v.price.amount, currency: v.price.currency,
      ...(v.trial ? { trial: { amount: v.trial.amount, currency: v.trial.currency, interval: p.trial_interval, interval_count: p.trial_interval_count } } : {}),
      created_at: p.created_at, updated_at: p.updated_at,
    };
  }

  function sessionResponse(s) {
    const v = sessionView(s);
    const out = {
      id: s.id, expiry_date: iso(s.expiresAt),
      customer: s.customerId ? customerRef(customers.get(s.customerId)) : { email: s.email, address: { country: s.country } },
      subscription: null, payment: { metadata: {} }, plan: flattenedPlan(v),
    };
    if (s.currencyDetails) {
      out.currency_details = { plan: { ...display(v.price, v.country), due_now: display(v.due, v.country) } };
      if (v.trial) out.currency_details.plan.trial = display(v.trial, v.country);
    }
    return out;
  }

  function checkoutResponse(s) {
    const v = sessionView(s);
    const customer = s.customerId && customers.get(s.customerId);
    const out = {
      id: s.id, expiry_date: iso(s.expiresAt), status: sessionStatus(s),
      payment_methods_mode: s.mode,
      plan: {
        id: v.plan.id, name: v.plan.name, type: v.plan.type,
        ...(v.plan.type === 'recurring' ? { interval: v.plan.interval, interval_count: v.plan.interval_count } : {}),
        ...(v.trial ? { trial: { amount: v.trial.amount, currency: v.trial.currency, interval: v.plan.trial_interval, interval_count: v.plan.trial_interval_count } } : {}),
      },
      price: display(v.price, v.country),
      due_now: display(v.due, v.country),
      saved_payment_methods: s.mode === 'saved_or_new' && customer
        ? customer.payment_methods.map((pm) => ({ id: pm.id, brand: pm.details.bin_data.brand, last4: pm.details.last4, exp_month: pm.details.exp_month, exp_year: pm.details.exp_year }))
        : [],
    };
    if (v.trial) out.trial = display(v.trial, v.country);
    if (s.paymentId) out.payment_id = s.paymentId;
    return out;
  }

  function customerRef(c) {
    return { id: c.id, email: c.email, external_id: null, full_name: null, phone: null, address: { country: c.country }, metadata: {}, created_at: c.created_at, updated_at: c.created_at };
  }

  function customerFull(c) {
    return {
      ...customerRef(c),
      payment_methods: c.payment_methods.map((pm) => ({ id: pm.id, type: pm.type, details: pm.details, billing_address: pm.billing_address })),
      subscriptions: c.subscriptionIds.map((id) => { const { customer, ...rest } = subscriptionView(subscriptions.get(id)); return rest; }),
    };
  }

  function subscriptionView(sub) {
    return { ...sub, customer: customerRef(customers.get(sub.customerId)), customerId: undefined };
  }

  function paymentView(p) {
    return {
      id: p.id, amount: p.amount, amount_usd: Math.round(p.amount / currency(p.currency).perUsd * 10 ** (2 - currency(p.currency).decimals)),
      currency_code: p.currency, payment_status: p.status, payment_type: 'CIT',
      customer: customerRef(customers.get(p.customerId)),
      payment_method: p.pm ? { id: p.pm.id, type: 'CARD', details: p.pm.details } : null,
      subscription: p.subscriptionId ? { id: p.subscriptionId, status: subscriptions.get(p.subscriptionId).status } : null,
      status_reason: p.reason,
      payment_details: { processor: 'sandbox', processor_transaction_id: p.status === 'SETTLED' ? 'sbx_' + p.id.slice(4, 12) : null, auth_code: p.status === 'SETTLED' ? '123456' : null },
      refunded_amount: 0, metadata: {}, created_at: p.created_at, updated_at: p.updated_at,
    };
  }

  function findOrCreateCustomer(s) {
    if (s.customerId) return customers.get(s.customerId);
    for (const c of customers.values()) {
      if (c.org === s.org && c.email === s.email) { s.customerId = c.id; return c; }
    }
    const c = { id: 'cus_' + randomUUID(), org: s.org, email: s.email, country: s.country, payment_methods: [], subscriptionIds: [], created_at: iso(now(orgs.get(s.org))) };
    customers.set(c.id, c);
    s.customerId = c.id;
    return c;
  }

  function outcome(behaviour) {
    const d = DECLINES[behaviour];
    if (!d) return { status: 'SETTLED', reason: null };
    return { status: d[0], reason: { advice_code: d[2], decline_code: d[1], message: d[3] } };
  }

  function complete(s, body) {
    const status = sessionStatus(s);
    if (status === 'expired') throw new HttpError(400, 'session_expired', 'This client session has expired; create a new one.');
    if (status === 'completed') throw new HttpError(400, 'session_completed', 'This client session has already completed a checkout.');
    const v = sessionView(s);
    let pm;
    if (body.payment_method_id !== undefined) {
      if (s.mode !== 'saved_or_new') throw new HttpError(400, 'invalid_request', 'payment_method_id is not allowed: the session accepts new cards only', 'payment_method_id');
      const c = s.customerId && customers.get(s.customerId);
      pm = c && c.payment_methods.find((m) => m.id === body.payment_method_id);
      if (!pm) throw new HttpError(400, 'invalid_payment_method', 'payment_method_id does not name a saved card of this customer', 'payment_method_id');
    } else if (body.card && typeof body.card === 'object') {
      const card = body.card;
      const number = String(card.number ?? '').replace(/[\s-]/g, '');
      if (!/^\d{12,19}$/.test(number) || !luhn(number)) throw new HttpError(400, 'invalid_card_number', 'card.number is not a valid card number', 'card.number');
      if (!Number.isInteger(card.exp_month) || card.exp_month < 1 || card.exp_month > 12) throw new HttpError(400, 'invalid_expiry_month', 'card.exp_month must be an integer from 1 to 12', 'card.exp_month');
      if (!Number.isInteger(card.exp_year)) throw new HttpError(400, 'invalid_expiry_year', 'card.exp_year must be a four-digit year', 'card.exp_year');
      const t = now(v.org);
      if (card.exp_year < t.getUTCFullYear() || (card.exp_year === t.getUTCFullYear() && card.exp_month < t.getUTCMonth() + 1)) {
        throw new HttpError(400, 'expired_card', 'the card expired; card.exp_month/card.exp_year must not be in the past', 'card.exp_year');
      }
      if (!/^\d{3,4}$/.test(String(card.cvc ?? ''))) throw new HttpError(400, 'invalid_cvc', 'card.cvc must be 3 or 4 digits', 'card.cvc');
      pm = {
        id: 'pm_' + randomUUID(), type: 'CARD', behaviour: number,
        details: { bin: number.slice(0, 6), last4: number.slice(-4), exp_month: card.exp_month, exp_year: card.exp_year, bin_data: { brand: brandOf(number), country: 'US', funding: 'credit' } },
        billing_address: card.postal_code ? { postal_code: String(card.postal_code) } : null,
      };
    } else {
      throw new HttpError(400, 'invalid_request', 'send either card or payment_method_id', 'card');
    }

    const customer = findOrCreateCustomer(s);
    const t = iso(now(v.org));
    const payment = { id: 'pay_' + randomUUID(), org: s.org, session: s.id, customerId: customer.id, amount: v.due.amount, currency: v.due.currency, pm, subscriptionId: null, status: 'PENDING', reason: null, created_at: t, updated_at: t, seq: payments.size };
    payments.set(payment.id, payment);

    if (pm.behaviour === THREE_DS_CARD && body.card) {
      const challengeId = 'tds_' + randomUUID();
      challenges.set(challengeId, { session: s.id, paymentId: payment.id });
      return { payment_id: payment.id, status: 'PENDING', status_reason: null, next_action: { type: 'three_d_secure', challenge_id: challengeId } };
    }
    return settle(s, payment, outcome(pm.behaviour));
  }

  function settle(s, payment, result) {
    const v = sessionView(s);
    payment.status = result.status;
    payment.reason = result.reason;
    payment.updated_at = iso(now(v.org));
    if (payment.status === 'SETTLED') {
      const customer = customers.get(payment.customerId);
      if (!customer.payment_methods.some((m) => m.id === payment.pm.id)) customer.payment_methods.push(payment.pm);
      if (v.plan.type === 'recurring') {
        const sub = {
          id: 'sub_' + randomUUID(), status: v.trial ? 'trial' : 'active', customerId: customer.id,
          plan: { id: v.plan.id, name: v.plan.name, type: v.plan.type, interval: v.plan.interval, interval_count: v.plan.interval_count, price: v.price },
          metadata: {}, created_at: payment.updated_at, updated_at: payment.updated_at,
        };
        subscriptions.set(sub.id, sub);
        customer.subscriptionIds.push(sub.id);
        payment.subscriptionId = sub.id;
      }
      s.paymentId = payment.id;
    }
    return { payment_id: payment.id, status: payment.status, status_reason: payment.reason, next_action: null };
  }

  function auth(req) {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization || '');
    const orgId = m && keys.get(m[1]);
    if (!orgId) throw new HttpError(401, 'authentication_failed', 'missing or unknown API key');
    return orgs.get(orgId);
  }

  function sessionFor(id) {
    const s = sessions.get(id);
    if (!s) throw new HttpError(404, 'resource_missing', `client session ${id} does not exist`);
    return s;
  }

  async function route(req, url, body) {
    const p = url.pathname;
    let m;
    // ---- public
    if (req.method === 'GET' && p === '/checkout.js') {
      return { raw: readFileSync(CHECKOUT_JS), type: 'application/javascript; charset=utf-8' };
    }
    if (req.method === 'GET' && (m = /^\/checkout\/([^/]+)$/.exec(p))) {
      const id = decodeURIComponent(m[1]);
      if (!UUID_RE.test(id)) throw new HttpError(404, 'resource_missing', 'no such checkout page');
      const literal = JSON.stringify(id).replace(/</g, '\\u003c');
      return { raw: readFileSync(PAGE_HTML, 'utf8').replace('{{CLIENT_SESSION_ID}}', literal), type: 'text/html; charset=utf-8' };
    }
    if ((m = /^\/client-session\/([^/]+)\/(checkout|complete|three-d-secure)$/.exec(p))) {
      const s = sessionFor(decodeURIComponent(m[1]));
      if (m[2] === 'checkout' && req.method === 'GET') return { json: checkoutResponse(s) };
      if (m[2] === 'complete' && req.method === 'POST') {
        stats.completeRequests++;
        if (s.busy) throw new HttpError(409, 'checkout_in_progress', 'another completion of this session is running');
        s.attempts = (s.attempts || []).filter((at) => Date.now() - at < 60000);
        if (s.attempts.length >= 20) throw new HttpError(429, 'rate_limited', 'too many checkout attempts; wait a minute');
        s.attempts.push(Date.now());
        s.busy = true;
        try {
          await sleep(latencyMs);
          return { json: complete(s, body || {}) };
        } finally { s.busy = false; }
      }
      if (m[2] === 'three-d-secure' && req.method === 'POST') {
        const c = body && challenges.get(body.challenge_id);
        if (!c || c.session !== s.id) throw new HttpError(400, 'invalid_request', 'challenge_id does not name an open challenge of this session', 'challenge_id');
        if (!['pass', 'abandon'].includes(body.result)) throw new HttpError(400, 'invalid_request', 'result must be "pass" or "abandon"', 'result');
        challenges.delete(body.challenge_id);
        await sleep(latencyMs);
        const payment = payments.get(c.paymentId);
        return {
          json: settle(s, payment, body.result === 'pass' ? { status: 'SETTLED', reason: null }
            : { status: 'INCOMPLETE', reason: { advice_code: 'try_again_later', decline_code: 'authentication_failed', message: 'The card holder did not complete authentication.' } }),
        };
      }
      throw new HttpError(405, 'method_not_allowed', 'method not allowed');
    }
    if (p === '/healthz') return { json: { status: 'ok' } };

    // ---- authenticated
    const org = auth(req);
    if (req.method === 'POST' && p === '/plans') {
      const id = body.id || 'plan_' + randomUUID();
      const t = iso(now(org));
      const type = body.type === 'one_off' ? 'one-off' : body.type;
      if (!['recurring', 'one-off'].includes(type)) throw new HttpError(400, 'invalid_request', 'type must be recurring or one-off', 'type');
      if (!body.name) throw new HttpError(400, 'invalid_request', 'name is required', 'name');
      if (!body.price || !body.price.default) throw new HttpError(400, 'invalid_request', 'price.default is required', 'price.default');
      const plan = { id, name: body.name, type, price: body.price, created_at: t, updated_at: t };
      if (type === 'recurring') Object.assign(plan, { interval: body.interval, interval_count: body.interval_count || 1 });
      if (body.trial_interval) Object.assign(plan, { trial_interval: body.trial_interval, trial_interval_count: body.trial_interval_count || 1, trial_price: body.trial_price });
      plans.set(`${org.id}/${id}`, plan);
      return { status: 201, json: plan };
    }
    if (req.method === 'POST' && p === '/client-session') {
      const plan = body.plan && plans.get(`${org.id}/${body.plan.id}`);
      if (!plan) throw new HttpError(400, 'invalid_request', 'plan.id does not name a plan', 'plan.id');
      const cust = body.customer || {};
      const s = { id: randomUUID(), org: org.id, plan, expiresAt: new Date(now(org).getTime() + sessionTtlMs) };
      if (cust.id) {
        const c = customers.get(cust.id);
        if (!c || c.org !== org.id) throw new HttpError(400, 'invalid_request', 'customer.id does not name a customer', 'customer.id');
        Object.assign(s, { customerId: c.id, email: c.email, country: c.country });
      } else {
        if (!cust.email) throw new HttpError(400, 'invalid_request', 'customer.email or customer.id is required', 'customer');
        Object.assign(s, { email: cust.email, country: (cust.address && cust.address.country) || cust.country || null });
      }
      const opts = body.options || {};
      s.mode = opts.payment_methods_mode || 'saved_or_new';
      s.currencyDetails = !!opts.currency_details;
      sessions.set(s.id, s);
      return { json: sessionResponse(s) };
    }
    if (req.method === 'GET' && (m = /^\/client-session\/([^/]+)$/.exec(p))) {
      const s = sessionFor(m[1]);
      if (s.org !== org.id) throw new HttpError(404, 'resource_missing', 'no such session');
      return { json: sessionResponse(s) };
    }
    if (req.method === 'GET' && (m = /^\/payments\/([^/]+)$/.exec(p))) {
      const pay = payments.get(m[1]);
      if (!pay || pay.org !== org.id) throw new HttpError(404, 'resource_missing', `payment ${m[1]} does not exist`);
      return { json: paymentView(pay) };
    }
    if (req.method === 'GET' && p === '/payments') {
      const limit = Math.min(Number(url.searchParams.get('limit') || 100), 1000);
      const all = [...payments.values()].filter((x) => x.org === org.id).sort((a, b) => b.seq - a.seq);
      return { json: { data: all.slice(0, limit).map(paymentView), meta: { limit, page: 1, pages: Math.max(1, Math.ceil(all.length / limit)), total: all.length } } };
    }
    if (req.method === 'GET' && (m = /^\/customers\/([^/]+)$/.exec(p))) {
      const c = customers.get(m[1]);
      if (!c || c.org !== org.id) throw new HttpError(404, 'resource_missing', `customer ${m[1]} does not exist`);
      return { json: customerFull(c) };
    }
    if (req.method === 'POST' && p === '/admin/organizations') {
      const o = { id: 'org_' + randomUUID(), name: body.name || 'org', mode: body.mode || 'sandbox', clockOffsetMs: 0, root: false };
      orgs.set(o.id, o);
      return { status: 201, json: { id: o.id, name: o.name, mode: o.mode, created_at: iso(new Date()) } };
    }
    if (req.method === 'POST' && p === '/admin/api-keys') {
      const target = body.organization_id ? orgs.get(body.organization_id) : org;
      if (!target) throw new HttpError(400, 'invalid_request', 'organization_id does not exist', 'organization_id');
      if (target.id !== org.id && !org.root) throw new HttpError(403, 'insufficient_scope', 'only the root organization can create keys for others');
      const key = 'sk_test_' + randomUUID().replace(/-/g, '');
      keys.set(key, target.id);
      return { status: 201, json: { id: 'key_' + randomUUID(), key, name: body.name || null, organization_id: target.id, scopes: {}, created_at: iso(new Date()) } };
    }
    if (req.method === 'GET' && p === '/admin/clock') return { json: { now: iso(now(org)) } };
    if (req.method === 'POST' && p === '/admin/clock/advance') {
      const to = new Date(body.to);
      if (Number.isNaN(to.getTime()) || to < now(org)) throw new HttpError(400, 'invalid_request', 'to must be an RFC 3339 time not before the current clock', 'to');
      org.clockOffsetMs = to.getTime() - Date.now();
      return { json: { now: iso(now(org)) } };
    }
    throw new HttpError(404, 'resource_missing', `no route for ${req.method} ${p}`);
  }

  const publicPath = (p) => p === '/checkout.js' || /^\/client-session\/[^/]+\/(checkout|complete|three-d-secure)$/.test(p);

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://mock');
    const headers = {};
    if (publicPath(url.pathname)) {
      headers['Access-Control-Allow-Origin'] = '*';
      headers.Vary = 'Origin';
    }
    if (req.method === 'OPTIONS') {
      if (!publicPath(url.pathname)) { res.writeHead(404); res.end(); return; }
      res.writeHead(204, { ...headers, 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type', 'Access-Control-Max-Age': '600' });
      res.end();
      return;
    }
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    let result;
    try {
      let body = null;
      if (req.method === 'POST') {
        if (!/^application\/json\b/i.test(req.headers['content-type'] || '')) throw new HttpError(415, 'unsupported_media_type', 'send Content-Type: application/json');
        try { body = text ? JSON.parse(text) : {}; } catch { throw new HttpError(400, 'invalid_json', 'the body is not valid JSON'); }
      }
      result = await route(req, url, body);
    } catch (e) {
      if (!(e instanceof HttpError)) console.error(e);
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal_error', 'internal error');
      result = { status: err.status, json: { error: { message: err.message, code: err.code, ...(err.param ? { param: err.param } : {}) } } };
    }
    if (result.raw !== undefined) {
      res.writeHead(result.status || 200, { ...headers, 'Content-Type': result.type, 'Cache-Control': 'no-store' });
      res.end(result.raw);
    } else {
      res.writeHead(result.status || 200, { ...headers, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(result.json));
    }
  });

  await new Promise((resolve) => server.listen(options.port || 0, options.host || '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    stats,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const mock = await startMockServer({ port: i > 0 ? Number(process.argv[i + 1]) : 8787 });
  console.log(`TALLY_URL=${mock.url}`);
  console.log(`TALLY_API_KEY=${mock.apiKey}`);
  // A few sessions to click through by hand.
  const post = (p, body) => fetch(mock.url + p, {
    method: 'POST', headers: { Authorization: `Bearer ${mock.apiKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  }).then((r) => r.json());
  const monthly = await post('/plans', { name: 'Pro monthly', type: 'recurring', interval: 'months', interval_count: 1, price: { default: { amount: 1000, currency: 'USD' } } });
  const trial = await post('/plans', { name: 'Pro with trial', type: 'recurring', interval: 'months', interval_count: 1, price: { default: { amount: 1000, currency: 'USD' } }, trial_interval: 'days', trial_interval_count: 14, trial_price: { default: { amount: 0, currency: 'USD' } } });
  const options = { currency_details: true, payment_methods_mode: 'saved_or_new' };
  for (const [label, plan, country] of [['monthly, German customer', monthly, 'DE'], ['free trial, Polish customer', trial, 'PL']]) {
    const s = await post('/client-session', { customer: { email: `demo-${randomUUID().slice(0, 8)}@example.com`, address: { country } }, plan: { id: plan.id }, options });
    console.log(`${label}: ${mock.url}/checkout/${s.id}`);
  }
  console.log(`fixture page: open web/checkout/fixture.html?server=${encodeURIComponent(mock.url)}&session=<id>`);
}
