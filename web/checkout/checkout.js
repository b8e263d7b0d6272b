/*!
 * Tally checkout.js: the browser SDK for PayNext-compatible checkout.
 *
 *   <script src="https://billing.example.com/checkout.js"></script>
 *   <div id="checkout"></div>
 *   <script>
 *     new PayNextCheckout().mount('checkout', {
 *       clientToken: '<client session id>',
 *       onCheckoutLoaded: function (e) {},   // {success, error?}
 *       onCheckoutComplete: function (e) {}, // {payment_id}
 *       onCheckoutFail: function (e) {}      // {code, message, ...}
 *     });
 *   </script>
 *
 * Plain ES2017, no dependencies, no build step. It talks only to the public,
 * CORS-enabled session endpoints (the session id is the credential; never put a
 * secret key in a page). `baseUrl` defaults to the origin this file was loaded from.
 * Everything it renders is scoped under `.pn-checkout` with `pn-` class names.
 */
(function (global) {
  'use strict';

  var document = global.document;
  if (!document || global.PayNextCheckout) return;

  // Captured now: document.currentScript is only set while this file first runs.
  var DEFAULT_BASE_URL = scriptOrigin(document.currentScript);

  var STYLE_ID = 'pn-checkout-style';
  var SUCCESS_STATUSES = ['SETTLED', 'SETTLING', 'AUTHORIZED', 'PENDING'];
  var BRAND_NAMES = {
    visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express',
    american_express: 'American Express', discover: 'Discover', jcb: 'JCB',
    diners: 'Diners Club', diners_club: 'Diners Club', unionpay: 'UnionPay',
    maestro: 'Maestro', cartes_bancaires: 'Cartes Bancaires'
  };
  var STATUS_MESSAGES = {
    DECLINED: 'Your card was declined.',
    FAILED: 'The payment could not be processed. Please try again.',
    BLOCKED: 'This payment was blocked.',
    INCOMPLETE: 'The payment was not completed.'
  };
  var ADVICE = {
    try_again_later: 'You can try again or use a different card.',
    do_not_try_again: 'Please use a different card.'
  };
  // Server `param` of a 400 → the form field it is about.
  var PARAM_FIELDS = {
    'card.number': 'number', 'card.exp_month': 'expiry', 'card.exp_year': 'expiry',
    'card.cvc': 'cvc', 'card.postal_code': 'postal'
  };
  var instances = 0;

  function scriptOrigin(script) {
    var candidates = [];
    if (script && script.src) candidates.push(script.src);
    var scripts = document.getElementsByTagName('script');
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/checkout\.js(?:[?#]|$)/.test(scripts[i].src)) candidates.push(scripts[i].src);
    }
    for (var j = 0; j < candidates.length; j++) {
      try {
        var origin = new URL(candidates[j], global.location.href).origin;
        if (origin && origin !== 'null') return origin;
      } catch (e) { /* try the next one */ }
    }
    return global.location.origin;
  }

  // ---------------------------------------------------------------- helpers

  /** h('div', {class: 'x', onclick: fn}, child, 'text', [children]) */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name.slice(0, 2) === 'on' && typeof value === 'function') {
          el.addEventListener(name.slice(2), value);
        } else if (name === 'text') {
          el.textContent = value;
        } else if (value === true) {
          el.setAttribute(name, '');
        } else {
          el.setAttribute(name, String(value));
        }
      });
    }
    appendChildren(el, Array.prototype.slice.call(arguments, 2));
    return el;
  }

  function appendChildren(el, children) {
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) appendChildren(el, child);
      else el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
  }

  function digitsOf(value) { return String(value || '').replace(/\D/g, ''); }

  function luhnValid(digits) {
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = digits.charCodeAt(digits.length - 1 - i) - 48;
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }

  function isAmex(digits) { return /^3[47]/.test(digits); }

  function formatCardNumber(digits) {
    var groups = isAmex(digits) ? [4, 6, 5] : [4, 4, 4, 4, 3];
    var out = [];
    var pos = 0;
    for (var i = 0; i < groups.length && pos < digits.length; i++) {
      out.push(digits.slice(pos, pos + groups[i]));
      pos += groups[i];
    }
    return out.join(' ');
  }

  function formatExpiry(digits) {
    if (digits.length === 1 && digits > '1') digits = '0' + digits; // "4" → "04"
    return digits.length > 2 ? digits.slice(0, 2) + '/' + digits.slice(2, 4) : digits;
  }

  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  function brandName(brand) {
    var key = String(brand || '').toLowerCase().replace(/[\s-]+/g, '_');
    if (BRAND_NAMES[key]) return BRAND_NAMES[key];
    return key ? key.charAt(0).toUpperCase() + key.slice(1).replace(/_/g, ' ') : 'Card';
  }

  function unitName(interval, count) {
    var unit = String(interval || '').replace(/s$/, '') || 'period';
    return count === 1 ? unit : unit + 's';
  }

  /** "/ month", "every 3 months" */
  function perInterval(interval, count) {
    count = count || 1;
    return count === 1 ? '/ ' + unitName(interval, 1) : 'every ' + count + ' ' + unitName(interval, count);
  }

  function approxHint(info) {
    if (!info || !info.local || !info.payment) return '';
    if (info.local.currency === info.payment.currency || !info.payment.amount) return '';
    return '≈ ' + (info.local.formatted_amount_rounded || info.local.formatted_amount);
  }

  function callSafely(fn, arg) {
    if (typeof fn !== 'function') return;
    try { fn(arg); } catch (e) { if (global.console) global.console.error('PayNextCheckout callback failed', e); }
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function injectStyle() {
    if (document.getElementById(STYLE_ID)) return;
    var style = h('style', { id: STYLE_ID });
    style.textContent = CSS;
    (document.head || document.documentElement).appendChild(style);
  }

  // ---------------------------------------------------------------- the SDK

  class PayNextCheckout {
    constructor() {
      this._uid = 'pn' + (++instances);
      this._state = 'idle'; // idle | loading | open | completed | expired | error
      this._busy = false;
      this._session = null;
      this._fields = {};
      this._modal = null;
    }

    /**
     * Renders checkout for `config.clientToken` into the element with id `elementId`
     * (an Element is accepted too). Returns a promise of what onCheckoutLoaded got.
     */
    mount(elementId, config) {
      this._config = config || {};
      this._base = String(this._config.baseUrl || DEFAULT_BASE_URL).replace(/\/+$/, '');
      this._token = this._config.clientToken;
      var el = typeof elementId === 'string'
        ? document.getElementById(elementId.replace(/^#/, ''))
        : elementId;
      if (!el || !el.appendChild) {
        var notFound = { code: 'element_not_found', message: 'PayNextCheckout: no element with id "' + elementId + '".' };
        callSafely(this._config.onCheckoutLoaded, { success: false, error: notFound });
        return Promise.resolve({ success: false, error: notFound });
      }
      injectStyle();
      this.unmount();
      this._host = el;
      this._root = h('div', { class: 'pn-checkout', 'data-pn-state': 'loading' },
        h('div', { class: 'pn-loading', role: 'status' }, 'Loading checkout…'));
      el.appendChild(this._root);
      this._state = 'loading';
      if (!this._token || typeof this._token !== 'string') {
        return Promise.resolve(this._loaded(this._renderProblem({
          code: 'invalid_client_token', message: 'This checkout is missing its session. Please return to the merchant and try again.'
        })));
      }
      return this._load();
    }

    /** Removes everything mount() rendered. */
    unmount() {
      this._closeModal();
      if (this._root && this._root.parentNode) this._root.parentNode.removeChild(this._root);
      this._root = null;
      this._state = 'idle';
      this._busy = false;
    }

    async _load() {
      var res = await this._request('GET', '/checkout');
      if (res.status === 200 && res.body && res.body.status) {
        var session = this._session = res.body;
        if (session.status === 'completed') {
          return this._loaded(this._renderFinished('completed', session.payment_id));
        }
        if (session.status === 'expired') return this._loaded(this._renderExpired());
        this._renderOpen();
        return this._loaded(null);
      }
      var error;
      if (res.status === 404) {
        error = { code: 'session_not_found', message: 'This checkout link is not valid. Please return to the merchant and start again.' };
      } else if (res.status === 0) {
        error = { code: 'network_error', message: 'We could not reach the payment server. Check your connection and reload the page.' };
      } else {
        error = this._errorOf(res, 'The checkout could not be loaded. Please reload the page.');
      }
      return this._loaded(this._renderProblem(error));
    }

    _loaded(error) {
      var result = error ? { success: false, error: error } : { success: true };
      callSafely(this._config.onCheckoutLoaded, result);
      return result;
    }

    async _request(method, path, body) {
      var url = this._base + '/client-session/' + encodeURIComponent(this._token) + path;
      var init = { method: method, mode: 'cors', credentials: 'omit', cache: 'no-store', headers: { Accept: 'application/json' } };
      if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      var response;
      try {
        response = await fetch(url, init);
      } catch (e) {
        return { status: 0, body: null };
      }
      var parsed = null;
      try { parsed = await response.json(); } catch (e) { /* not JSON */ }
      return { status: response.status, body: parsed };
    }

    _errorOf(res, fallback) {
      var e = res.body && res.body.error;
      return {
        code: (e && e.code) || 'http_' + res.status,
        message: (e && e.message) || fallback
      };
    }

    // ------------------------------------------------------------ rendering

    _setState(state) {
      this._state = state;
      if (this._root) this._root.setAttribute('data-pn-state', state);
    }

    /** Plan name, due now and terms; only the plan name once checkout is closed. */
    _summary() {
      var s = this._session;
      if (!s || !s.plan) return null;
      if (this._state !== 'open') {
        return h('section', { class: 'pn-summary pn-summary--closed', 'aria-label': 'Order summary' },
          h('h2', { class: 'pn-plan-name', text: s.plan.name || 'Your order' }));
      }
      var due = s.due_now || s.price || {};
      var duePayment = due.payment || {};
      var hint = approxHint(due);
      return h('section', { class: 'pn-summary', 'aria-label': 'Order summary' },
        h('h2', { class: 'pn-plan-name', text: s.plan.name || 'Your order' }),
        duePayment.formatted_amount ? h('p', { class: 'pn-due' },
          h('span', { class: 'pn-due-label' }, 'Due today'),
          ' ',
          h('strong', { class: 'pn-due-amount', text: duePayment.formatted_amount }),
          hint ? [' ', h('span', { class: 'pn-local-hint', title: 'Approximate amount in your local currency; you are charged in ' + duePayment.currency + '.', text: hint })] : null
        ) : null,
        h('p', { class: 'pn-terms', text: this._termsText() })
      );
    }

    _termsText() {
      var s = this._session;
      var plan = s.plan;
      if (plan.type !== 'recurring') return 'One-time payment.';
      var price = s.price && s.price.payment ? s.price.payment.formatted_amount : '';
      var priceHint = approxHint(s.price);
      var recurring = price + ' ' + perInterval(plan.interval, plan.interval_count) + (priceHint ? ' (' + priceHint + ')' : '');
      var trial = plan.trial;
      if (trial && trial.interval) {
        var count = trial.interval_count || 1;
        var length = count + '-' + unitName(trial.interval, 1);
        var trialPrice = s.trial && s.trial.payment ? s.trial.payment.formatted_amount : '';
        var kind = !trial.amount ? 'free trial' : 'trial' + (trialPrice ? ' for ' + trialPrice : '');
        return length + ' ' + kind + ', then ' + recurring + '.';
      }
      return 'Renews at ' + recurring + ' until cancelled.';
    }

    _shell(body) {
      this._root.textContent = '';
      appendChildren(this._root, [this._summary(), body]);
    }

    _renderProblem(error) {
      this._setState('error');
      this._shell(this._notice('error', 'Checkout unavailable', error.message));
      return error;
    }

    _renderExpired() {
      this._setState('expired');
      this._shell(this._notice('expired', 'This checkout has expired',
        'For your security, checkout links are valid for a limited time. Please return to the merchant and start again. You have not been charged.'));
      return { code: 'session_expired', message: 'This checkout session has expired.' };
    }

    _renderFinished(kind, paymentId) {
      this._setState('completed');
      var trialStart = this._session && this._session.due_now && this._session.due_now.payment &&
        this._session.due_now.payment.amount === 0;
      var title, text;
      if (kind === 'success') {
        title = trialStart ? 'Your trial has started' : 'Payment successful';
        text = trialStart ? 'Thank you! Your card has been saved for when the trial ends. You can close this page.'
          : 'Thank you! Your payment was received. You can close this page.';
      } else {
        title = 'This checkout is already complete';
        text = 'No further payment is needed. You can close this page.';
      }
      var notice = this._notice(kind === 'success' ? 'success' : 'completed', title, text, paymentId);
      this._shell(notice);
      return { code: 'session_completed', message: 'This checkout session has already been completed.' };
    }

    _notice(kind, title, text, paymentId) {
      var heading = h('h3', { class: 'pn-notice-title', tabindex: '-1', text: title });
      return h('div', { class: 'pn-notice pn-notice--' + kind, role: kind === 'error' || kind === 'expired' ? 'alert' : 'status' },
        h('span', { class: 'pn-notice-icon', 'aria-hidden': 'true', text: kind === 'success' || kind === 'completed' ? '✓' : '!' }),
        heading,
        h('p', { class: 'pn-notice-text', text: text }),
        paymentId ? h('p', { class: 'pn-notice-ref' }, 'Reference: ', h('code', { text: paymentId })) : null);
    }

    _renderOpen() {
      this._setState('open');
      var s = this._session;
      var uid = this._uid;
      var saved = s.payment_methods_mode === 'saved_or_new' && Array.isArray(s.saved_payment_methods)
        ? s.saved_payment_methods : [];
      var now = new Date();
      var firstUsable = null;

      var savedList = null;
      if (saved.length) {
        var options = saved.map(function (pm, i) {
          var expired = pm.exp_year < now.getFullYear() ||
            (pm.exp_year === now.getFullYear() && pm.exp_month < now.getMonth() + 1);
          if (!expired && firstUsable === null) firstUsable = pm.id;
          var label = brandName(pm.brand) + ' •••• ' + pm.last4 + ', exp ' +
            pad2(pm.exp_month) + '/' + String(pm.exp_year).slice(-2) + (expired ? ' (expired)' : '');
          return h('label', { class: 'pn-option' + (expired ? ' pn-option--disabled' : '') },
            h('input', { type: 'radio', name: uid + '-pm', value: pm.id, id: uid + '-pm-' + i, disabled: expired }),
            h('span', { class: 'pn-option-label', text: label }));
        });
        options.push(h('label', { class: 'pn-option' },
          h('input', { type: 'radio', name: uid + '-pm', value: '', id: uid + '-pm-new' }),
          h('span', { class: 'pn-option-label', text: 'Use a new card' })));
        savedList = h('fieldset', { class: 'pn-methods' },
          h('legend', { class: 'pn-legend', text: 'Payment method' }), options);
      }

      var f = this._fields = {
        number: this._field('number', 'Card number', {
          autocomplete: 'cc-number', inputmode: 'numeric', placeholder: '1234 1234 1234 1234', maxlength: '23'
        }),
        expiry: this._field('expiry', 'Expiry (MM/YY)', {
          autocomplete: 'cc-exp', inputmode: 'numeric', placeholder: 'MM/YY', maxlength: '7'
        }),
        cvc: this._field('cvc', 'CVC', {
          autocomplete: 'cc-csc', inputmode: 'numeric', placeholder: '123', maxlength: '4'
        }),
        postal: this._field('postal', 'Postal code', {
          autocomplete: 'postal-code', placeholder: '10115', maxlength: '16'
        })
      };
      var cardFields = this._cardFields = h('fieldset', { class: 'pn-card' },
        h('legend', { class: 'pn-legend', text: savedList ? 'New card' : 'Card details' }),
        f.number.wrap,
        h('div', { class: 'pn-row' }, f.expiry.wrap, f.cvc.wrap, f.postal.wrap));

      var due = s.due_now && s.due_now.payment;
      this._payLabel = due && due.amount === 0 ? 'Start trial'
        : 'Pay' + (due && due.formatted_amount ? ' ' + due.formatted_amount : '');
      this._payButton = h('button', { type: 'submit', class: 'pn-pay', text: this._payLabel });
      this._status = h('div', { class: 'pn-status', role: 'alert', id: uid + '-status' });

      this._form = h('form', {
        class: 'pn-form', novalidate: true, 'aria-label': 'Payment', onsubmit: this._onSubmit.bind(this)
      }, savedList, cardFields, this._status, this._payButton,
      h('p', { class: 'pn-secure', text: 'Payments are processed securely. Card details are sent only to the payment server.' }));

      this._shell(this._form);
      this._bindCardInputs();

      if (savedList) {
        var radios = savedList.querySelectorAll('input[type=radio]');
        var self = this;
        Array.prototype.forEach.call(radios, function (r) {
          r.checked = firstUsable !== null ? r.value === firstUsable : r.value === '';
          r.addEventListener('change', function () { self._syncMethod(); });
        });
        this._methodRadios = radios;
      } else {
        this._methodRadios = [];
      }
      this._syncMethod();
    }

    _field(name, label, attrs) {
      var id = this._uid + '-' + name;
      var input = h('input', Object.assign({
        id: id, name: name, type: 'text', class: 'pn-input', spellcheck: 'false', autocorrect: 'off', autocapitalize: 'off'
      }, attrs));
      var error = h('p', { class: 'pn-field-error', id: id + '-error', hidden: true });
      var wrap = h('div', { class: 'pn-field pn-field--' + name },
        h('label', { class: 'pn-label', for: id, text: label }),
        input, error);
      return { name: name, input: input, error: error, wrap: wrap, touched: false };
    }

    _bindCardInputs() {
      var self = this;
      var f = this._fields;
      f.number.input.addEventListener('input', function () {
        var input = f.number.input;
        var caret = input.selectionStart === null ? input.value.length : input.selectionStart;
        var digitsBeforeCaret = digitsOf(input.value.slice(0, caret)).length;
        var digits = digitsOf(input.value).slice(0, 19);
        var formatted = formatCardNumber(digits);
        if (formatted !== input.value) {
          input.value = formatted;
          var pos = 0;
          var seen = 0;
          while (pos < formatted.length && seen < digitsBeforeCaret) {
            if (/\d/.test(formatted.charAt(pos))) seen++;
            pos++;
          }
          if (document.activeElement === input) input.setSelectionRange(pos, pos);
        }
      });
      f.expiry.input.addEventListener('input', function (ev) {
        var input = f.expiry.input;
        if (ev.inputType && ev.inputType.indexOf('delete') === 0) return; // let people delete the "/"
        var formatted = formatExpiry(digitsOf(input.value).slice(0, 4));
        if (formatted !== input.value) input.value = formatted;
      });
      f.cvc.input.addEventListener('input', function () {
        var digits = digitsOf(f.cvc.input.value).slice(0, 4);
        if (digits !== f.cvc.input.value) f.cvc.input.value = digits;
      });
      Object.keys(f).forEach(function (name) {
        var field = f[name];
        field.input.addEventListener('blur', function () {
          if (field.input.value.trim() !== '') field.touched = true;
          if (field.touched) self._validateField(field);
        });
        field.input.addEventListener('input', function () {
          // Once a message is shown, update it as the person fixes the value.
          if (!field.error.hidden) self._validateField(field);
        });
      });
    }

    _usingSavedCard() {
      for (var i = 0; i < this._methodRadios.length; i++) {
        if (this._methodRadios[i].checked) return this._methodRadios[i].value || null;
      }
      return null;
    }

    _syncMethod() {
      var saved = this._usingSavedCard();
      this._cardFields.hidden = !!saved;
      this._cardFields.disabled = !!saved;
    }

    /** Returns the error message for a field ('' when valid). */
    _check(field) {
      var value = field.input.value.trim();
      switch (field.name) {
        case 'number': {
          var digits = digitsOf(value);
          if (!digits) return 'Enter your card number.';
          if (/[^\d\s-]/.test(value) || digits.length < 12 || digits.length > 19 || !luhnValid(digits)) {
            return 'This card number is not valid. Check the digits.';
          }
          return '';
        }
        case 'expiry': {
          if (!value) return 'Enter the expiry date as MM/YY.';
          var parsed = parseExpiry(value);
          if (!parsed) return 'Enter the expiry date as MM/YY, for example 04/29.';
          if (parsed.month < 1 || parsed.month > 12) return 'The expiry month must be between 01 and 12.';
          var now = new Date();
          if (parsed.year < now.getFullYear() || (parsed.year === now.getFullYear() && parsed.month < now.getMonth() + 1)) {
            return 'This card has expired: the expiry date must be in the future.';
          }
          if (parsed.year > now.getFullYear() + 50) return 'Check the expiry year.';
          return '';
        }
        case 'cvc':
          return /^\d{3,4}$/.test(value) ? '' : 'Enter the 3- or 4-digit code.';
        case 'postal':
          return value.length > 16 ? 'The postal code is too long.' : '';
      }
      return '';
    }

    _validateField(field) {
      var message = this._check(field);
      this._showFieldError(field, message);
      return !message;
    }

    _showFieldError(field, message) {
      field.error.textContent = message || '';
      field.error.hidden = !message;
      if (message) {
        field.input.setAttribute('aria-invalid', 'true');
        field.input.setAttribute('aria-describedby', field.error.id);
      } else {
        field.input.removeAttribute('aria-invalid');
        field.input.removeAttribute('aria-describedby');
      }
    }

    _collect() {
      var saved = this._usingSavedCard();
      if (saved) return { payment_method_id: saved };
      var self = this;
      var firstInvalid = null;
      ['number', 'expiry', 'cvc', 'postal'].forEach(function (name) {
        var field = self._fields[name];
        field.touched = true;
        if (!self._validateField(field) && !firstInvalid) firstInvalid = field;
      });
      if (firstInvalid) {
        this._setStatus('Please check the highlighted card details.', 'error');
        firstInvalid.input.focus();
        return null;
      }
      var expiry = parseExpiry(this._fields.expiry.input.value);
      var card = {
        number: digitsOf(this._fields.number.input.value),
        exp_month: expiry.month,
        exp_year: expiry.year,
        cvc: this._fields.cvc.input.value.trim()
      };
      var postal = this._fields.postal.input.value.trim();
      if (postal) card.postal_code = postal;
      return { card: card };
    }

    _setStatus(message, kind) {
      if (!this._status) return;
      this._status.textContent = '';
      this._status.className = 'pn-status' + (message ? ' pn-status--' + (kind || 'info') : '');
      if (!message) return;
      var lines = Array.isArray(message) ? message : [message];
      var self = this;
      lines.forEach(function (line, i) {
        if (line) self._status.appendChild(h('p', { class: i ? 'pn-status-advice' : 'pn-status-message', text: line }));
      });
    }

    _setBusy(busy) {
      this._busy = busy;
      if (!this._payButton) return;
      this._payButton.disabled = busy;
      this._payButton.setAttribute('aria-busy', busy ? 'true' : 'false');
      this._payButton.textContent = busy ? 'Processing…' : this._payLabel;
      if (this._form) this._form.setAttribute('aria-busy', busy ? 'true' : 'false');
    }

    _releaseForm() {
      if (this._state !== 'open') return;
      var hadFocus = document.activeElement && document.activeElement !== document.body &&
        this._root && this._root.contains(document.activeElement);
      this._setBusy(false);
      if (!hadFocus) this._payButton.focus();
    }

    // ------------------------------------------------------------ paying

    _onSubmit(ev) {
      ev.preventDefault();
      // Guard in JS too: the disabled button alone does not stop requestSubmit(),
      // Enter in a field, or a second event queued before the first re-render.
      if (this._busy || this._state !== 'open') return;
      var payload = this._collect();
      if (!payload) return;
      this._setBusy(true);
      this._setStatus('Processing your payment…', 'info');
      this._pay(payload);
    }

    async _pay(payload) {
      try {
        var res = await this._request('POST', '/complete', payload);
        await this._handleResult(res, 0);
      } catch (e) {
        if (global.console) global.console.error('PayNextCheckout', e);
        this._fail({ code: 'unexpected_error', message: 'Something went wrong. Please try again.' });
      } finally {
        if (this._state === 'open' && !this._modal) this._releaseForm();
      }
    }

    async _handleResult(res, depth) {
      var body = res.body || {};
      if (res.status === 200 && body.status) {
        if (body.next_action && body.next_action.type === 'three_d_secure' && depth < 3) {
          var after = await this._challenge(body);
          return this._handleResult(after, depth + 1);
        }
        if (SUCCESS_STATUSES.indexOf(body.status) >= 0) return this._succeed(body.payment_id);
        var reason = body.status_reason || {};
        return this._fail({
          code: reason.decline_code || body.status.toLowerCase(),
          message: reason.message || STATUS_MESSAGES[body.status] || 'The payment was not completed.',
          advice_code: reason.advice_code || null,
          status: body.status,
          payment_id: body.payment_id || null
        }, ADVICE[reason.advice_code]);
      }

      var error = this._errorOf(res, 'The payment could not be completed. Please try again.');
      if (res.status === 400 && error.code === 'session_expired') {
        this._renderExpired();
        return this._notifyFail(error);
      }
      if (res.status === 400 && error.code === 'session_completed') {
        var current = await this._request('GET', '/checkout');
        this._renderFinished('completed', current.body && current.body.payment_id);
        return this._notifyFail(error);
      }
      if (res.status === 409) {
        this._setStatus('This payment is already being processed. Please wait…', 'info');
        if (await this._waitForCompletion(15)) return undefined;
        return this._fail({ code: error.code, message: 'Another payment attempt for this checkout is still running. Please wait a moment and try again.' });
      }
      if (res.status === 429) {
        return this._fail({ code: error.code === 'http_429' ? 'rate_limited' : error.code, message: 'Too many attempts. Please wait a minute and try again.' });
      }
      if (res.status === 400) {
        var fieldName = PARAM_FIELDS[res.body && res.body.error && res.body.error.param];
        var field = fieldName && this._fields[fieldName];
        if (field && !this._usingSavedCard()) {
          this._showFieldError(field, error.message);
          field.input.focus();
        }
        return this._fail(error);
      }
      if (res.status === 0 || res.status >= 500) {
        // The request may have reached the server: look before asking for a retry.
        this._setStatus('Checking the payment status…', 'info');
        if (await this._waitForCompletion(1)) return undefined;
        return this._fail({
          code: res.status === 0 ? 'network_error' : error.code,
          message: res.status === 0 ? 'We could not reach the payment server. Check your connection and try again.'
            : 'The payment server had a problem. Please try again.'
        });
      }
      return this._fail(error);
    }

    /** Polls the session; true when it finished (the outcome is then rendered). */
    async _waitForCompletion(attempts) {
      for (var i = 0; i < attempts; i++) {
        if (i) await sleep(1000);
        var res = await this._request('GET', '/checkout');
        var s = res.body;
        if (res.status !== 200 || !s) continue;
        if (s.status === 'completed') { this._succeed(s.payment_id); return true; }
        if (s.status === 'expired') {
          this._notifyFail(this._renderExpired());
          return true;
        }
      }
      return false;
    }

    _succeed(paymentId) {
      this._closeModal();
      this._busy = false;
      this._renderFinished('success', paymentId);
      var title = this._root.querySelector('.pn-notice-title');
      if (title) title.focus();
      callSafely(this._config.onCheckoutComplete, { payment_id: paymentId });
    }

    _fail(error, advice) {
      this._setStatus([error.message, advice], 'error');
      this._notifyFail(error);
    }

    _notifyFail(error) {
      callSafely(this._config.onCheckoutFail, error);
    }

    // ------------------------------------------------------------ 3-D Secure

    /** Shows the challenge; resolves with the response of the three-d-secure call. */
    _challenge(result) {
      var self = this;
      var challengeId = result.next_action.challenge_id;
      var titleId = this._uid + '-3ds-title';
      var textId = this._uid + '-3ds-text';
      this._setStatus('Waiting for authentication…', 'info');
      return new Promise(function (resolve) {
        var answered = false;
        async function answer(outcome) {
          if (answered) return;
          answered = true;
          passBtn.disabled = true;
          cancelBtn.disabled = true;
          dialog.setAttribute('aria-busy', 'true');
          var res = await self._request('POST', '/three-d-secure', { challenge_id: challengeId, result: outcome });
          self._closeModal();
          if (outcome === 'abandon' && !(res.status === 200 && res.body && res.body.status)) {
            // Could not tell the server; the payment is not complete either way.
            res = { status: 200, body: { payment_id: result.payment_id, status: 'INCOMPLETE', status_reason: {
              decline_code: 'authentication_failed', advice_code: 'try_again_later', message: 'Authentication was cancelled.' } } };
          }
          resolve(res);
        }
        var passBtn = h('button', { type: 'button', class: 'pn-pay', onclick: function () { answer('pass'); } }, 'Complete authentication');
        var cancelBtn = h('button', { type: 'button', class: 'pn-secondary', onclick: function () { answer('abandon'); } }, 'Cancel');
        var dialog = h('div', {
          class: 'pn-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, 'aria-describedby': textId, tabindex: '-1'
        },
        h('h2', { class: 'pn-dialog-title', id: titleId, text: 'Confirm it’s you' }),
        h('p', { id: textId, class: 'pn-dialog-text', text: 'Your bank asks you to authenticate this payment' +
          (self._session && self._session.due_now && self._session.due_now.payment
            ? ' of ' + self._session.due_now.payment.formatted_amount : '') + '. This is a sandbox simulation of the 3-D Secure step.' }),
        h('div', { class: 'pn-dialog-actions' }, passBtn, cancelBtn));
        var backdrop = h('div', { class: 'pn-backdrop' }, dialog);
        dialog.addEventListener('keydown', function (ev) {
          if (ev.key === 'Escape') { ev.preventDefault(); answer('abandon'); return; }
          if (ev.key !== 'Tab') return;
          var focusable = [passBtn, cancelBtn].filter(function (b) { return !b.disabled; });
          if (!focusable.length) { ev.preventDefault(); return; }
          var first = focusable[0];
          var last = focusable[focusable.length - 1];
          if (ev.shiftKey && (document.activeElement === first || document.activeElement === dialog)) { ev.preventDefault(); last.focus(); } else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
        });
        var content = self._root.firstChild;
        var siblings = Array.prototype.slice.call(self._root.children);
        siblings.forEach(function (el) { el.setAttribute('inert', ''); el.setAttribute('aria-hidden', 'true'); });
        self._modal = { backdrop: backdrop, siblings: siblings };
        self._root.insertBefore(backdrop, content);
        passBtn.focus();
      });
    }

    _closeModal() {
      var modal = this._modal;
      if (!modal) return;
      this._modal = null;
      modal.siblings.forEach(function (el) { el.removeAttribute('inert'); el.removeAttribute('aria-hidden'); });
      if (modal.backdrop.parentNode) modal.backdrop.parentNode.removeChild(modal.backdrop);
    }
  }

  function parseExpiry(value) {
    var m = /^\s*(\d{1,2})\s*[/\-. ]?\s*(\d{2}|\d{4})\s*$/.exec(value);
    if (!m) {
      var digits = digitsOf(value);
      if (digits.length !== 4) return null;
      m = [value, digits.slice(0, 2), digits.slice(2)];
    }
    var year = parseInt(m[2], 10);
    return { month: parseInt(m[1], 10), year: m[2].length === 2 ? 2000 + year : year };
  }

  var CSS = [
    '.pn-checkout{--pn-accent:#1a56db;--pn-accent-dark:#1e429f;--pn-text:#1b1f24;--pn-muted:#545b64;--pn-border:#7a818c;--pn-error:#b3261e;--pn-ok:#146c2e;',
    'box-sizing:border-box;width:100%;max-width:28rem;margin:0 auto;padding:1.25rem;background:#fff;color:var(--pn-text);',
    'border:1px solid #d5d9df;border-radius:12px;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;text-align:left}',
    '.pn-checkout *,.pn-checkout *::before,.pn-checkout *::after{box-sizing:border-box}',
    '.pn-checkout [hidden]{display:none!important}',
    '.pn-checkout h2,.pn-checkout h3,.pn-checkout p{margin:0}',
    '.pn-checkout .pn-loading{color:var(--pn-muted);padding:1rem 0}',
    '.pn-checkout .pn-summary{padding-bottom:1rem;margin-bottom:1rem;border-bottom:1px solid #e3e6ea}',
    '.pn-checkout .pn-plan-name{font-size:1.25rem;font-weight:650;line-height:1.3;overflow-wrap:anywhere}',
    '.pn-checkout .pn-due{margin-top:.5rem;display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem .5rem}',
    '.pn-checkout .pn-due-label{color:var(--pn-muted)}',
    '.pn-checkout .pn-due-amount{font-size:1.5rem;font-weight:700}',
    '.pn-checkout .pn-local-hint{color:var(--pn-muted)}',
    '.pn-checkout .pn-terms{margin-top:.25rem;color:var(--pn-muted);font-size:.9375rem}',
    '.pn-checkout fieldset{border:0;margin:0 0 1rem;padding:0;min-width:0}',
    '.pn-checkout .pn-legend{padding:0;margin-bottom:.5rem;font-weight:600}',
    '.pn-checkout .pn-option{display:flex;align-items:center;gap:.625rem;min-height:2.75rem;padding:.5rem .75rem;margin-bottom:.5rem;border:1px solid #c4c9d0;border-radius:8px;cursor:pointer}',
    '.pn-checkout .pn-option:has(input:checked){border-color:var(--pn-accent);box-shadow:0 0 0 1px var(--pn-accent)}',
    '.pn-checkout .pn-option--disabled{color:var(--pn-muted);cursor:not-allowed}',
    '.pn-checkout .pn-option input{width:1.125rem;height:1.125rem;margin:0;flex:none;accent-color:var(--pn-accent)}',
    '.pn-checkout .pn-option-label{overflow-wrap:anywhere}',
    '.pn-checkout .pn-field{margin-bottom:.875rem;min-width:0}',
    '.pn-checkout .pn-label{display:block;margin-bottom:.25rem;font-size:.9375rem;font-weight:500}',
    '.pn-checkout .pn-input{display:block;width:100%;min-height:2.75rem;padding:.5rem .75rem;font:inherit;font-size:16px;color:inherit;background:#fff;',
    'border:1px solid var(--pn-border);border-radius:8px;font-variant-numeric:tabular-nums}',
    '.pn-checkout .pn-input::placeholder{color:#8a9099}',
    '.pn-checkout .pn-input[aria-invalid=true]{border-color:var(--pn-error);box-shadow:0 0 0 1px var(--pn-error)}',
    '.pn-checkout .pn-field-error{margin-top:.25rem;color:var(--pn-error);font-size:.875rem}',
    '.pn-checkout .pn-row{display:flex;flex-wrap:wrap;gap:0 .75rem}',
    '.pn-checkout .pn-row .pn-field{flex:1 1 6.5rem}',
    '.pn-checkout .pn-status:empty{display:none}',
    '.pn-checkout .pn-status{margin:0 0 1rem;padding:.75rem;border-radius:8px;font-size:.9375rem}',
    '.pn-checkout .pn-status--info{background:#eef2f8;color:var(--pn-text)}',
    '.pn-checkout .pn-status--error{background:#fdecea;color:#8c1d18;border:1px solid #f2b8b5}',
    '.pn-checkout .pn-status-message{font-weight:600}',
    '.pn-checkout .pn-pay,.pn-checkout .pn-secondary{display:block;width:100%;min-height:3rem;padding:.625rem 1rem;font:inherit;font-weight:600;border-radius:8px;cursor:pointer}',
    '.pn-checkout .pn-pay{color:#fff;background:var(--pn-accent);border:1px solid var(--pn-accent)}',
    '.pn-checkout .pn-pay:hover:not(:disabled){background:var(--pn-accent-dark)}',
    '.pn-checkout .pn-pay:disabled{opacity:.65;cursor:progress}',
    '.pn-checkout .pn-secondary{color:var(--pn-text);background:#fff;border:1px solid var(--pn-border)}',
    '.pn-checkout .pn-secondary:disabled{opacity:.65}',
    '.pn-checkout :focus{outline:none}',
    '.pn-checkout :focus-visible,.pn-checkout .pn-input:focus{outline:3px solid var(--pn-accent);outline-offset:2px}',
    '.pn-checkout [tabindex="-1"]:focus-visible{outline:none}',
    '.pn-checkout .pn-option:has(input:focus-visible){outline:3px solid var(--pn-accent);outline-offset:2px}',
    '.pn-checkout .pn-secure{margin-top:.75rem;color:var(--pn-muted);font-size:.8125rem;text-align:center}',
    '.pn-checkout .pn-notice{text-align:center;padding:.5rem 0}',
    '.pn-checkout .pn-notice-icon{display:inline-flex;align-items:center;justify-content:center;width:2.5rem;height:2.5rem;border-radius:50%;font-weight:700;font-size:1.25rem;margin-bottom:.5rem;color:#fff;background:var(--pn-error)}',
    '.pn-checkout .pn-notice--success .pn-notice-icon,.pn-checkout .pn-notice--completed .pn-notice-icon{background:var(--pn-ok)}',
    '.pn-checkout .pn-notice--expired .pn-notice-icon{background:#8a5a00}',
    '.pn-checkout .pn-notice-title{font-size:1.125rem;font-weight:650}',
    '.pn-checkout .pn-notice-text{margin-top:.25rem;color:var(--pn-muted)}',
    '.pn-checkout .pn-notice-ref{margin-top:.5rem;font-size:.8125rem;color:var(--pn-muted);overflow-wrap:anywhere}',
    '.pn-checkout .pn-backdrop{position:fixed;inset:0;z-index:2147483000;display:flex;align-items:center;justify-content:center;padding:1rem;background:rgba(15,20,30,.55)}',
    '.pn-checkout .pn-dialog{width:100%;max-width:24rem;padding:1.5rem;background:#fff;color:var(--pn-text);border-radius:12px;box-shadow:0 10px 40px rgba(0,0,0,.3)}',
    '.pn-checkout .pn-dialog-title{font-size:1.125rem;font-weight:650}',
    '.pn-checkout .pn-dialog-text{margin:.5rem 0 1.25rem;color:var(--pn-muted)}',
    '.pn-checkout .pn-dialog-actions{display:grid;gap:.5rem}',
    '@media (max-width:400px){.pn-checkout{padding:1rem;border-radius:0;border-left:0;border-right:0}}',
    '@media (prefers-reduced-motion:no-preference){.pn-checkout .pn-pay,.pn-checkout .pn-input{transition:background-color .15s,border-color .15s}}'
  ].join('\n');

  global.PayNextCheckout = PayNextCheckout;
})(typeof window !== 'undefined' ? window : this);
