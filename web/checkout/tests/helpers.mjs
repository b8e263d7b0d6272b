// Shared plumbing of the browser tests: the server under test (TALLY_URL +
// TALLY_API_KEY, or the in-memory mock when TALLY_URL is unset), API calls with the
// secret key, Debian's chromium through playwright-core, screenshots, and a page
// that records what the hosted checkout page reports.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = path.join(HERE, '..', 'artifacts');
export const DESKTOP = { width: 1280, height: 860 };
export const MOBILE = { width: 360, height: 740 };

/** Starts (or points at) the server under test. */
export async function serverUnderTest() {
  if (process.env.TALLY_URL) {
    if (!process.env.TALLY_API_KEY) throw new Error('TALLY_URL is set but TALLY_API_KEY is not: the tests need a full-scope secret key');
    return { url: process.env.TALLY_URL.replace(/\/+$/, ''), apiKey: process.env.TALLY_API_KEY, mock: null, close: async () => {} };
  }
  const { startMockServer } = await import('./mock-server.mjs');
  const mock = await startMockServer();
  console.log(`# TALLY_URL is not set: running against the in-memory mock at ${mock.url}`);
  return { url: mock.url, apiKey: mock.apiKey, mock, close: mock.close };
}

export function apiClient(baseUrl, apiKey) {
  async function call(method, p, body, { expect = [200, 201], key = apiKey } = {}) {
    const res = await fetch(baseUrl + p, {
      method,
      headers: { Authorization: `Bearer ${key}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* keep text */ }
    if (expect && !expect.includes(res.status)) {
      throw new Error(`${method} ${p} → ${res.status}: ${text.slice(0, 500)}`);
    }
    return { status: res.status, body: json, text };
  }
  return {
    call,
    get: (p, o) => call('GET', p, undefined, o).then((r) => r.body),
    post: (p, b, o) => call('POST', p, b, o).then((r) => r.body),
  };
}

export const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
export const uniqueEmail = (tag) => `${unique(`checkout-${tag}`)}@example.com`;

/** An expiry a few years ahead, as a person types it: "MM/YY". */
export function futureExpiry(years = 4) {
  const d = new Date();
  return `${String(d.getMonth() + 1).padStart(2, '0')}/${String((d.getFullYear() + years) % 100).padStart(2, '0')}`;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * A page with listeners attached: `events` gets what the hosted page dispatches as
 * `paynext:checkout` events (its SDK callbacks) and whatever a custom page pushes
 * through window.__pnRecord; `completeRequests` counts POST .../complete calls;
 * `errors` collects page errors and console errors.
 */
export async function instrumentedPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const events = [];
  const completeRequests = [];
  const errors = [];
  await page.exposeFunction('__pnRecord', (e) => { events.push(e); });
  await page.addInitScript(() => {
    window.addEventListener('paynext:checkout', (e) => window.__pnRecord(e.detail));
  });
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/client-session\/[^/]+\/complete$/.test(new URL(r.url()).pathname)) completeRequests.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Chromium logs every 4xx/5xx fetch as "Failed to load resource" without the URL;
    // the response listener below records those with their URL instead.
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`http ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return { context, page, events, completeRequests, errors };
}

/** Waits until `events` has one matching `pred` and returns it. */
export async function waitForEvent(events, pred, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = events.find(pred);
    if (hit) return hit;
    if (Date.now() > end) throw new Error(`timed out waiting for a checkout event; got ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function openHostedCheckout(h, baseUrl, sessionId) {
  await h.page.goto(`${baseUrl}/checkout/${encodeURIComponent(sessionId)}`);
  await h.page.locator('.pn-checkout:not([data-pn-state="loading"])').waitFor();
}

export async function fillCard(page, number, { expiry = futureExpiry(), cvc = '123', postal = '10115' } = {}) {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel(/Expiry/).fill(expiry);
  await page.getByLabel('CVC').fill(cvc);
  await page.getByLabel('Postal code').fill(postal);
}

/** Serves `html` from 127.0.0.1 on a free port: a different origin than the server. */
export async function serveHtml(html) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Plans and sessions through the API, as a merchant's backend would create them. */
export function fixtures(api) {
  return {
    async recurringPlan(extra = {}) {
      return api.post('/plans', {
        name: 'Pro monthly', type: 'recurring', interval: 'months', interval_count: 1,
        price: { default: { amount: 1000, currency: 'USD' } },
        ...extra,
      });
    },
    async oneOffPlan(extra = {}) {
      return api.post('/plans', {
        name: 'Extra credits pack', type: 'one-off',
        price: { default: { amount: 2500, currency: 'USD' } },
        ...extra,
      });
    },
    async session(planId, customer, options = {}) {
      return api.post('/client-session', {
        customer,
        plan: { id: planId },
        options: { currency_details: true, payment_methods_mode: 'saved_or_new', ...options },
      });
    },
  };
}
