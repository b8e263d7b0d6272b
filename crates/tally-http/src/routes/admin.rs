//! Management (§2, §4.2; ext, scope `admin`): organizations, API keys, rates.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Auth, Json};
use crate::wire::{ApiKeyCreate, ApiKeyObject, OrganizationCreate, OrganizationObject, RatesInput, RatesObject};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tally_app::access::NewKey;
use tally_core::access::{Mode, Scopes};

/// Create an organization (root keys only).
#[utoipa::path(post, path = "/admin/organizations", tag = "Admin", request_body = OrganizationCreate,
    responses((status = 201, description = "Created", body = OrganizationObject), (status = 400, description = "Invalid", body = ErrorBody), (status = 403, description = "Not a root key", body = ErrorBody)))]
pub async fn create_organization(State(s): State<AppState>, Auth(p): Auth, Json(body): Json<OrganizationCreate>) -> ApiResult<(StatusCode, axum::Json<OrganizationObject>)> {
    let name = body.name.ok_or_else(|| ApiError::bad_request("name", "`name` is required"))?;
    let org = s.app.create_organization(&p, &name, body.mode.unwrap_or(Mode::Sandbox)).await?;
    Ok((StatusCode::CREATED, axum::Json(org.into())))
}

/// List organizations (all for a root key, else the caller's).
#[utoipa::path(get, path = "/admin/organizations", tag = "Admin",
    responses((status = 200, description = "OK", body = Vec<OrganizationObject>)))]
pub async fn list_organizations(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<axum::Json<Vec<OrganizationObject>>> {
    Ok(axum::Json(s.app.list_organizations(&p).await?.into_iter().map(Into::into).collect()))
}

/// Create an API key; the secret `key` is shown only here.
#[utoipa::path(post, path = "/admin/api-keys", tag = "Admin", request_body = ApiKeyCreate,
    responses((status = 201, description = "Created", body = ApiKeyObject), (status = 400, description = "Invalid", body = ErrorBody), (status = 403, description = "Forbidden", body = ErrorBody)))]
pub async fn create_key(State(s): State<AppState>, Auth(p): Auth, Json(body): Json<ApiKeyCreate>) -> ApiResult<(StatusCode, axum::Json<ApiKeyObject>)> {
    let scopes = body.scopes.as_ref().map(Scopes::from_requested).transpose().map_err(tally_app::AppError::from)?;
    let created = s
        .app
        .create_key(&p, NewKey { name: body.name.as_deref().unwrap_or("api key"), organization_id: body.organization_id.as_deref(), scopes })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(ApiKeyObject::new(created.key, Some(created.secret)))))
}

/// List API keys (without secrets).
#[utoipa::path(get, path = "/admin/api-keys", tag = "Admin",
    params(("organization_id" = Option<String>, Query, description = "Another organization (root keys only)")),
    responses((status = 200, description = "OK", body = Vec<ApiKeyObject>)))]
pub async fn list_keys(State(s): State<AppState>, Auth(p): Auth, q: crate::extract::RawQuery) -> ApiResult<axum::Json<Vec<ApiKeyObject>>> {
    let keys = s.app.list_keys(&p, q.text("organization_id").as_deref()).await?;
    Ok(axum::Json(keys.into_iter().map(|k| ApiKeyObject::new(k, None)).collect()))
}

/// Revoke an API key at once.
#[utoipa::path(delete, path = "/admin/api-keys/{id}", tag = "Admin",
    params(("id" = String, Path, description = "Key id")),
    responses((status = 200, description = "Revoked", body = ApiKeyObject), (status = 404, description = "Not Found", body = ErrorBody)))]
pub async fn revoke_key(State(s): State<AppState>, Auth(p): Auth, Path(id): Path<String>) -> ApiResult<axum::Json<ApiKeyObject>> {
    Ok(axum::Json(ApiKeyObject::new(s.app.revoke_key(&p, &id).await?, None)))
}

/// Exchange rates of the organization: every currency, units per 1 USD.
#[utoipa::path(get, path = "/admin/exchange-rates", tag = "Admin",
    responses((status = 200, description = "OK", body = RatesObject)))]
pub async fn get_rates(State(s): State<AppState>, Auth(p): Auth) -> ApiResult<axum::Json<RatesObject>> {
    Ok(axum::Json(RatesObject::from(&*s.app.exchange_rates(&p).await?)))
}

/// Replace rates of the listed currencies (a partial table leaves the rest).
#[utoipa::path(put, path = "/admin/exchange-rates", tag = "Admin", request_body = RatesInput,
    responses((status = 200, description = "The whole table after the change", body = RatesObject), (status = 400, description = "Invalid", body = ErrorBody)))]
pub async fn put_rates(State(s): State<AppState>, Auth(p): Auth, Json(body): Json<RatesInput>) -> ApiResult<axum::Json<RatesObject>> {
    let import = rate_import(body)?;
    Ok(axum::Json(RatesObject::from(&*s.app.put_exchange_rates(&p, import).await?)))
}

/// Checks the shape of a rate table (shared with `tally rates import`).
pub fn rate_import(body: RatesInput) -> Result<tally_app::rates::RateImport, ApiError> {
    let as_of = body.as_of.ok_or_else(|| ApiError::bad_request("as_of", "`as_of` is required (RFC 3339)"))?;
    let as_of = as_of
        .parse::<jiff::Timestamp>()
        .map_err(|_| ApiError::bad_request("as_of", format!("`as_of` must be an RFC 3339 time, got `{as_of}`")))?;
    Ok(tally_app::rates::RateImport {
        base: body.base.unwrap_or_else(|| "USD".into()),
        as_of,
        rates: body.rates.ok_or_else(|| ApiError::bad_request("rates", "`rates` is required"))?.into_iter().map(|(k, v)| (k, v.0)).collect(),
    })
}
