//! API tests: the contract of API.md §1–§6 and §12, black-box over HTTP, on
//! both stores (PostgreSQL when `TALLY_TEST_POSTGRES_URL` is set).

mod common;

use common::schema::Schemas;
use common::{KEY, TestApp, one_off_plan, pro_plan};
use serde_json::{Value, json};

fn reference_session() -> Schemas {
    Schemas::load(include_str!("fixtures/reference-client-session.yaml"))
}

fn reference_plan() -> Schemas {
    Schemas::load(include_str!("fixtures/reference-plan.yaml"))
}

async fn seed_example(t: &TestApp) -> Value {
    t.post("/plans", pro_plan("price_pro")).await.expect(201);
    t.put("/admin/exchange-rates", json!({"base": "USD", "as_of": "2025-05-26T00:00:00Z", "rates": {"EUR": 0.9}})).await.expect(200);
    t.post("/client-session", json!({
        "customer": {"email": "jane.doe@example.com", "address": {"country": "DE"}},
        "plan": {"id": "price_pro"},
        "options": {"currency_details": true}
    }))
    .await
    .expect(200)
}

both_stores!(seed_example_matches_reference, |t| {
    let created = seed_example(&t).await;
    let id = created["id"].as_str().unwrap();
    let got = t.get(&format!("/client-session/{id}")).await.expect(200);
    assert_eq!(got, created, "GET answers what POST created");
    let errors = reference_session().validate("main_module_public_api.sessionResponse", &got);
    assert!(errors.is_empty(), "session does not match the reference schema: {errors:#?}");
    let local = &got["currency_details"]["plan"]["local"];
    assert_eq!(local["amount"], 90);
    assert_eq!(local["currency"], "EUR");
    assert_eq!(local["currency_exchange_rate"], 0.9);
    assert_eq!(local["formatted_amount"], "€0.90");
    assert_eq!(local["formatted_amount_rounded"], "€0.99");
    let payment = &got["currency_details"]["plan"]["payment"];
    assert_eq!(payment["formatted_amount"], "$1.00");
    assert_eq!(payment["currency_symbol"], "$");
    assert_eq!(payment["currency_position"], "left");
    assert_eq!(payment["currency_decimals"], 2);
    // A free trial: due now is the trial price.
    assert_eq!(got["currency_details"]["plan"]["due_now"]["payment"]["amount"], 0);
    assert_eq!(got["currency_details"]["plan"]["trial"]["payment"]["amount"], 0);
    assert_eq!(got["plan"]["amount"], 100);
    assert_eq!(got["plan"]["trial"]["interval_count"], 14);
    // expiry_date: 24 h later, microseconds, Z (D-5, D-17).
    assert_eq!(got["expiry_date"], "2025-05-27T10:00:00.000000Z");
});

both_stores!(plan_matches_reference_page, |t| {
    let mut plan = pro_plan("price_1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d");
    plan["price"] = json!({"default": {"amount": 1999, "currency": "AED"},
                           "countries": [{"countries": ["AD"], "price": {"amount": 1999, "currency": "AED"}}]});
    plan["interval"] = json!("days");
    t.post("/plans", plan).await.expect(201);
    let got = t.get("/plans/price_1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d").await.expect(200);
    let errors = reference_plan().validate("Plan", &got);
    assert!(errors.is_empty(), "plan does not match the reference page: {errors:#?}");
    assert_eq!(got["price"]["countries"][0]["countries"], json!(["AD"]));
    assert_eq!(got["type"], "recurring");
    assert_eq!(got["updated_at"], "2025-05-26T10:00:00Z");
    assert!(got.get("archived_at").is_none(), "archived_at is v2 only");
    let v2 = t.get_v2("/plans/price_1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d").await.expect(200);
    assert_eq!(v2["archived_at"], Value::Null);
});

