//! Operations (§12): liveness, readiness, metrics, the OpenAPI document and the
//! offline API reference page.

use crate::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(s): State<AppState>) -> Response {
    match s.app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "store not reachable");
            crate::error::ApiError::new("service_unavailable", "the store cannot be reached").into_response()
        }
    }
}

pub async fn metrics(State(s): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], s.metrics.render()).into_response()
}

pub async fn openapi(State(s): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], s.openapi_json.clone()).into_response()
}

pub async fn docs() -> Html<&'static str> {
    Html(include_str!("../docs.html"))
}
