//! The layers around every request — `edge` (request id, API version, CORS of
//! the checkout calls, log line, metrics) — and around authenticated ones —
//! `guard` (API key → principal, then Idempotency-Key) — plus the JSON answers
//! for unknown routes, wrong methods and panics. Few layers: each one costs on
//! every request.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{VERSION_HEADER, Version, read_body};
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::time::Instant;
use tally_app::idempotency::Claim;

pub const REQUEST_ID: &str = "x-request-id";
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";

/// A request id unique within this process and across restarts: a random
/// prefix drawn once, then a counter (cheaper than a UUID per request).
fn new_request_id() -> String {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static PREFIX: OnceLock<String> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| uuid::Uuid::new_v4().simple().to_string()[..12].to_string());
    format!("req_{prefix}_{:x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        _ => "OTHER",
    }
}

/// Paths a browser on the merchant's origin calls: the checkout calls and the SDK.
fn is_checkout_path(path: &str) -> bool {
    path == "/checkout.js"
        || path.starts_with("/checkout/")
        || (path.starts_with("/client-session/")
            && (path.ends_with("/checkout") || path.ends_with("/complete") || path.ends_with("/three-d-secure")))
}

/// Adds CORS to answers of the public checkout calls (any origin; no
/// credentials are involved: the session id is in the path), errors included, so
/// the SDK can read declines and validation errors.
fn allow_any_origin(resp: &mut Response) {
    resp.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
}

fn preflight() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    r
}

/// The edge of every request: the request id (kept from the client when sane,
/// else new), `X-API-Version` (D-2: missing is 1.0.0, anything else but 2.0.0 is
/// 400), CORS for the checkout calls, one structured log line, and Prometheus
/// metrics labelled by route template.
pub async fn edge(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(new_request_id);
    let method = method_label(req.method());
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let path = req.uri().path().to_string();
    let checkout = is_checkout_path(&path);
    if let Ok(v) = HeaderValue::from_str(&id) {
        req.headers_mut().insert(REQUEST_ID, v);
    }
    let mut resp = match Version::parse(req.headers().get(VERSION_HEADER).map(|v| v.as_bytes())) {
        Err(e) => e.into_response(),
        Ok(_) if checkout && req.method() == Method::OPTIONS => preflight(),
        Ok(_) => next.run(req).await,
    };
    if checkout {
        allow_any_origin(&mut resp);
    }
    let status = resp.status().as_u16();
    let elapsed = started.elapsed();
    let route = route.unwrap_or_else(|| if status == 404 { "unmatched".into() } else { path.clone() });
    tracing::info!(
        target: "tally::request",
        request_id = %id, method, path = %path, route = %route, status,
        duration_us = elapsed.as_micros() as u64,
        "request"
    );
    let labels = [("method", method.to_string()), ("route", route), ("status", status.to_string())];
    metrics::counter!("tally_http_requests_total", &labels).increment(1);
    metrics::histogram!("tally_http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    resp
}

/// Authenticated routes: `Authorization: Bearer <key>` → [`Principal`] in the
/// request extensions (or 401), then the Idempotency-Key of POST and PATCH.
pub async fn guard(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let header = req.headers().get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or(""));
    let secret = match header {
        None => return ApiError::unauthorized("no API key: send `Authorization: Bearer <key>`").into_response(),
        Some(h) => match h.split_once(' ') {
            Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") && !key.trim().is_empty() => key.trim().to_string(),
            _ => {
                return ApiError::unauthorized("malformed Authorization header: expected `Bearer <key>`").into_response();
            }
        },
    };
    match s.app.authenticate(&secret).await {
        Ok(Some(p)) => {
            let org = p.org().to_string();
            req.extensions_mut().insert(p);
            idempotent(&s, org, req, next).await
        }
        Ok(None) => ApiError::unauthorized("the API key is unknown or has been revoked").into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Idempotency-Key on POST and PATCH (§1): claim, run once, store, replay.
async fn idempotent(s: &AppState, org: String, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::POST | Method::PATCH) {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(IDEMPOTENCY_KEY) else {
        return next.run(req).await;
    };
    let Ok(key) = key.to_str().map(str::to_string) else {
        return ApiError::bad_request("Idempotency-Key", "must be visible ASCII characters").into_response();
    };
    let (parts, body) = req.into_parts();
    let bytes = match read_body(body).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update(b"\n");
    h.update(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or(""));
    h.update(b"\n");
    h.update(parts.headers.get(VERSION_HEADER).map(|v| v.as_bytes()).unwrap_or(b"1.0.0"));
    h.update(b"\n");
    h.update(&bytes);
    let hash = hex::encode(h.finalize());
    match s.app.idempotency_claim(&org, &key, &hash).await {
        Err(e) => ApiError::from(e).into_response(),
        Ok(Claim::Replay { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut resp = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
            resp.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
            resp
        }
        Ok(Claim::Proceed) => {
            let (org_of_panic, key_of_panic) = (org.clone(), key.clone());
            // Run to the end on a task of its own: a client that disconnects
            // mid-request must not leave the key claimed with its effect unrecorded.
            let state = s.clone();
            let run = tokio::spawn(async move {
                let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
                let (rparts, rbody) = resp.into_parts();
                let rbytes = match axum::body::to_bytes(rbody, usize::MAX).await {
                    Ok(b) => b,
                    Err(e) => {
                        let _ = state.app.idempotency_release(&org, &key).await;
                        return ApiError::internal(format!("reading response body: {e}")).into_response();
                    }
                };
                let outcome = if rparts.status.is_server_error() {
                    state.app.idempotency_release(&org, &key).await
                } else {
                    let body = String::from_utf8_lossy(&rbytes);
                    state.app.idempotency_finish(&org, &key, rparts.status.as_u16(), &body).await
                };
                if let Err(e) = outcome {
                    tracing::error!(error = %e, "could not record idempotency outcome");
                }
                Response::from_parts(rparts, Body::from(rbytes))
            });
            match run.await {
                Ok(resp) => resp,
                // The handler panicked: nothing was acknowledged; free the key.
                Err(e) => {
                    let _ = s.app.idempotency_release(&org_of_panic, &key_of_panic).await;
                    ApiError::internal(format!("handler failed: {e}")).into_response()
                }
            }
        }
    }
}

pub async fn not_found(req: Request) -> Response {
    ApiError::new("route_not_found", format!("no endpoint {} {}", req.method(), req.uri().path())).into_response()
}

pub async fn method_not_allowed(req: Request) -> Response {
    ApiError::new("method_not_allowed", format!("{} is not allowed on {}", req.method(), req.uri().path())).into_response()
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("handler panicked").into_response()
}