both_stores!(price_resolution_by_country, |t| {
    let mut plan = pro_plan("p");
    plan["price"] = json!({"default": {"amount": 1000, "currency": "USD"},
        "countries": [{"countries": ["DE", "FR"], "price": {"amount": 900, "currency": "EUR"}},
                      {"countries": ["JP"], "price": {"amount": 1500, "currency": "JPY"}}]});
    t.post("/plans", plan).await.expect(201);
    for (country, amount, currency) in [("DE", 900, "EUR"), ("JP", 1500, "JPY"), ("US", 1000, "USD"), ("XK", 1000, "USD")] {
        let s = t.post("/client-session", json!({"customer": {"email": "a@example.com", "country": country},
            "plan": {"id": "p"}, "options": {"currency_details": true}})).await.expect(200);
        assert_eq!((s["plan"]["amount"].as_i64().unwrap(), s["plan"]["currency"].as_str().unwrap()), (amount, currency), "{country}");
    }
    // Kosovo pays USD here but its local currency is EUR (D-12).
    let s = t.post("/client-session", json!({"customer": {"email": "a@example.com", "country": "XK"},
        "plan": {"id": "p"}, "options": {"currency_details": true}})).await.expect(200);
    assert_eq!(s["currency_details"]["plan"]["local"]["currency"], "EUR");
    // Without a country: default price, no `local`.
    let s = t.post("/client-session", json!({"customer": {"email": "a@example.com"},
        "plan": {"id": "p"}, "options": {"currency_details": true}})).await.expect(200);
    assert!(s["currency_details"]["plan"].get("local").is_none());
    // Without currency_details the block is absent, also on GET (D-16).
    let s = t.post("/client-session", json!({"customer": {"email": "a@example.com", "country": "DE"}, "plan": {"id": "p"}})).await.expect(200);
    assert!(s.get("currency_details").is_none());
    let got = t.get(&format!("/client-session/{}", s["id"].as_str().unwrap())).await.expect(200);
    assert!(got.get("currency_details").is_none());
});

both_stores!(authentication_and_scopes, |t| {
    t.post("/plans", pro_plan("p")).await.expect(201);
    let anon = t.send(t.client.get(t.url("/plans/p"))).await;
    anon.error(401, "authentication_failed");
    let malformed = t.send(t.client.get(t.url("/plans/p")).header("Authorization", "Basic abc")).await;
    malformed.error(401, "authentication_failed");
    t.get_as("sk_test_unknown_key_123456", "/plans/p").await.error(401, "authentication_failed");

    let reader = t.key_with(json!({"plans": "read"})).await;
    t.get_as(&reader, "/plans/p").await.expect(200);
    let r = t.call_as(&reader, reqwest::Method::POST, "/plans", &pro_plan("q")).await.error(403, "insufficient_scope");
    assert!(r.message().contains("plans: write"), "{}", r.message());
    t.get_as(&reader, "/customers").await.error(403, "insufficient_scope");
    t.call_as(&reader, reqwest::Method::POST, "/client-session", &json!({})).await.error(403, "insufficient_scope");
    // `read` does not exist for write-only resources.
    t.post("/admin/api-keys", json!({"scopes": {"client_sessions": "read"}})).await.error(400, "invalid_request");
    t.post("/admin/api-keys", json!({"scopes": {"nonsense": "read"}})).await.error(400, "invalid_request");

    // Revocation is immediate.
    let keys = t.get("/admin/api-keys").await.expect(200);
    let scoped = keys.as_array().unwrap().iter().find(|k| k["name"] == "scoped").unwrap();
    assert!(scoped.get("key").is_none(), "secrets are never listed");
    assert_eq!(scoped["scopes"]["plans"], "read");
    assert_eq!(scoped["scopes"]["customers"], "none");
    t.send(t.client.delete(t.url(&format!("/admin/api-keys/{}", scoped["id"].as_str().unwrap()))).bearer_auth(KEY)).await.expect(200);
    t.get_as(&reader, "/plans/p").await.error(401, "authentication_failed");
});

