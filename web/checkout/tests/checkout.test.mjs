// Browser tests of checkout.js and the hosted page, driven like a person would,
// against a running server (TALLY_URL + TALLY_API_KEY) or the in-memory mock.
//
//   TALLY_URL=http://127.0.0.1:8080 TALLY_API_KEY=sk_test_... node --test web/checkout/tests/
//
// The tests run in order in one browser; the saved-card test uses the customer the
// first checkout created.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverUnderTest, apiClient, fixtures, launchBrowser, instrumentedPage, openHostedCheckout,
  fillCard, waitForEvent, screenshot, serveHtml, uniqueEmail, DESKTOP, MOBILE,
} from './helpers.mjs';

const FULL_NUMBER = '4242424242424242';
let server;
let api;
let fx;
let browser;
const shared = {}; // what later tests reuse: { customerId, savedPm }
const openPages = [];

before(async () => {
  server = await serverUnderTest();
  api = apiClient(server.url, server.apiKey);
  fx = fixtures(api);
  browser = await launchBrowser();
});

after(async () => {
  for (const h of openPages) await h.context.close().catch(() => {});
  await browser?.close();
  await server?.close();
});

async function newPage(viewport = DESKTOP) {
  const h = await instrumentedPage(browser, viewport);
  openPages.push(h);
  return h;
}

function assertNoPageErrors(h, allowed = []) {
  const unexpected = h.errors.filter((e) => !allowed.some((re) => re.test(e)));
  assert.deepEqual(unexpected, [], 'the page logged errors or got unexpected error responses');
}

async function assertFitsWidth(page, width) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `page is ${scrollWidth}px wide at a ${width}px viewport (horizontal scrolling)`);
}

test('inline validation: Luhn, expiry in the future, CVC; nothing is sent while invalid', async () => {
  const plan = await fx.recurringPlan();
  const session = await fx.session(plan.id, { email: uniqueEmail('validation'), address: { country: 'DE' } });
  const h = await newPage(MOBILE);
  await openHostedCheckout(h, server.url, session.id);
  const { page } = h;

  const number = page.getByLabel('Card number');
  await number.pressSequentially('4242424242424241');
  assert.equal(await number.inputValue(), '4242 4242 4242 4241', 'card number is spaced as typed');
  await page.getByLabel(/Expiry/).pressSequentially('0120');
  assert.equal(await page.getByLabel(/Expiry/).inputValue(), '01/20');
  await page.getByLabel('CVC').fill('12');
  await page.getByLabel('Postal code').focus(); // blur the CVC field

  for (const [label, message] of [
    ['Card number', /card number is not valid/i],
    [/Expiry/, /expired/i],
    ['CVC', /3- or 4-digit/i],
  ]) {
    const input = page.getByLabel(label);
    assert.equal(await input.getAttribute('aria-invalid'), 'true', `${label} is marked invalid`);
    const describedBy = await input.getAttribute('aria-describedby');
    assert.ok(describedBy, `${label} points at its message`);
    const text = await page.locator(`[id="${describedBy}"]`).textContent();
    assert.match(text, message);
  }
  await page.getByRole('button', { name: /^Pay / }).click();
  assert.ok(await page.getByLabel('Card number').evaluate((el) => el === document.activeElement), 'focus moves to the first invalid field');
  await screenshot(page, 'validation-errors-360');
  await assertFitsWidth(page, MOBILE.width);

  // Fixing a value clears its message as the person types.
  await number.fill('4242 4242 4242 4242');
  assert.equal(await number.getAttribute('aria-invalid'), null);
  assert.equal(h.completeRequests.length, 0, 'no completion request while the form is invalid');
  assertNoPageErrors(h);
});

