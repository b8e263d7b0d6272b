//! Checkout and payments (§6.1, §7, §8) over HTTP on both stores: every card of
//! the sandbox table, saved cards, 3-D Secure, exactly-once completion, POST
//! /payments, refunds, and no card number in the store.

mod common;

use common::{TestApp, one_off_plan, pro_plan};
use serde_json::{Value, json};

fn card(number: &str) -> Value {
    json!({"card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123", "postal_code": "10115"}})
}

async fn session(t: &TestApp, body: Value) -> String {
    t.post("/client-session", body).await.expect(200)["id"].as_str().unwrap().to_string()
}

/// Public call: no API key.
async fn complete(t: &TestApp, id: &str, body: Value) -> common::Res {
    t.send(t.client.post(t.url(&format!("/client-session/{id}/complete"))).json(&body)).await
}

async fn new_customer_checkout(t: &TestApp, plan: &str, number: &str) -> (String, Value) {
    let email = format!("buyer-{}@example.com", uuid::Uuid::new_v4().simple());
    let id = session(t, json!({"customer": {"email": email, "country": "DE"}, "plan": {"id": plan}})).await;
    let r = complete(t, &id, card(number)).await.expect(200);
    (id, r)
}

both_stores!(every_sandbox_card, |t| {
    t.post("/plans", one_off_plan("once", 1500)).await.expect(201);
    let table = [
        ("4242424242424242", "SETTLED", None),
        ("4111111111111111", "SETTLED", None),
        ("5555555555554444", "SETTLED", None),
        ("4000000000009995", "DECLINED", Some(("insufficient_funds", "try_again_later"))),
        ("4000000000000002", "DECLINED", Some(("card_declined", "try_again_later"))),
        ("4000000000000069", "DECLINED", Some(("expired_card", "do_not_try_again"))),
        ("4000000000009979", "DECLINED", Some(("card_lost_or_stolen", "do_not_try_again"))),
        ("4000000000000119", "FAILED", Some(("processor_error", "try_again_later"))),
        ("4000000000000341", "SETTLED", None),
        ("6011000990139424", "SETTLED", None),
    ];
    for (number, status, reason) in table {
        let (_, r) = new_customer_checkout(&t, "once", number).await;
        assert_eq!(r["status"], status, "{number}: {r}");
        match reason {
            None => assert_eq!(r["status_reason"], Value::Null),
            Some((code, advice)) => {
                assert_eq!(r["status_reason"]["decline_code"], code, "{number}");
                assert_eq!(r["status_reason"]["advice_code"], advice, "{number}");
                assert!(!r["status_reason"]["message"].as_str().unwrap().is_empty());
            }
        }
        let p = t.get(&format!("/payments/{}", r["payment_id"].as_str().unwrap())).await.expect(200);
        assert_eq!(p["payment_status"], status);
        assert_eq!(p["payment_type"], "CIT");
        assert_eq!(p["amount"], 1500);
        assert_eq!(p["currency_code"], "USD");
        assert_eq!(p["amount_usd"], 1500);
        assert_eq!(p["payment_method"]["details"]["last4"], &number[12..]);
        assert_eq!(p["payment_method"]["type"], "CARD");
        assert!(p["customer"].get("payment_methods").is_none(), "embedded customer is a summary");
    }
    // Invalid card input: 400 naming the field, nothing charged.
    let id = session(&t, json!({"customer": {"email": "x@example.com"}, "plan": {"id": "once"}})).await;
    let r = complete(&t, &id, card("4242424242424241")).await.error(400, "invalid_card_number");
    assert_eq!(r.param(), "card.number");
    let r = complete(&t, &id, json!({"card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2020, "cvc": "123"}})).await;
    assert_eq!(r.error(400, "expired_card").param(), "card.exp_year");
    let r = complete(&t, &id, json!({"card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "1"}})).await;
    assert_eq!(r.error(400, "invalid_cvc").param(), "card.cvc");
    complete(&t, &id, json!({})).await.error(400, "invalid_request");
});

both_stores!(checkout_of_a_recurring_plan, |t| {
    let mut plan = pro_plan("pro");
    plan["trial_price"] = json!({"default": {"amount": 100, "currency": "USD"}});
    t.post("/plans", plan).await.expect(201);
    let id = session(&t, json!({"customer": {"email": "Jane@Example.com", "external_id": "u-7", "country": "DE", "metadata": {"src": "ads"}},
        "plan": {"id": "pro"}, "subscription": {"metadata": {"seat": "1"}}, "payment": {"metadata": {"order": "9"}}})).await;
    // The checkout page's view, without a key.
    let view = t.send(t.client.get(t.url(&format!("/client-session/{id}/checkout")))).await.expect(200);
    assert_eq!(view["status"], "open");
    assert_eq!(view["due_now"]["payment"]["formatted_amount"], "$1.00");
    assert_eq!(view["due_now"]["local"]["currency"], "EUR");
    // A decline keeps the session usable; the next card completes it.
    let declined = complete(&t, &id, card("4000000000000002")).await.expect(200);
    assert_eq!(declined["status"], "DECLINED");
    let ok = complete(&t, &id, card("4242424242424242")).await.expect(200);
    assert_eq!(ok["status"], "SETTLED");
    complete(&t, &id, card("4242424242424242")).await.error(400, "session_completed");

    let s = t.get(&format!("/client-session/{id}")).await.expect(200);
    let customer_id = s["customer"]["id"].as_str().unwrap().to_string();
    let sub_id = s["subscription"]["id"].as_str().unwrap().to_string();
    let payment = t.get(&format!("/payments/{}", ok["payment_id"].as_str().unwrap())).await.expect(200);
    assert_eq!(payment["amount"], 100, "the trial price is due now");
    assert_eq!(payment["metadata"]["order"], "9");
    assert_eq!(payment["subscription"], json!({"id": sub_id, "status": "trial"}));
    assert_eq!(payment["customer"]["id"], customer_id.as_str());
    let c = t.get(&format!("/customers/{customer_id}")).await.expect(200);
    assert_eq!(c["email"], "Jane@Example.com");
    assert_eq!(c["external_id"], "u-7");
    assert_eq!(c["metadata"]["src"], "ads");
    assert_eq!(c["address"]["country"], "DE");
    let pms = c["payment_methods"].as_array().unwrap();
    assert_eq!(pms.len(), 1, "only the card that paid is saved: {pms:?}");
    assert_eq!(pms[0]["details"]["last4"], "4242");
    assert_eq!(pms[0]["details"]["bin_data"]["brand"], "visa");
    let sub = &c["subscriptions"][0];
    assert_eq!(sub["id"], sub_id.as_str());
    assert_eq!(sub["status"], "trial");
    assert_eq!(sub["metadata"]["seat"], "1");
    assert_eq!(sub["plan"]["price"], json!({"amount": 100, "currency": "USD"}));
    assert_eq!(sub["current_period_start"], "2025-05-26T10:00:00Z");
    assert_eq!(sub["current_period_end"], "2025-06-09T10:00:00Z", "a 14-day trial is the first period");
    assert_eq!(sub["next_billing_date"], "2025-06-09T10:00:00Z");
    assert!(sub.get("customer").is_none());

    // Plan edits never touch the sold terms.
    t.patch("/plans/pro", json!({"price": {"default": {"amount": 999, "currency": "USD"}}})).await.expect(200);
    let c = t.get(&format!("/customers/{customer_id}")).await.expect(200);
    assert_eq!(c["subscriptions"][0]["plan"]["price"]["amount"], 100);

    // A returning customer (matched by external id) pays a one-off with the saved card.
    t.post("/plans", one_off_plan("addon", 700)).await.expect(201);
    let again = session(&t, json!({"customer": {"id": customer_id}, "plan": {"id": "addon"}})).await;
    let view = t.send(t.client.get(t.url(&format!("/client-session/{again}/checkout")))).await.expect(200);
    let saved = view["saved_payment_methods"][0]["id"].as_str().unwrap().to_string();
    let r = complete(&t, &again, json!({"payment_method_id": saved})).await.expect(200);
    assert_eq!(r["status"], "SETTLED");
    let matched = session(&t, json!({"customer": {"email": "other@example.com", "external_id": "u-7"}, "plan": {"id": "addon"}})).await;
    let r = complete(&t, &matched, card("5555555555554444")).await.expect(200);
    let p = t.get(&format!("/payments/{}", r["payment_id"].as_str().unwrap())).await.expect(200);
    assert_eq!(p["customer"]["id"], customer_id.as_str(), "matched by external_id");
    // Someone else's saved card is refused.
    let stranger = session(&t, json!({"customer": {"email": "s@example.com"}, "plan": {"id": "addon"}})).await;
    complete(&t, &stranger, json!({"payment_method_id": saved})).await.error(404, "resource_missing");
});

both_stores!(three_d_secure_and_free_trial, |t| {
    t.post("/plans", pro_plan("pro")).await.expect(201);
    t.post("/plans", one_off_plan("once", 2000)).await.expect(201);
    for (result, status) in [("pass", "SETTLED"), ("abandon", "INCOMPLETE")] {
        let (id, r) = new_customer_checkout(&t, "once", "4000000000003220").await;
        assert_eq!(r["status"], "PENDING");
        assert_eq!(r["next_action"]["type"], "three_d_secure");
        let challenge = r["next_action"]["challenge_id"].as_str().unwrap();
        let url = t.url(&format!("/client-session/{id}/three-d-secure"));
        let done = t.send(t.client.post(&url).json(&json!({"challenge_id": challenge, "result": result}))).await.expect(200);
        assert_eq!(done["status"], status);
        assert_eq!(done["payment_id"], r["payment_id"]);
        if status == "INCOMPLETE" {
            assert_eq!(done["status_reason"]["decline_code"], "authentication_failed");
            // The session stays usable.
            assert_eq!(complete(&t, &id, card("4242424242424242")).await.expect(200)["status"], "SETTLED");
        }
        t.send(t.client.post(&url).json(&json!({"challenge_id": challenge, "result": "pass"}))).await;
    }
    // A free trial: nothing is charged, the card is saved, the subscription is in trial.
    let (id, r) = new_customer_checkout(&t, "pro", "4242424242424242").await;
    assert_eq!(r["status"], "SETTLED");
    let p = t.get(&format!("/payments/{}", r["payment_id"].as_str().unwrap())).await.expect(200);
    assert_eq!(p["amount"], 0);
    assert_eq!(p["subscription"]["status"], "trial");
    let view = t.send(t.client.get(t.url(&format!("/client-session/{id}/checkout")))).await.expect(200);
    assert_eq!(view["status"], "completed");
    assert_eq!(view["payment_id"], r["payment_id"]);
});

both_stores!(concurrent_completes_charge_once, |t| {
    t.post("/plans", one_off_plan("once", 1000)).await.expect(201);
    let id = session(&t, json!({"customer": {"email": "race@example.com"}, "plan": {"id": "once"}})).await;
    let attempts = (0..6).map(|_| complete(&t, &id, card("4242424242424242")));
    let results = futures::future::join_all(attempts).await;
    let settled = results.iter().filter(|r| r.status == 200 && r.body["status"] == "SETTLED").count();
    assert_eq!(settled, 1, "{:?}", results.iter().map(|r| (r.status, r.body.clone())).collect::<Vec<_>>());
    for r in &results {
        assert!(r.status == 200 || r.code() == "checkout_in_progress" || r.code() == "session_completed", "{}", r.body);
    }
    let payments = t.get("/payments").await.expect(200);
    assert_eq!(payments["meta"]["total"], 1, "exactly one charge");
});

both_stores!(api_payments_and_refunds, |t| {
    t.post("/plans", one_off_plan("once", 5000)).await.expect(201);
    let mut plan = pro_plan("monthly");
    plan["trial_interval"] = Value::Null;
    plan["trial_interval_count"] = Value::Null;
    plan["trial_price"] = Value::Null;
    plan["price"]["default"]["amount"] = json!(1200);
    t.post("/plans", plan).await.expect(201);
    let (sid, _) = new_customer_checkout(&t, "once", "4242424242424242").await;
    let customer = t.get(&format!("/client-session/{sid}")).await.expect(200)["customer"]["id"].as_str().unwrap().to_string();

    // POST /payments charges the saved card (MIT) and starts a subscription for a recurring plan.
    let p = t.post("/payments", json!({"customer": {"id": customer}, "plan": {"id": "monthly"}, "metadata": {"k": "v"}})).await.expect(201);
    assert_eq!(p["payment_status"], "SETTLED");
    assert_eq!(p["payment_type"], "MIT");
    assert_eq!(p["amount"], 1200);
    assert_eq!(p["subscription"]["status"], "active");
    let c = t.get(&format!("/customers/{customer}")).await.expect(200);
    let sub = &c["subscriptions"][0];
    assert_eq!(sub["current_period_end"], "2025-06-26T10:00:00Z");
    t.post("/payments", json!({"customer": {"id": customer}})).await.error(400, "invalid_request");
    t.post("/payments", json!({"customer": {"id": customer}, "plan": {"id": "once"}, "payment_method_id": "pm_nope"})).await.error(404, "resource_missing");
    let nobody = t.post("/customers", json!({"email": "n@example.com"})).await.expect(201);
    t.post("/payments", json!({"customer": {"id": nobody["id"]}, "plan": {"id": "once"}})).await.error(400, "invalid_request");

    // A card that attaches but fails later charges: declined MIT, 201, no subscription.
    let (sid2, _) = new_customer_checkout(&t, "once", "4000000000000341").await;
    let weak = t.get(&format!("/client-session/{sid2}")).await.expect(200)["customer"]["id"].as_str().unwrap().to_string();
    let declined = t.post("/payments", json!({"customer": {"id": weak}, "plan": {"id": "monthly"}})).await.expect(201);
    assert_eq!(declined["payment_status"], "DECLINED");
    assert_eq!(declined["status_reason"]["decline_code"], "insufficient_funds");
    assert_eq!(declined["subscription"], Value::Null);

    // Refunds: partial, then the rest; never beyond; declined payments are not refundable.
    let pid = p["id"].as_str().unwrap();
    let r1 = t.post(&format!("/payments/refund/{pid}"), json!({"amount": 200, "reason": "goodwill"})).await.expect(201);
    assert_eq!(r1["amount"], 200);
    assert_eq!(r1["status"], "SUCCEEDED");
    assert!(r1["id"].as_str().unwrap().starts_with("re_"));
    assert_eq!(r1["payment"]["refunded_amount"], 200);
    assert_eq!(r1["payment"]["payment_status"], "SETTLED", "a refund keeps the status");
    let over = t.post(&format!("/payments/refund/{pid}"), json!({"amount": 1001})).await.error(400, "invalid_request");
    assert_eq!(over.param(), "amount");
    t.post(&format!("/payments/refund/{pid}"), json!({"amount": 0})).await.error(400, "invalid_request");
    let rest = t.post(&format!("/payments/refund/{pid}"), json!({})).await.expect(201);
    assert_eq!(rest["amount"], 1000);
    assert_eq!(rest["payment"]["refunded_amount"], 1200);
    t.post(&format!("/payments/refund/{pid}"), json!({})).await.error(400, "invalid_request");
    let dpid = declined["id"].as_str().unwrap();
    t.post(&format!("/payments/refund/{dpid}"), json!({})).await.error(400, "payment_not_refundable");
    t.post("/payments/refund/pay_missing", json!({})).await.error(404, "resource_missing");

    // Concurrent refunds never exceed the amount.
    let other = t.post("/payments", json!({"customer": {"id": customer}, "plan": {"id": "once"}})).await.expect(201);
    let oid = other["id"].as_str().unwrap().to_string();
    let url = format!("/payments/refund/{oid}");
    let tries = (0..4).map(|_| t.post(&url, json!({"amount": 2000})));
    let results = futures::future::join_all(tries).await;
    assert_eq!(results.iter().filter(|r| r.status == 201).count(), 2, "5000 fits two refunds of 2000: {:?}", results.iter().map(|r| r.body.clone()).collect::<Vec<_>>());
    assert_eq!(t.get(&format!("/payments/{oid}")).await.expect(200)["refunded_amount"], 4000);

    // Lists and scopes.
    let list = t.get("/payments?limit=2").await.expect(200);
    assert_eq!(list["meta"]["limit"], 2);
    assert!(list["meta"]["total"].as_i64().unwrap() >= 4);
    let found = t.get(&format!("/payments?search={}", &customer[4..14])).await.expect(200);
    assert!(found["meta"]["total"].as_i64().unwrap() >= 3);
    let reader = t.key_with(json!({"payments": "read"})).await;
    t.get_as(&reader, &format!("/payments/{pid}")).await.expect(200);
    t.call_as(&reader, reqwest::Method::POST, &format!("/payments/refund/{pid}"), &json!({})).await.error(403, "insufficient_scope");
});

both_stores!(no_card_number_at_rest, |t| {
    t.post("/plans", one_off_plan("once", 1000)).await.expect(201);
    new_customer_checkout(&t, "once", "4242424242424242").await;
    new_customer_checkout(&t, "once", "4000000000009995").await;
    // Search every text column of every table for the numbers and the CVC-bearing JSON.
    let mut conn = t.app.db.conn().await.unwrap();
    let dump = dump_text(&mut conn).await;
    for needle in ["4242424242424242", "4000000000009995", "\"cvc\""] {
        assert!(!dump.contains(needle), "`{needle}` found in the store");
    }
    assert!(dump.contains("4242"), "the dump does see the last4 (the search works)");
});

async fn dump_text(conn: &mut tally_store::Conn) -> String {
    let tables = ["customers", "payment_methods", "payments", "client_sessions", "subscriptions", "refunds", "idempotency_keys"];
    let mut out = String::new();
    for table in tables {
        let sql = match conn {
            tally_store::Conn::Sqlite(_) => format!("SELECT json_group_array(json_object('*', t.rowid)) || (SELECT group_concat(quote(x), '|') FROM (SELECT * FROM {table}) AS x) FROM {table} t"),
            tally_store::Conn::Postgres(_) => format!("SELECT COALESCE(string_agg(x::text, '|'), '') FROM {table} x"),
        };
        let text: Option<String> = match conn {
            tally_store::Conn::Sqlite(c) => {
                // SQLite has no row-to-text cast: concatenate every column.
                let cols: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{table}')")))
                    .fetch_all(&mut **c).await.unwrap();
                let expr = cols.iter().map(|(n,)| format!("COALESCE(CAST({n} AS TEXT), '')")).collect::<Vec<_>>().join(" || '|' || ");
                let _ = sql;
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT group_concat({expr}, '\n') FROM {table}")))
                    .fetch_one(&mut **c).await.unwrap()
            }
            tally_store::Conn::Postgres(c) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut **c).await.unwrap(),
        };
        out.push_str(&text.unwrap_or_default());
    }
    out
}