both_stores!(organizations_are_isolated, |t| {
    t.post("/plans", pro_plan("p")).await.expect(201);
    let c = t.post("/customers", json!({"email": "a@example.com"})).await.expect(201);
    let org = t.post("/admin/organizations", json!({"name": "Other", "mode": "live"})).await.expect(201);
    assert_eq!(org["mode"], "live");
    let other = t.post("/admin/api-keys", json!({"name": "k", "organization_id": org["id"]})).await.expect(201);
    let other_key = other["key"].as_str().unwrap();
    assert!(other_key.starts_with("sk_live_"), "live organizations get sk_live_ keys");
    // Another organization's objects answer 404 exactly like missing ones.
    let missing = t.get_as(other_key, "/plans/nope").await.error(404, "resource_missing");
    let foreign = t.get_as(other_key, "/plans/p").await.error(404, "resource_missing");
    assert_eq!(missing.status, foreign.status);
    t.get_as(other_key, &format!("/customers/{}", c["id"].as_str().unwrap())).await.error(404, "resource_missing");
    // The same plan id can exist in both organizations.
    t.call_as(other_key, reqwest::Method::POST, "/plans", &pro_plan("p")).await.expect(201);
    // A non-root organization may not create organizations or keys elsewhere.
    t.call_as(other_key, reqwest::Method::POST, "/admin/organizations", &json!({"name": "x"})).await.error(403, "insufficient_scope");
});

both_stores!(transport_conventions, |t| {
    // X-API-Version: default 1.0.0, 2.0.0 accepted, others 400 naming the supported ones.
    t.post("/plans", pro_plan("p")).await.expect(201);
    let bad = t.send(t.client.get(t.url("/plans/p")).bearer_auth(KEY).header("X-API-Version", "3.0.0")).await;
    let bad = bad.error(400, "unsupported_api_version");
    assert!(bad.message().contains("1.0.0") && bad.message().contains("2.0.0"));
    // 415 without JSON content type, 400 on broken JSON, 413 over 1 MiB.
    let r = t.send(t.client.post(t.url("/plans")).bearer_auth(KEY).body("{}")).await;
    r.error(415, "unsupported_media_type");
    let r = t.send(t.client.post(t.url("/plans")).bearer_auth(KEY).header("content-type", "application/json").body("{\"name\": ")).await;
    r.error(400, "invalid_json");
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));
    let r = t.send(t.client.post(t.url("/plans")).bearer_auth(KEY).header("content-type", "application/json").body(huge)).await;
    r.error(413, "payload_too_large");
    // Wrong types and unknown enum values: 400 naming the field; unknown fields ignored.
    let mut p = pro_plan("q");
    p["interval_count"] = json!("1");
    let r = t.post("/plans", p).await.error(400, "invalid_request");
    assert_eq!(r.param(), "interval_count");
    let mut p = pro_plan("q");
    p["interval"] = json!("weeks");
    assert_eq!(t.post("/plans", p).await.error(400, "invalid_request").param(), "interval");
    let mut p = pro_plan("q");
    p["price"]["default"]["currency"] = json!("XXX");
    assert_eq!(t.post("/plans", p).await.error(400, "invalid_request").param(), "price.default.currency");
    let mut p = pro_plan("q");
    p["some_future_field"] = json!({"a": 1});
    t.post("/plans", p).await.expect(201);
    // Unknown routes and methods answer JSON errors.
    t.get("/nope").await.error(404, "route_not_found");
    t.send(t.client.delete(t.url("/plans/p")).bearer_auth(KEY)).await.error(405, "method_not_allowed");
    // Every response carries a request id.
    let r = t.get("/plans/p").await;
    assert!(r.headers.get("x-request-id").is_some());
});

