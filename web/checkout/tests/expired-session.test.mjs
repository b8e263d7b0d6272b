// (4) An expired session shows the expired message and no form.
//
// How the test gets an expired session, first that works:
//   1. TALLY_EXPIRED_SESSION_ID — the id of a session that has already expired;
//   2. the test clock (API.md §12): a fresh sandbox organization and key are created
//      (POST /admin/organizations, POST /admin/api-keys) so moving that
//      organization's clock past the session's expiry disturbs nobody else;
//   3. otherwise the test is skipped, saying why.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverUnderTest, apiClient, fixtures, launchBrowser, instrumentedPage, openHostedCheckout,
  waitForEvent, screenshot, uniqueEmail, unique, futureExpiry, MOBILE, DESKTOP,
} from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await serverUnderTest();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Returns {sessionId} or {skip: reason}. */
async function expiredSessionViaTestClock() {
  const root = apiClient(server.url, server.apiKey);
  const org = await root.call('POST', '/admin/organizations', { name: unique('checkout-expiry'), mode: 'sandbox' }, { expect: null });
  if (org.status !== 201 && org.status !== 200) {
    return { skip: `cannot create a separate sandbox organization for the test clock (POST /admin/organizations → ${org.status}); set TALLY_EXPIRED_SESSION_ID to run this test` };
  }
  const key = await root.call('POST', '/admin/api-keys', { name: 'checkout expiry test', organization_id: org.body.id }, { expect: null });
  if ((key.status !== 201 && key.status !== 200) || !key.body || !key.body.key) {
    return { skip: `cannot create a key for the test organization (POST /admin/api-keys → ${key.status}); set TALLY_EXPIRED_SESSION_ID to run this test` };
  }
  const api = apiClient(server.url, key.body.key);
  const fx = fixtures(api);
  const plan = await fx.recurringPlan({ name: 'Expiring offer' });
  const session = await fx.session(plan.id, { email: uniqueEmail('expired'), address: { country: 'DE' } });
  // expiry_date has microseconds; Date keeps milliseconds, so step one second past it.
  const expiry = Date.parse(session.expiry_date.replace(/(\.\d{3})\d*/, '$1'));
  assert.ok(Number.isFinite(expiry), `expiry_date parses: ${session.expiry_date}`);
  const to = new Date(expiry + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const moved = await api.call('POST', '/admin/clock/advance', { to }, { expect: null });
  if (moved.status === 404 || moved.status === 405 || moved.status === 501) {
    return { skip: `the server has no test clock (POST /admin/clock/advance → ${moved.status}); set TALLY_EXPIRED_SESSION_ID to run this test` };
  }
  assert.ok(moved.status === 200 || moved.status === 204, `POST /admin/clock/advance → ${moved.status}: ${moved.text}`);
  return { sessionId: session.id };
}

test('(4) an expired session shows the expired message and no form', async (t) => {
  let sessionId = process.env.TALLY_EXPIRED_SESSION_ID;
  if (!sessionId) {
    const r = await expiredSessionViaTestClock();
    if (r.skip) {
      t.diagnostic(r.skip);
      t.skip(r.skip);
      return;
    }
    sessionId = r.sessionId;
  }

  // The public endpoint says so, and refuses a checkout.
  const state = await fetch(`${server.url}/client-session/${sessionId}/checkout`).then((r) => r.json());
  assert.equal(state.status, 'expired');
  const refused = await fetch(`${server.url}/client-session/${sessionId}/complete`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ card: { number: '4242424242424242', exp_month: Number(futureExpiry().slice(0, 2)), exp_year: 2000 + Number(futureExpiry().slice(3)), cvc: '123', postal_code: '10115' } }),
  });
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).error.code, 'session_expired');

  for (const [viewport, name] of [[MOBILE, 'expired-360'], [DESKTOP, 'expired-desktop']]) {
    const h = await instrumentedPage(browser, viewport);
    try {
      await openHostedCheckout(h, server.url, sessionId);
      await h.page.getByRole('heading', { name: /expired/i }).waitFor();
      assert.equal(await h.page.locator('.pn-checkout input, .pn-checkout button').count(), 0, 'no form for an expired session');
      const ev = await waitForEvent(h.events, (e) => e.type === 'unavailable');
      assert.equal(ev.error.code, 'session_expired');
      await screenshot(h.page, name);
    } finally {
      await h.context.close();
    }
  }
});
