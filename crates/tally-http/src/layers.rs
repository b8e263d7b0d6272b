//! The layers around every request: `observe` (request id, one structured log
//! line, metrics), `api_version`, `authenticate`, `idempotency`, and the JSON
//! answers for unknown routes, wrong methods and panics.

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
use tally_app::access::Principal;
use tally_app::idempotency::Claim;

pub const REQUEST_ID: &str = "x-request-id";
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";

/// Request id (kept from the client when sane, else new), a log line per
/// request, and Prometheus counters/histograms labelled by route template.
pub async fn observe(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let path = req.uri().path().to_string();
    if let Ok(v) = HeaderValue::from_str(&id) {
        req.headers_mut().insert(REQUEST_ID, v);
    }
    let mut resp = next.run(req).await;
    let status = resp.status().as_u16();
    let elapsed = started.elapsed();
    let route = route.unwrap_or_else(|| if status == 404 { "unmatched".into() } else { path.clone() });
    tracing::info!(
        target: "tally::request",
        request_id = %id, method = %method, path = %path, route = %route, status,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
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

/// Paths a browser on the merchant's origin calls: the checkout calls and the SDK.
fn is_checkout_path(path: &str) -> bool {
    path == "/checkout.js"
        || path.starts_with("/checkout/")
        || (path.starts_with("/client-session/")
            && (path.ends_with("/checkout") || path.ends_with("/complete") || path.ends_with("/three-d-secure")))
}

/// CORS for the public checkout calls only (any origin; no credentials are
/// involved: the session id is in the path). Preflights are answered here, and
/// every answer — errors included — carries `Access-Control-Allow-Origin` so the
/// SDK can read declines and validation errors.
pub async fn checkout_cors(req: Request, next: Next) -> Response {
    if !is_checkout_path(req.uri().path()) {
        return next.run(req).await;
    }
    let mut resp = if req.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        r
    } else {
        next.run(req).await
    };
    resp.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    resp
}

/// D-2: missing `X-API-Version` is 1.0.0; an unknown value is 400 at once.
pub async fn api_version(req: Request, next: Next) -> Response {
    match Version::parse(req.headers().get(VERSION_HEADER).map(|v| v.as_bytes())) {
        Ok(_) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// `Authorization: Bearer <key>` → [`Principal`] in the request extensions, or 401.
pub async fn authenticate(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
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
            req.extensions_mut().insert(p);
            next.run(req).await
        }
        Ok(None) => ApiError::unauthorized("the API key is unknown or has been revoked").into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Idempotency-Key on POST and PATCH (§1): claim, run once, store, replay.
pub async fn idempotency(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::POST | Method::PATCH) {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(IDEMPOTENCY_KEY) else {
        return next.run(req).await;
    };
    let Ok(key) = key.to_str().map(str::to_string) else {
        return ApiError::bad_request("Idempotency-Key", "must be visible ASCII characters").into_response();
    };
    let Some(org) = req.extensions().get::<std::sync::Arc<Principal>>().map(|p| p.org().to_string()) else {
        return next.run(req).await;
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
            let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let (rparts, rbody) = resp.into_parts();
            let rbytes = match axum::body::to_bytes(rbody, usize::MAX).await {
                Ok(b) => b,
                Err(e) => {
                    let _ = s.app.idempotency_release(&org, &key).await;
                    return ApiError::internal(format!("reading response body: {e}")).into_response();
                }
            };
            let outcome = if rparts.status.is_server_error() {
                s.app.idempotency_release(&org, &key).await
            } else {
                s.app.idempotency_finish(&org, &key, rparts.status.as_u16(), &String::from_utf8_lossy(&rbytes)).await
            };
            if let Err(e) = outcome {
                tracing::error!(error = %e, "could not record idempotency outcome");
            }
            Response::from_parts(rparts, Body::from(rbytes))
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
