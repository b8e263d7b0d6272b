//! Payments and refunds (§8).

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Auth, Json, RawQuery, Version};
use crate::routes::{list_page, list_params};
use crate::wire::{ListPage, PaymentCreate, PaymentObject, RefundCreate, RefundResponse};
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// Charge a customer's saved card now (synchronous; 201 even when declined).
#[utoipa::path(post, path = "/payments", tag = "Payments", request_body = PaymentCreate,
    responses(
        (status = 201, description = "The payment; `payment_status` says whether it succeeded", body = PaymentObject),
        (status = 400, description = "Invalid request", body = ErrorBody),
        (status = 404, description = "Customer, plan or payment method not found", body = ErrorBody)))]
pub async fn create_payment(State(s): State<AppState>, Auth(p): Auth, v: Version, Json(body): Json<PaymentCreate>) -> ApiResult<(StatusCode, axum::Json<PaymentObject>)> {
    let view = s.app.create_payment(&p, body.into()).await?;
    Ok((StatusCode::CREATED, axum::Json(PaymentObject::new(view, v))))
}

/// Get a payment.
#[utoipa::path(get, path = "/payments/{id}", tag = "Payments",
    params(("id" = String, Path, description = "Payment id")),
    responses((status = 200, description = "OK", body = PaymentObject), (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn get_payment(State(s): State<AppState>, Auth(p): Auth, v: Version, Path(id): Path<String>) -> ApiResult<axum::Json<PaymentObject>> {
    Ok(axum::Json(PaymentObject::new(s.app.get_payment(&p, &id).await?, v)))
}

/// List payments (v1).
#[utoipa::path(get, path = "/payments", tag = "Payments",
    params(
        ("page" = Option<i64>, Query, description = "Page number, from 1"),
        ("limit" = Option<i64>, Query, description = "Items per page, 1-1000 (default 100)"),
        ("order" = Option<String>, Query, description = "`asc` or `desc` (default)"),
        ("sort" = Option<String>, Query, description = "created_at (default), updated_at, amount, status, id"),
        ("from" = Option<String>, Query, description = "Created at or after (RFC 3339)"),
        ("to" = Option<String>, Query, description = "Created at or before (RFC 3339)"),
        ("search" = Option<String>, Query, description = "Free text over id, customer id, status, currency, subscription id")),
    responses((status = 200, description = "A page of payments", body = ListPage<PaymentObject>), (status = 400, description = "Bad query", body = ErrorBody)))]
pub async fn list_payments(State(s): State<AppState>, Auth(p): Auth, v: Version, q: RawQuery) -> ApiResult<axum::Json<ListPage<PaymentObject>>> {
    let params = list_params(v, &q)?;
    let page = s.app.list_payments(&p, &params).await?;
    Ok(axum::Json(list_page(page, &params, |view| PaymentObject::new(view, v))))
}

/// Refund a SETTLING or SETTLED payment, partly or fully.
#[utoipa::path(post, path = "/payments/refund/{id}", tag = "Payments", request_body = RefundCreate,
    params(("id" = String, Path, description = "Payment id")),
    responses(
        (status = 201, description = "The refund and the payment after it", body = RefundResponse),
        (status = 400, description = "Not refundable, or over the amount left", body = ErrorBody),
        (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn refund_payment(State(s): State<AppState>, Auth(p): Auth, v: Version, Path(id): Path<String>, Json(body): Json<RefundCreate>) -> ApiResult<(StatusCode, axum::Json<RefundResponse>)> {
    let (refund, view) = s.app.refund_payment(&p, &id, tally_app::payments::NewRefund { amount: body.amount, reason: body.reason }).await?;
    Ok((StatusCode::CREATED, axum::Json(RefundResponse { refund: refund.into(), payment: PaymentObject::new(view, v) })))
}