both_stores!(plan_rules_and_management, |t| {
    let r = t.post("/plans", json!({"name": "x", "type": "one-off", "interval": "months", "price": {"default": {"amount": 1, "currency": "USD"}}})).await;
    assert_eq!(r.error(400, "invalid_request").param(), "interval");
    let mut p = pro_plan("q");
    p["price"]["countries"] = json!([{"countries": ["DE"], "price": {"amount": 1, "currency": "EUR"}},
                                     {"countries": ["FR", "DE"], "price": {"amount": 2, "currency": "EUR"}}]);
    let r = t.post("/plans", p).await.error(400, "invalid_request");
    assert_eq!(r.param(), "price.countries[1].countries");
    assert!(r.message().contains("DE"));
    let mut p = pro_plan("q");
    p["trial_price"] = Value::Null;
    assert_eq!(t.post("/plans", p).await.error(400, "invalid_request").param(), "trial_price");
    let mut p = pro_plan("q");
    p["price"]["default"]["amount"] = json!(0);
    assert_eq!(t.post("/plans", p).await.error(400, "invalid_request").param(), "price.default.amount");
    t.post("/plans", json!({"name": "x", "type": "recurring", "interval": "months", "interval_count": 1})).await.error(400, "invalid_request");

    // `one_off` is accepted and emitted as `one-off`; no interval or trial fields.
    let created = t.post("/plans", json!({"name": "Book", "type": "one_off", "price": {"default": {"amount": 500, "currency": "EUR"}}})).await.expect(201);
    assert_eq!(created["type"], "one-off");
    assert!(created["id"].as_str().unwrap().starts_with("plan_"));
    assert!(created.get("interval").is_none() && created.get("trial_price").is_none());

    t.post("/plans", pro_plan("p")).await.expect(201);
    t.post("/plans", pro_plan("p")).await.error(409, "resource_exists");
    t.advance(jiff::SignedDuration::from_secs(60));
    let patched = t.patch("/plans/p", json!({"name": "Pro 2", "trial_interval": null, "trial_interval_count": null, "trial_price": null})).await.expect(200);
    assert_eq!(patched["name"], "Pro 2");
    assert!(patched.get("trial_price").is_none());
    assert_eq!(patched["updated_at"], "2025-05-26T10:01:00Z");
    assert_eq!(patched["created_at"], "2025-05-26T10:00:00Z");
    t.patch("/plans/p", json!({"interval_count": 0})).await.error(400, "invalid_request");

    let archived = t.post("/plans/p/archive", json!({})).await.expect(200);
    assert!(archived.get("archived_at").is_none(), "v1 hides archived_at");
    let v2 = t.get_v2("/plans/p").await.expect(200);
    assert_eq!(v2["archived_at"], "2025-05-26T10:01:00Z");
    let r = t.post("/client-session", json!({"customer": {"email": "a@example.com"}, "plan": {"id": "p"}})).await;
    r.error(400, "plan_archived");
    t.post("/plans/p/unarchive", json!({})).await.expect(200);
    t.post("/client-session", json!({"customer": {"email": "a@example.com"}, "plan": {"id": "p"}})).await.expect(200);
    t.get("/plans/missing").await.error(404, "resource_missing");
});

both_stores!(v1_lists, |t| {
    for i in 0..25 {
        t.post("/plans", json!({"id": format!("plan-{i:02}"), "name": if i % 5 == 0 { "Gold tier" } else { "Basic" },
            "type": "one-off", "price": {"default": {"amount": 100 + i, "currency": "USD"}}})).await.expect(201);
        t.advance(jiff::SignedDuration::from_secs(1));
    }
    let page = t.get("/plans?limit=10&page=2").await.expect(200);
    assert_eq!(page["meta"], json!({"limit": 10, "page": 2, "pages": 3, "total": 25}));
    assert_eq!(page["data"][0]["id"], "plan-14", "newest first by default");
    let asc = t.get("/plans?limit=3&order=asc").await.expect(200);
    assert_eq!(asc["data"][0]["id"], "plan-00");
    let gold = t.get("/plans?search=GOLD").await.expect(200);
    assert_eq!(gold["meta"]["total"], 5);
    let window = t.get("/plans?from=2025-05-26T10:00:05Z&to=2025-05-26T10:00:09Z").await.expect(200);
    assert_eq!(window["meta"]["total"], 5);
    let by_name = t.get("/plans?sort=name&order=asc&limit=1").await.expect(200);
    assert_eq!(by_name["data"][0]["name"], "Basic");
    assert_eq!(t.get("/plans?limit=0").await.error(400, "invalid_request").param(), "limit");
    assert_eq!(t.get("/plans?limit=1001").await.error(400, "invalid_request").param(), "limit");
    assert_eq!(t.get("/plans?page=0").await.error(400, "invalid_request").param(), "page");
    assert_eq!(t.get("/plans?order=up").await.error(400, "invalid_request").param(), "order");
    assert_eq!(t.get("/plans?sort=price").await.error(400, "invalid_request").param(), "sort");
    assert_eq!(t.get("/plans?from=yesterday").await.error(400, "invalid_request").param(), "from");
    let literal = t.get("/plans?search=%25").await.expect(200);
    assert_eq!(literal["meta"]["total"], 0, "% is matched literally");
    t.get_v2("/plans").await.error(400, "unsupported_in_version");
});

