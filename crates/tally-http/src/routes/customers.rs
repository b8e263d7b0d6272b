//! Customers (§5).

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Auth, Json, RawQuery, Version};
use crate::routes::{list_page, list_params};
use crate::wire::{CustomerCreate, CustomerObject, CustomerUpdate, ListPage};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// Create a customer.
#[utoipa::path(post, path = "/customers", tag = "Customers", request_body = CustomerCreate,
    responses(
        (status = 201, description = "Created", body = CustomerObject),
        (status = 400, description = "Invalid customer", body = ErrorBody),
        (status = 409, description = "external_id is taken", body = ErrorBody)))]
pub async fn create_customer(State(s): State<AppState>, Auth(p): Auth, v: Version, Json(body): Json<CustomerCreate>) -> ApiResult<(StatusCode, axum::Json<CustomerObject>)> {
    let c = s.app.create_customer(&p, body.into()).await?;
    Ok((StatusCode::CREATED, axum::Json(CustomerObject::new(c, v))))
}

/// Get a customer.
#[utoipa::path(get, path = "/customers/{id}", tag = "Customers",
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, description = "OK", body = CustomerObject), (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn get_customer(State(s): State<AppState>, Auth(p): Auth, v: Version, Path(id): Path<String>) -> ApiResult<axum::Json<CustomerObject>> {
    Ok(axum::Json(CustomerObject::new(s.app.get_customer(&p, &id).await?, v)))
}

/// Update a customer: fields sent change, `null` clears.
#[utoipa::path(patch, path = "/customers/{id}", tag = "Customers", request_body = CustomerUpdate,
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "Updated", body = CustomerObject),
        (status = 400, description = "Invalid change", body = ErrorBody),
        (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn update_customer(State(s): State<AppState>, Auth(p): Auth, v: Version, Path(id): Path<String>, Json(body): Json<CustomerUpdate>) -> ApiResult<axum::Json<CustomerObject>> {
    Ok(axum::Json(CustomerObject::new(s.app.update_customer(&p, &id, body.into()).await?, v)))
}

/// List customers (v1).
#[utoipa::path(get, path = "/customers", tag = "Customers",
    params(
        ("page" = Option<i64>, Query, description = "Page number, from 1"),
        ("limit" = Option<i64>, Query, description = "Items per page, 1-1000 (default 100)"),
        ("order" = Option<String>, Query, description = "`asc` or `desc` (default)"),
        ("sort" = Option<String>, Query, description = "created_at (default), updated_at, email, external_id, full_name, id"),
        ("from" = Option<String>, Query, description = "Created at or after (RFC 3339)"),
        ("to" = Option<String>, Query, description = "Created at or before (RFC 3339)"),
        ("search" = Option<String>, Query, description = "Free text over id, email, external_id, full name, phone")),
    responses((status = 200, description = "A page of customers", body = ListPage<CustomerObject>), (status = 400, description = "Bad query", body = ErrorBody)))]
pub async fn list_customers(State(s): State<AppState>, Auth(p): Auth, v: Version, q: RawQuery) -> ApiResult<axum::Json<ListPage<CustomerObject>>> {
    let params = list_params(v, &q)?;
    let page = s.app.list_customers(&p, &params).await?;
    Ok(axum::Json(list_page(page, &params, |c| CustomerObject::new(c, v))))
}