test('(1) successful checkout of a recurring plan with currency details', async () => {
  const plan = await fx.recurringPlan({ name: 'Pro monthly' });
  const email = uniqueEmail('success');
  const session = await fx.session(plan.id, { email, address: { country: 'DE' } });
  const h = await newPage(DESKTOP);
  await openHostedCheckout(h, server.url, session.id);
  const { page } = h;
  await waitForEvent(h.events, (e) => e.type === 'loaded');

  const checkout = page.locator('.pn-checkout');
  await checkout.getByRole('heading', { name: 'Pro monthly' }).waitFor();
  assert.equal(await checkout.locator('.pn-due-amount').textContent(), '$10.00');
  assert.match(await checkout.locator('.pn-local-hint').textContent(), /^≈ €\d+\.\d\d$/, 'local hint in EUR for a German customer');
  assert.match(await checkout.locator('.pn-terms').textContent(), /\$10\.00 \/ month/);
  const pay = page.getByRole('button', { name: 'Pay $10.00' });
  await pay.waitFor();
  assert.equal(await page.locator('[role="alert"].pn-status').count(), 1, 'a status region with role=alert exists');
  await screenshot(page, 'open-desktop');

  await fillCard(page, '4242 4242 4242 4242');
  await pay.click();
  const done = await waitForEvent(h.events, (e) => e.type === 'complete');
  assert.match(done.payment_id, /^pay_/);
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor();
  assert.equal(await page.locator('.pn-checkout input').count(), 0, 'no form after success');
  await screenshot(page, 'success-desktop');

  const payment = await api.get(`/payments/${done.payment_id}`);
  assert.equal(payment.payment_status, 'SETTLED');
  assert.equal(payment.amount, 1000);
  assert.equal(payment.currency_code, 'USD');
  assert.equal(payment.payment_method.type, 'CARD');
  assert.equal(payment.payment_method.details.last4, '4242');
  assert.ok(payment.subscription && payment.subscription.id, 'a subscription was started');
  assert.equal(payment.subscription.status, 'active');
  assert.ok(!JSON.stringify(payment).includes(FULL_NUMBER), 'the full card number is never returned');

  const customerId = payment.customer.id;
  const customer = await api.get(`/customers/${customerId}`);
  assert.equal(customer.email, email);
  const pm = customer.payment_methods.find((m) => m.details.last4 === '4242');
  assert.ok(pm, 'the card is saved on the customer');
  assert.equal(pm.id, payment.payment_method.id);
  assert.ok(customer.subscriptions.some((s) => s.id === payment.subscription.id), 'the subscription is listed on the customer');
  assert.ok(!JSON.stringify(customer).includes(FULL_NUMBER));
  shared.customerId = customerId;
  shared.savedPm = pm;

  // The same link again: completed, no form.
  await page.reload();
  await page.getByText(/already complete/i).waitFor();
  assert.equal(await page.locator('.pn-checkout input').count(), 0);
  const reopened = await waitForEvent(h.events, (e) => e.type === 'unavailable');
  assert.equal(reopened.error.code, 'session_completed');
  assert.equal(h.completeRequests.length, 1);
  assertNoPageErrors(h);
});

test('(2) a declined card shows the decline, then another card in the same session succeeds', async () => {
  const plan = await fx.recurringPlan({ name: 'Team yearly', interval: 'years', interval_count: 1, price: { default: { amount: 12000, currency: 'USD' } } });
  const session = await fx.session(plan.id, { email: uniqueEmail('decline'), address: { country: 'US' } });
  const h = await newPage(MOBILE);
  await openHostedCheckout(h, server.url, session.id);
  const { page } = h;
  assert.equal(await page.locator('.pn-local-hint').count(), 0, 'no ≈ hint when the local currency is the payment currency');

  await fillCard(page, '4000 0000 0000 9995');
  await page.getByRole('button', { name: 'Pay $120.00' }).click();
  const fail = await waitForEvent(h.events, (e) => e.type === 'fail');
  assert.equal(fail.code, 'insufficient_funds');
  assert.ok(fail.message, 'the failure carries a message');
  const alert = page.locator('.pn-status[role="alert"]');
  await alert.filter({ hasText: fail.message }).waitFor();
  const declined = await api.get(`/payments/${fail.payment_id}`);
  assert.equal(declined.payment_status, 'DECLINED');
  assert.equal(declined.status_reason.decline_code, 'insufficient_funds');
  assert.ok((await alert.textContent()).includes(declined.status_reason.message), 'the message is the server’s status_reason.message');
  const pay = page.getByRole('button', { name: 'Pay $120.00' });
  assert.ok(await pay.isEnabled(), 'the form stays usable after a decline');
  await screenshot(page, 'declined-360');
  await assertFitsWidth(page, MOBILE.width);

  // Another card, submitted from the keyboard.
  await page.getByLabel('Card number').fill('4242424242424242');
  await page.getByLabel('Postal code').press('Enter');
  const done = await waitForEvent(h.events, (e) => e.type === 'complete');
  assert.notEqual(done.payment_id, fail.payment_id);
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor();
  await screenshot(page, 'success-360');
  const payment = await api.get(`/payments/${done.payment_id}`);
  assert.equal(payment.payment_status, 'SETTLED');
  assert.equal(payment.amount, 12000);
  assert.equal(h.completeRequests.length, 2);
  assertNoPageErrors(h);
});

