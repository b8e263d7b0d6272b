//! Client sessions (§6).

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Auth, Json};
use crate::wire::{SessionCreate, SessionObject, SessionUpdate};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use crate::rendered::json_response;

/// Create a client session.
#[utoipa::path(post, path = "/client-session", tag = "Client Session", request_body = SessionCreate,
    responses(
        (status = 200, description = "OK", body = SessionObject),
        (status = 400, description = "Bad Request", body = ErrorBody),
        (status = 401, description = "Unauthorized", body = ErrorBody),
        (status = 404, description = "A referenced customer or plan does not exist", body = ErrorBody)))]
pub async fn create_session(State(s): State<AppState>, Auth(p): Auth, Json(body): Json<SessionCreate>) -> ApiResult<Response> {
    let session = s.app.create_session(&p, body.into_app()?).await?;
    Ok(json_response(render(&s, p.org(), &session)))
}

/// A session's JSON, rendered once per cached value.
fn render(s: &AppState, org: &str, session: &std::sync::Arc<tally_core::session::ClientSession>) -> axum::body::Bytes {
    s.rendered_sessions.get_or_render((org.to_string(), session.id.clone()), session, |session| {
        serde_json::to_vec(&SessionObject::from(session.clone())).expect("a session serializes").into()
    })
}

/// Get a client-session by its id.
#[utoipa::path(get, path = "/client-session/{id}", tag = "Client Session",
    params(("id" = String, Path, description = "The ID of the client session to retrieve")),
    responses(
        (status = 200, description = "OK", body = SessionObject),
        (status = 400, description = "Bad Request", body = ErrorBody),
        (status = 401, description = "Unauthorized", body = ErrorBody),
        (status = 404, description = "Not Found", body = ErrorBody),
        (status = 500, description = "Internal Server Error", body = ErrorBody)))]
pub async fn get_session(State(s): State<AppState>, Auth(p): Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let session = s.app.get_session(&p, &id).await?;
    Ok(json_response(render(&s, p.org(), &session)))
}

/// Update a client session; prices are recomputed.
#[utoipa::path(patch, path = "/client-session/{id}", tag = "Client Session", request_body = SessionUpdate,
    params(("id" = String, Path, description = "Client session id")),
    responses(
        (status = 200, description = "OK", body = SessionObject),
        (status = 400, description = "Invalid change, or the session is completed or expired", body = ErrorBody),
        (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn update_session(State(s): State<AppState>, Auth(p): Auth, Path(id): Path<String>, Json(body): Json<SessionUpdate>) -> ApiResult<axum::Json<SessionObject>> {
    Ok(axum::Json(s.app.update_session(&p, &id, body.into_app()?).await?.into()))
}