both_stores!(customers_crud_and_list, |t| {
    let c = t.post("/customers", json!({"email": "Jane.Doe@Example.com", "external_id": "u-1", "full_name": "Jane Doe",
        "address": {"line1": "Main St 1", "city": "Berlin", "country": "DE"}, "metadata": {"plan": "gold"}})).await.expect(201);
    let id = c["id"].as_str().unwrap();
    assert!(id.starts_with("cus_"));
    assert_eq!(c["payment_methods"], json!([]));
    assert_eq!(c["subscriptions"], json!([]));
    assert!(c.get("object").is_none());
    assert_eq!(t.get_v2(&format!("/customers/{id}")).await.expect(200)["object"], "customer");
    let patched = t.patch(&format!("/customers/{id}"), json!({"full_name": null, "phone": "+49 30 123"})).await.expect(200);
    assert_eq!(patched["full_name"], Value::Null);
    assert_eq!(patched["phone"], "+49 30 123");
    assert_eq!(patched["email"], "Jane.Doe@Example.com", "absent fields stay");
    let r = t.post("/customers", json!({"email": "not-an-email"})).await.error(400, "invalid_request");
    assert_eq!(r.param(), "email");
    let r = t.post("/customers", json!({"address": {"country": "ZZ"}})).await.error(400, "invalid_request");
    assert_eq!(r.param(), "address.country");
    t.post("/customers", json!({"external_id": "u-1"})).await.error(409, "resource_exists");
    let too_many: serde_json::Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    assert_eq!(t.post("/customers", json!({"metadata": too_many})).await.error(400, "invalid_request").param(), "metadata");
    let long_value = json!({"metadata": {"k": "v".repeat(501)}});
    assert_eq!(t.post("/customers", long_value).await.error(400, "invalid_request").param(), "metadata.k");
    t.post("/customers", json!({"email": "bob@example.com"})).await.expect(201);
    let found = t.get("/customers?search=jane.doe").await.expect(200);
    assert_eq!(found["meta"]["total"], 1);
    assert_eq!(t.get("/customers").await.expect(200)["meta"]["total"], 2);
});

