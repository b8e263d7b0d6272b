//! Plans (§3): `GET /plans/{id}` exactly as the reference page, the v1 list,
//! and the management endpoints (ext).

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Auth, Json, RawQuery, Version};
use crate::routes::{list_page, list_params};
use crate::wire::{ListPage, PlanCreate, PlanObject, PlanUpdate};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use crate::rendered::json_response;

/// Find a plan.
#[utoipa::path(get, path = "/plans/{id}", tag = "Plans",
    params(("id" = String, Path, description = "The ID of the plan to find")),
    responses(
        (status = 200, description = "OK", body = PlanObject),
        (status = 401, description = "Unauthorized", body = ErrorBody),
        (status = 403, description = "The key lacks `plans: read`", body = ErrorBody),
        (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn get_plan(State(s): State<AppState>, Auth(p): Auth, v: Version, Path(id): Path<String>) -> ApiResult<Response> {
    let plan = s.app.get_plan(&p, &id).await?;
    let key = (p.org().to_string(), id, v == Version::V2);
    let bytes = s.rendered_plans.get_or_render(key, &plan, |plan| {
        serde_json::to_vec(&PlanObject::new(plan.clone(), v)).expect("a plan serializes").into()
    });
    Ok(json_response(bytes))
}

/// List plans (v1: page, limit, order, sort, from, to, search).
#[utoipa::path(get, path = "/plans", tag = "Plans",
    params(
        ("page" = Option<i64>, Query, description = "Page number, from 1"),
        ("limit" = Option<i64>, Query, description = "Items per page, 1-1000 (default 100)"),
        ("order" = Option<String>, Query, description = "`asc` or `desc` (default)"),
        ("sort" = Option<String>, Query, description = "created_at (default), updated_at, name, id"),
        ("from" = Option<String>, Query, description = "Created at or after (RFC 3339)"),
        ("to" = Option<String>, Query, description = "Created at or before (RFC 3339)"),
        ("search" = Option<String>, Query, description = "Free text over id, name and type")),
    responses(
        (status = 200, description = "A page of plans", body = ListPage<PlanObject>),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "Unauthorized", body = ErrorBody)))]
pub async fn list_plans(State(s): State<AppState>, Auth(p): Auth, v: Version, q: RawQuery) -> ApiResult<axum::Json<ListPage<PlanObject>>> {
    let params = list_params(v, &q)?;
    let page = s.app.list_plans(&p, &params).await?;
    Ok(axum::Json(list_page(page, &params, |plan| PlanObject::new(plan, v))))
}

/// Create a plan (ext; scope `plans: write`).
#[utoipa::path(post, path = "/plans", tag = "Plans", request_body = PlanCreate,
    responses(
        (status = 201, description = "Created", body = PlanObject),
        (status = 400, description = "Invalid plan", body = ErrorBody),
        (status = 409, description = "The id is taken", body = ErrorBody)))]
pub async fn create_plan(State(s): State<AppState>, Auth(p): Auth, v: Version, Json(body): Json<PlanCreate>) -> ApiResult<(StatusCode, axum::Json<PlanObject>)> {
    let (id, terms) = body.into_parts();
    let plan = s.app.create_plan(&p, id, terms).await?;
    Ok((StatusCode::CREATED, axum::Json(PlanObject::new(plan, v))))
}

/// Change a plan (ext). Existing subscriptions keep their terms.
#[utoipa::path(patch, path = "/plans/{id}", tag = "Plans", request_body = PlanUpdate,
    params(("id" = String, Path, description = "Plan id")),
    responses(
        (status = 200, description = "Updated", body = PlanObject),
        (status = 400, description = "Invalid change", body = ErrorBody),
        (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn update_plan(State(s): State<AppState>, Auth(p): Auth, v: Version, Path(id): Path<String>, Json(body): Json<PlanUpdate>) -> ApiResult<axum::Json<PlanObject>> {
    Ok(axum::Json(PlanObject::new(s.app.update_plan(&p, &id, body.into()).await?, v)))
}

/// Archive a plan (ext): no new sales; subscriptions keep renewing.
#[utoipa::path(post, path = "/plans/{id}/archive", tag = "Plans",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, description = "Archived", body = PlanObject), (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn archive_plan(State(s): State<AppState>, Auth(p): Auth, v: Version, Path(id): Path<String>) -> ApiResult<axum::Json<PlanObject>> {
    Ok(axum::Json(PlanObject::new(s.app.set_plan_archived(&p, &id, true).await?, v)))
}

/// Unarchive a plan (ext).
#[utoipa::path(post, path = "/plans/{id}/unarchive", tag = "Plans",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, description = "Active again", body = PlanObject), (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn unarchive_plan(State(s): State<AppState>, Auth(p): Auth, v: Version, Path(id): Path<String>) -> ApiResult<axum::Json<PlanObject>> {
    Ok(axum::Json(PlanObject::new(s.app.set_plan_archived(&p, &id, false).await?, v)))
}
