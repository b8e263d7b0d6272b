//! The browser side of checkout (§7): the SDK, the hosted page, and the public
//! calls that know only the session id (CORS-enabled, rate-limited per session).

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Json;
use crate::wire::{
    ChallengeBody, CheckoutObject, CompleteBody, CompletionObject, SavedCardObject,
};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tally_app::checkout::PayWith;
use tally_core::clock::rfc3339_micros;

const SDK: &str = include_str!("../../../../web/checkout/checkout.js");
const PAGE: &str = include_str!("../../../../web/checkout/page.html");

/// Attempts per session per window: enough for a person trying a few cards,
/// too few for card testing.
const ATTEMPTS: u32 = 20;
const WINDOW: Duration = Duration::from_secs(600);

/// A fixed-window counter per session id.
#[derive(Default)]
pub struct Limiter(Mutex<HashMap<String, (Instant, u32)>>);

impl Limiter {
    fn check(&self, key: &str) -> Result<(), ApiError> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = map.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > ATTEMPTS {
            return Err(ApiError::new("rate_limited", "too many payment attempts for this checkout; wait a few minutes and try again"));
        }
        Ok(())
    }
}

fn is_session_id(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok()
}

pub async fn sdk() -> Response {
    ([(header::CONTENT_TYPE, "application/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")], SDK).into_response()
}

pub async fn page(Path(id): Path<String>) -> Response {
    if !is_session_id(&id) {
        return (StatusCode::NOT_FOUND, Html("<!doctype html><title>Checkout not found</title><p>This checkout link is not valid.</p>")).into_response();
    }
    let quoted = serde_json::to_string(&id).expect("a string serializes");
    Html(PAGE.replace("{{CLIENT_SESSION_ID}}", &quoted)).into_response()
}

/// What the checkout page shows of a session.
#[utoipa::path(get, path = "/client-session/{id}/checkout", tag = "Checkout", security(()),
    params(("id" = String, Path, description = "Client session id")),
    responses((status = 200, description = "OK", body = CheckoutObject), (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn view(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<axum::Json<CheckoutObject>> {
    let v = s.app.checkout_view(&id).await?;
    let session = v.session;
    let prices = v.prices;
    Ok(axum::Json(CheckoutObject {
        id: session.id,
        expiry_date: rfc3339_micros(session.expires_at),
        status: v.status,
        payment_methods_mode: session.options.payment_methods_mode,
        plan: session.plan.into(),
        price: tally_core::pricing::DueNowPrice { payment: prices.payment, local: prices.local },
        trial: prices.trial,
        due_now: prices.due_now,
        saved_payment_methods: v
            .saved
            .into_iter()
            .map(|m| SavedCardObject {
                id: m.id,
                brand: m.card.brand.as_str().into(),
                last4: m.card.last4,
                exp_month: m.card.exp_month,
                exp_year: m.card.exp_year,
            })
            .collect(),
        payment_id: session.payment_id,
    }))
}

/// Pay a client session with a new card or a saved one (public; the session id
/// is the credential).
#[utoipa::path(post, path = "/client-session/{id}/complete", tag = "Checkout", security(()), request_body = CompleteBody,
    params(("id" = String, Path, description = "Client session id")),
    responses(
        (status = 200, description = "The attempt's result; a decline leaves the session usable", body = CompletionObject),
        (status = 400, description = "Invalid card, or the session expired or completed", body = ErrorBody),
        (status = 404, description = "Not Found", body = ErrorBody),
        (status = 409, description = "Another payment of this session is running", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody)))]
pub async fn complete(State(s): State<AppState>, Path(id): Path<String>, Json(body): Json<CompleteBody>) -> ApiResult<axum::Json<CompletionObject>> {
    s.checkout_limiter.check(&id)?;
    let pay = match (body.card, body.payment_method_id) {
        (Some(_), Some(_)) => return Err(ApiError::bad_request("payment_method_id", "send either `card` or `payment_method_id`, not both")),
        (Some(c), None) => PayWith::Card(tally_pay::CardInput {
            number: c.number,
            exp_month: c.exp_month,
            exp_year: c.exp_year,
            cvc: c.cvc,
            postal_code: c.postal_code.filter(|p| !p.trim().is_empty()),
            holder_name: c.holder_name.filter(|h| !h.trim().is_empty()),
        }),
        (None, Some(pm)) => PayWith::Saved(pm),
        (None, None) => return Err(ApiError::bad_request("card", "send `card` (number, exp_month, exp_year, cvc) or `payment_method_id`")),
    };
    Ok(axum::Json(s.app.complete_checkout(&id, pay).await?.into()))
}

/// Answer the 3-D Secure challenge of a pending checkout payment (public).
#[utoipa::path(post, path = "/client-session/{id}/three-d-secure", tag = "Checkout", security(()), request_body = ChallengeBody,
    params(("id" = String, Path, description = "Client session id")),
    responses(
        (status = 200, description = "SETTLED after `pass`; INCOMPLETE after `abandon`", body = CompletionObject),
        (status = 400, description = "Invalid request", body = ErrorBody),
        (status = 404, description = "No such pending challenge", body = ErrorBody)))]
pub async fn three_d_secure(State(s): State<AppState>, Path(id): Path<String>, Json(body): Json<ChallengeBody>) -> ApiResult<axum::Json<CompletionObject>> {
    s.checkout_limiter.check(&id)?;
    let challenge = body.challenge_id.ok_or_else(|| ApiError::bad_request("challenge_id", "`challenge_id` is required"))?;
    let passed = match body.result.as_deref() {
        Some("pass") => true,
        Some("abandon") => false,
        _ => return Err(ApiError::bad_request("result", "`result` must be `pass` or `abandon`")),
    };
    Ok(axum::Json(s.app.answer_challenge(&id, &challenge, passed).await?.into()))
}