both_stores!(session_flows_and_rules, |t| {
    t.post("/plans", pro_plan("sub")).await.expect(201);
    t.post("/plans", one_off_plan("once", 2500)).await.expect(201);
    let cus = t.post("/customers", json!({"email": "c@example.com", "address": {"country": "FR"}})).await.expect(201);
    let cus_id = cus["id"].as_str().unwrap();

    // One-time charge for an existing customer: customer from the record.
    let s = t.post("/client-session", json!({"customer": {"id": cus_id}, "plan": {"id": "once"},
        "payment": {"metadata": {"order": "42"}}})).await.expect(200);
    assert_eq!(s["customer"]["id"], cus_id);
    assert_eq!(s["customer"]["address"]["country"], "FR");
    assert_eq!(s["payment"]["metadata"]["order"], "42");
    assert_eq!(s["plan"]["type"], "one-off");

    let cases = [
        (json!({"plan": {"id": "sub"}}), "customer"),
        (json!({"customer": {"country": "DE"}, "plan": {"id": "sub"}}), "customer.email"),
        (json!({"customer": {"email": "x@example.com"}}), "plan.id"),
        (json!({"customer": {"email": "nope"}, "plan": {"id": "sub"}}), "customer.email"),
        (json!({"customer": {"id": cus_id, "email": "x@example.com"}, "plan": {"id": "once"}}), "customer.email"),
        (json!({"customer": {"email": "x@example.com", "country": "QQ"}, "plan": {"id": "sub"}}), "customer.country"),
        (json!({"customer": {"email": "x@example.com", "country": "DE", "address": {"country": "FR"}}, "plan": {"id": "sub"}}), "customer.country"),
        (json!({"customer": {"email": "x@example.com"}, "plan": {"id": "sub"}, "subscription": {"proration_billing_mode": "full_immediately"}}), "subscription.proration_billing_mode"),
        (json!({"customer": {"email": "x@example.com"}, "plan": {"id": "sub"}, "subscription": {"id": "sub_1"}}), "subscription.id"),
        (json!({"customer": {"email": "x@example.com"}, "plan": {"id": "sub"}, "options": {"payment_methods_mode": "sometimes"}}), "options.payment_methods_mode"),
    ];
    for (body, param) in cases {
        let r = t.post("/client-session", body.clone()).await.error(400, "invalid_request");
        assert_eq!(r.param(), param, "{body}");
    }
    // A recurring plan with customer.id and no subscription is not a flow.
    t.post("/client-session", json!({"customer": {"id": cus_id}, "plan": {"id": "sub"}})).await.error(400, "invalid_flow");
    // Change-plan and recovery wait for subscriptions.
    t.post("/client-session", json!({"customer": {"id": cus_id}, "plan": {"id": "sub"}, "subscription": {"id": "sub_x"}})).await.error(400, "flow_unavailable");
    t.post("/client-session", json!({"customer": {"id": cus_id}, "subscription": {"id": "sub_x"}})).await.error(400, "flow_unavailable");
    let r = t.post("/client-session", json!({"customer": {"id": "cus_missing"}, "plan": {"id": "once"}})).await.error(404, "resource_missing");
    assert_eq!(r.param(), "customer.id");
    let r = t.post("/client-session", json!({"customer": {"email": "a@example.com"}, "plan": {"id": "nope"}})).await.error(404, "resource_missing");
    assert_eq!(r.param(), "plan.id");
    t.get("/client-session/00000000-0000-0000-0000-000000000000").await.error(404, "resource_missing");
});

both_stores!(session_patch_and_expiry, |t| {
    let mut plan = pro_plan("p");
    plan["price"]["countries"] = json!([{"countries": ["PL"], "price": {"amount": 4500, "currency": "PLN"}}]);
    t.post("/plans", plan).await.expect(201);
    let s = t.post("/client-session", json!({"customer": {"email": "a@example.com", "country": "US"}, "plan": {"id": "p"},
        "options": {"currency_details": true}})).await.expect(200);
    let id = s["id"].as_str().unwrap().to_string();
    let patched = t.patch(&format!("/client-session/{id}"), json!({"customer": {"address": {"country": "PL"}, "metadata": {"a": "b"}},
        "subscription": {"metadata": {"s": "1"}}})).await.expect(200);
    assert_eq!(patched["plan"]["amount"], 4500);
    assert_eq!(patched["plan"]["currency"], "PLN");
    assert_eq!(patched["customer"]["metadata"]["a"], "b");
    assert_eq!(patched["subscription"]["metadata"]["s"], "1");
    assert_eq!(patched["currency_details"]["plan"]["payment"]["formatted_amount"], "45.00 zł");
    assert_eq!(patched["currency_details"]["plan"]["payment"]["currency_position"], "right");
    let off = t.patch(&format!("/client-session/{id}"), json!({"options": {"currency_details": false}})).await.expect(200);
    assert!(off.get("currency_details").is_none());
    // Expiry: GET still answers, PATCH is refused.
    t.advance(jiff::SignedDuration::from_hours(25));
    let got = t.get(&format!("/client-session/{id}")).await.expect(200);
    assert_eq!(got["expiry_date"], "2025-05-27T10:00:00.000000Z");
    t.patch(&format!("/client-session/{id}"), json!({"payment": {"metadata": {}}})).await.error(400, "session_expired");
});