test('(3a) 3-D Secure: challenge passed → success', async () => {
  const plan = await fx.oneOffPlan({ name: 'Lifetime licence', price: { default: { amount: 4900, currency: 'EUR' } } });
  const session = await fx.session(plan.id, { email: uniqueEmail('3ds-pass'), address: { country: 'GB' } });
  const h = await newPage(DESKTOP);
  await openHostedCheckout(h, server.url, session.id);
  const { page } = h;
  assert.match(await page.locator('.pn-terms').textContent(), /one-time/i);
  assert.match(await page.locator('.pn-local-hint').textContent(), /^≈ £/);

  await fillCard(page, '4000 0000 0000 3220');
  await page.getByRole('button', { name: 'Pay €49.00' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus moves into the dialog');
  assert.equal(await dialog.getAttribute('aria-modal'), 'true');
  await screenshot(page, '3ds-challenge-desktop');
  // Tab stays inside the dialog.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'Tab does not leave the dialog');

  await dialog.getByRole('button', { name: 'Complete authentication' }).click();
  const done = await waitForEvent(h.events, (e) => e.type === 'complete');
  await page.getByRole('heading', { name: 'Payment successful' }).waitFor();
  assert.equal(await page.getByRole('dialog').count(), 0);
  const payment = await api.get(`/payments/${done.payment_id}`);
  assert.equal(payment.payment_status, 'SETTLED');
  assert.equal(payment.subscription, null, 'a one-off plan starts no subscription');
  assert.equal(h.events.filter((e) => e.type === 'fail').length, 0);
  assertNoPageErrors(h);
});

test('(3b) 3-D Secure: challenge cancelled → failure, payment INCOMPLETE, form usable', async () => {
  const plan = await fx.oneOffPlan({ name: 'Lifetime licence' });
  const session = await fx.session(plan.id, { email: uniqueEmail('3ds-cancel'), address: { country: 'DE' } });
  const h = await newPage(MOBILE);
  await openHostedCheckout(h, server.url, session.id);
  const { page } = h;

  await fillCard(page, '4000000000003220');
  await page.getByRole('button', { name: 'Pay $25.00' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await screenshot(page, '3ds-challenge-360');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  const fail = await waitForEvent(h.events, (e) => e.type === 'fail');
  assert.equal(fail.code, 'authentication_failed');
  assert.equal(await page.getByRole('dialog').count(), 0, 'the dialog closes');
  const payment = await api.get(`/payments/${fail.payment_id}`);
  assert.equal(payment.payment_status, 'INCOMPLETE');
  await page.locator('.pn-status[role="alert"]').filter({ hasText: fail.message }).waitFor();
  assert.ok(await page.getByRole('button', { name: 'Pay $25.00' }).isEnabled(), 'the form stays usable');
  assert.equal(await page.locator('.pn-checkout [inert]').count(), 0, 'the form is no longer inert');
  assert.equal(h.events.filter((e) => e.type === 'complete').length, 0);
  assertNoPageErrors(h);
});

test('(5) returning customer: a one-off session with customer.id shows the saved card and pays with it', async (t) => {
  if (!shared.customerId) return t.skip('needs the customer of test (1), which did not finish');
  const plan = await fx.oneOffPlan({ name: 'Extra credits pack' });
  const session = await fx.session(plan.id, { id: shared.customerId });
  const h = await newPage(MOBILE);
  await openHostedCheckout(h, server.url, session.id);
  const { page } = h;

  const pm = shared.savedPm;
  const label = `Visa •••• 4242, exp ${String(pm.details.exp_month).padStart(2, '0')}/${String(pm.details.exp_year).slice(-2)}`;
  const savedRadio = page.getByRole('radio', { name: label });
  await savedRadio.waitFor();
  assert.ok(await savedRadio.isChecked(), 'the saved card is preselected');
  assert.ok(await page.getByRole('radio', { name: 'Use a new card' }).isVisible());
  assert.equal(await page.getByLabel('Card number').isVisible(), false, 'the card form is hidden while a saved card is chosen');
  await screenshot(page, 'saved-card-360');
  await assertFitsWidth(page, MOBILE.width);

  // Switching to a new card shows the form; switching back hides it.
  await page.getByRole('radio', { name: 'Use a new card' }).check();
  assert.ok(await page.getByLabel('Card number').isVisible());
  await savedRadio.check();

  await page.getByRole('button', { name: 'Pay $25.00' }).click();
  const done = await waitForEvent(h.events, (e) => e.type === 'complete');
  const payment = await api.get(`/payments/${done.payment_id}`);
  assert.equal(payment.payment_status, 'SETTLED');
  assert.equal(payment.amount, 2500);
  assert.equal(payment.customer.id, shared.customerId);
  assert.equal(payment.payment_method.id, pm.id, 'paid with the saved card');
  assert.equal(payment.subscription, null);
  assertNoPageErrors(h);
});

test('(6) the SDK mounted from a page on another origin works (CORS), with a free trial', async () => {
  const plan = await fx.recurringPlan({
    name: 'Pro with trial', trial_interval: 'days', trial_interval_count: 14,
    trial_price: { default: { amount: 0, currency: 'USD' } },
  });
  const session = await fx.session(plan.id, { email: uniqueEmail('cors'), address: { country: 'DE' } });
  const site = await serveHtml(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Merchant</title></head>
<body><h1>Merchant shop</h1><div id="pay-here"></div>
<script src="${server.url}/checkout.js"></script>
<script>
  window.__calls = [];
  new PayNextCheckout().mount('pay-here', {
    clientToken: ${JSON.stringify(session.id)},
    environment: 'sandbox',
    onCheckoutLoaded: function (e) { window.__pnRecord(Object.assign({ type: 'loaded' }, e)); },
    onCheckoutComplete: function (e) { window.__pnRecord(Object.assign({ type: 'complete' }, e)); },
    onCheckoutFail: function (e) { window.__pnRecord(Object.assign({ type: 'fail' }, e)); }
  });
</script></body></html>`);
  try {
    const h = await newPage(DESKTOP);
    const { page } = h;
    await page.goto(site.url);
    assert.notEqual(new URL(site.url).origin, new URL(server.url).origin, 'the merchant page is on another origin');
    const loaded = await waitForEvent(h.events, (e) => e.type === 'loaded');
    assert.equal(loaded.success, true, `loaded: ${JSON.stringify(loaded)}`);
    assert.match(await page.locator('.pn-terms').textContent(), /^14-day free trial, then \$10\.00 \/ month/);
    assert.equal(await page.locator('.pn-due-amount').textContent(), '$0.00');
    assert.equal(await page.locator('.pn-local-hint').count(), 0, 'no ≈ hint for a zero amount');
    await screenshot(page, 'cross-origin-trial-desktop');

    await fillCard(page, '5555 5555 5555 4444');
    await page.getByRole('button', { name: 'Start trial' }).click();
    const done = await waitForEvent(h.events, (e) => e.type === 'complete');
    assert.match(done.payment_id, /^pay_/);
    await page.getByRole('heading', { name: 'Your trial has started' }).waitFor();
    const payment = await api.get(`/payments/${done.payment_id}`);
    assert.equal(payment.subscription.status, 'trial');
    assert.ok(h.completeRequests.every((u) => u.startsWith(server.url)), 'calls go to the script’s origin');
    assertNoPageErrors(h);
  } finally {
    await site.close();
  }
});

test('(7) double-clicking Pay (or submitting twice) makes exactly one payment', async () => {
  const plan = await fx.oneOffPlan({ name: 'Double click guard' });
  for (const how of ['dblclick', 'requestSubmit twice']) {
    const email = uniqueEmail('double');
    const session = await fx.session(plan.id, { email, address: { country: 'DE' } });
    const h = await newPage(DESKTOP);
    await openHostedCheckout(h, server.url, session.id);
    const { page } = h;
    await fillCard(page, '4242 4242 4242 4242');
    if (how === 'dblclick') {
      await page.getByRole('button', { name: 'Pay $25.00' }).dblclick();
    } else {
      // Bypasses the disabled button: only the SDK's own guard stops the second one.
      await page.evaluate(() => { const f = document.querySelector('.pn-form'); f.requestSubmit(); f.requestSubmit(); });
    }
    await waitForEvent(h.events, (e) => e.type === 'complete');
    await page.getByRole('heading', { name: 'Payment successful' }).waitFor();
    await new Promise((r) => setTimeout(r, 300)); // let a stray second request show up if there were one
    assert.equal(h.completeRequests.length, 1, `${how}: one completion request`);
    assert.equal(h.events.filter((e) => e.type === 'complete').length, 1, `${how}: one complete callback`);
    assert.equal(h.events.filter((e) => e.type === 'fail').length, 0, `${how}: no failure callback`);
    const list = await api.get('/payments?limit=100');
    const mine = list.data.filter((p) => p.customer && p.customer.email === email);
    assert.equal(mine.length, 1, `${how}: exactly one payment for the customer`);
    assertNoPageErrors(h);
  }
});

test('an unknown session id shows a clear message', async () => {
  const h = await newPage(MOBILE);
  await openHostedCheckout(h, server.url, '00000000-0000-7000-8000-000000000000');
  await h.page.getByText(/checkout link is not valid/i).waitFor();
  assert.equal(await h.page.locator('.pn-checkout input').count(), 0);
  const ev = await waitForEvent(h.events, (e) => e.type === 'unavailable');
  assert.equal(ev.success, false);
  assert.equal(ev.error.code, 'session_not_found');
  await screenshot(h.page, 'not-found-360');
  assertNoPageErrors(h, [/^http 404 GET \/client-session\/[^/]+\/checkout$/]);
});