both_stores!(exchange_rates_admin, |t| {
    let all = t.get("/admin/exchange-rates").await.expect(200);
    assert_eq!(all["base"], "USD");
    assert!(all["rates"].as_object().unwrap().len() >= 163, "every currency has a default rate");
    let put = t.put("/admin/exchange-rates", json!({"base": "USD", "as_of": "2030-01-01T00:00:00Z", "rates": {"EUR": "0.95", "JPY": 150}})).await.expect(200);
    assert_eq!(put["rates"]["EUR"], "0.95");
    assert_eq!(put["rates"]["JPY"], "150");
    assert_eq!(put["as_of"], "2030-01-01T00:00:00Z");
    assert_eq!(put["rates"]["GBP"], all["rates"]["GBP"], "a partial table leaves the rest");
    assert_eq!(t.put("/admin/exchange-rates", json!({"as_of": "2030-01-01T00:00:00Z", "rates": {"EUR": 0}})).await.error(400, "invalid_request").param(), "rates.EUR");
    assert_eq!(t.put("/admin/exchange-rates", json!({"as_of": "2030-01-01T00:00:00Z", "rates": {"XYZ": 1}})).await.error(400, "invalid_request").param(), "rates.XYZ");
    assert_eq!(t.put("/admin/exchange-rates", json!({"base": "EUR", "as_of": "2030-01-01T00:00:00Z", "rates": {"USD": 1}})).await.error(400, "invalid_request").param(), "base");
    assert_eq!(t.put("/admin/exchange-rates", json!({"as_of": "soon", "rates": {"EUR": 1}})).await.error(400, "invalid_request").param(), "as_of");
    assert_eq!(t.put("/admin/exchange-rates", json!({"as_of": "2030-01-01T00:00:00Z", "rates": {"EUR": "abc"}})).await.error(400, "invalid_request").param(), "rates.EUR");
    // A JPY customer: 0-decimal charm rounding from the new rate.
    t.post("/plans", pro_plan("p")).await.expect(201);
    let mut plan = one_off_plan("big", 999);
    plan["price"]["default"]["amount"] = json!(1999);
    t.post("/plans", plan).await.expect(201);
    let s = t.post("/client-session", json!({"customer": {"email": "a@example.com", "country": "JP"}, "plan": {"id": "big"},
        "options": {"currency_details": true}})).await.expect(200);
    let local = &s["currency_details"]["plan"]["local"];
    assert_eq!(local["amount"], 2999, "19.99 USD × 150 = 2998.5 → 2999 JPY (half away from zero)");
    assert_eq!(local["formatted_amount"], "¥2,999");
    assert_eq!(local["formatted_amount_rounded"], "¥2,999");
    assert_eq!(local["currency_decimals"], 0);
});

both_stores!(idempotency_keys, |t| {
    let send = |key: &'static str, body: Value| {
        let req = t.client.post(t.url("/customers")).bearer_auth(KEY).header("Idempotency-Key", key).json(&body);
        t.send(req)
    };
    let first = send("k1", json!({"email": "a@example.com"})).await;
    assert_eq!(first.status, 201);
    let again = send("k1", json!({"email": "a@example.com"})).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "the stored answer is replayed");
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    send("k1", json!({"email": "b@example.com"})).await.error(409, "idempotency_conflict");
    assert_eq!(t.get("/customers").await.expect(200)["meta"]["total"], 1);

    // Two identical requests at once: one customer, one of them replays or waits.
    let (a, b) = tokio::join!(send("k2", json!({"email": "c@example.com"})), send("k2", json!({"email": "c@example.com"})));
    let statuses = [a.status, b.status];
    assert!(statuses.contains(&201), "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    assert_eq!(t.get("/customers").await.expect(200)["meta"]["total"], 2, "exactly one object for one key");
    // Validation errors are stored too: the retry answers the same 400.
    send("k3", json!({"email": "bad"})).await.error(400, "invalid_request");
    send("k3", json!({"email": "bad"})).await.error(400, "invalid_request");
    // Keys expire after 24 h.
    t.advance(jiff::SignedDuration::from_hours(25));
    let fresh = send("k1", json!({"email": "b@example.com"})).await;
    assert_eq!(fresh.status, 201);
    // A claim left unfinished by a server that stopped mid-request: in progress
    // at first, free to run again once abandoned.
    let org = t.app.root_organization().await.unwrap().unwrap().id;
    t.app.idempotency_claim(&org, "k4", "some-other-request").await.unwrap();
    send("k4", json!({"email": "d@example.com"})).await.error(409, "idempotency_conflict");
    t.app.idempotency_claim(&org, "k5", "x").await.unwrap();
    t.advance(jiff::SignedDuration::from_mins(6));
    let mut conn = t.app.db.conn().await.unwrap();
    let before = tally_store::idempotency::get(conn.ex(), &org, "k5").await.unwrap().unwrap();
    assert!(before.status_code.is_none(), "still marked running");
    drop(conn);
    assert_eq!(send("k5", json!({"email": "e@example.com"})).await.status, 201, "an abandoned claim is taken over");
    // Finished records past the retention are purged; younger ones stay.
    t.advance(jiff::SignedDuration::from_hours(23));
    assert_eq!(t.app.purge_idempotency_keys().await.unwrap(), 2, "k2 and k3 are older than 24 h");
    let kept = send("k5", json!({"email": "e@example.com"})).await;
    assert_eq!(kept.headers.get("idempotent-replayed").unwrap(), "true", "k5 is 23 h old and still replays");
});

both_stores!(operations_endpoints, |t| {
    let h = t.send(t.client.get(t.url("/healthz"))).await;
    assert_eq!(h.status, 200);
    assert_eq!(t.send(t.client.get(t.url("/readyz"))).await.status, 200);
    t.get("/plans/x").await;
    let metrics = t.client.get(t.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("tally_http_requests_total"), "{metrics}");
    let doc = t.send(t.client.get(t.url("/openapi.json"))).await.expect(200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/plans", "/plans/{id}", "/customers", "/customers/{id}", "/client-session", "/client-session/{id}",
        "/admin/api-keys", "/admin/organizations", "/admin/exchange-rates"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from OpenAPI");
    }
    let docs = t.client.get(t.url("/docs")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("openapi.json"));
});

both_stores!(concurrent_sessions_on_a_cold_cache, |t| {
    // Many creations at once while nothing is cached: no request may wait for a
    // pooled connection that another waiting request holds (this once hung).
    t.post("/plans", pro_plan("p")).await.expect(201);
    let body = json!({"customer": {"email": "a@example.com", "country": "DE"}, "plan": {"id": "p"}, "options": {"currency_details": true}});
    let all = futures::future::join_all((0..48).map(|_| t.post("/client-session", body.clone())));
    let results = tokio::time::timeout(std::time::Duration::from_secs(20), all).await.expect("no request hangs");
    let mut ids = std::collections::HashSet::new();
    for r in results {
        let b = r.expect(200);
        assert!(ids.insert(b["id"].as_str().unwrap().to_string()));
    }
    // Every one of them was written (group commit acknowledges only written rows).
    for id in ids.iter().take(5) {
        t.app.cache.sessions.clear();
        t.get(&format!("/client-session/{id}")).await.expect(200);
    }
});
