//! Request extractors with the API's error conventions: JSON bodies (415, 413,
//! 400 with the failing field's path), the caller's [`Principal`], the API
//! version, and raw query maps whose fields are converted with named errors.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;
use tally_app::access::Principal;

/// Bodies over this are answered 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON body parsed into `T`.
pub struct Json<T>(pub T);

/// Reads the whole body, 413 beyond [`BODY_LIMIT`].
pub async fn read_body(body: axum::body::Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| ApiError::new("payload_too_large", format!("the request body is over the limit of {BODY_LIMIT} bytes")))
}

/// Parses JSON, naming the path of the first offending field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::new("invalid_json", format!("the body is not valid JSON: {inner}"));
        }
        // serde's own text ends in "at line L column C"; keep it, it helps.
        if path == "." || path.is_empty() {
            ApiError::new("invalid_request", format!("invalid body: {inner}"))
        } else {
            ApiError::bad_request(path.clone(), format!("`{path}`: {inner}"))
        }
    })
}

fn is_json(parts: &axum::http::HeaderMap) -> bool {
    parts
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let m = mime.trim().to_ascii_lowercase();
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
        .unwrap_or(false)
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                "unsupported_media_type",
                "send the body as JSON with the header `Content-Type: application/json`",
            ));
        }
        let bytes = read_body(req.into_body()).await?;
        parse_json(&bytes).map(Json)
    }
}

/// The authenticated caller (set by the auth layer).
pub struct Auth(pub Arc<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Arc<Principal>>()
            .cloned()
            .map(Auth)
            .ok_or_else(|| ApiError::unauthorized("this endpoint needs an API key: `Authorization: Bearer <key>`"))
    }
}

/// `X-API-Version` (D-2: missing means 1.0.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

pub const VERSION_HEADER: &str = "x-api-version";

impl Version {
    pub fn parse(header: Option<&[u8]>) -> Result<Version, ApiError> {
        match header {
            None => Ok(Version::V1),
            Some(b"1.0.0") => Ok(Version::V1),
            Some(b"2.0.0") => Ok(Version::V2),
            Some(other) => Err(ApiError::new(
                "unsupported_api_version",
                format!(
                    "X-API-Version `{}` is not supported: use `1.0.0` (the default) or `2.0.0`",
                    String::from_utf8_lossy(other)
                ),
            )
            .with_param("X-API-Version")),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Version {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Version::parse(parts.headers.get(VERSION_HEADER).map(|v| v.as_bytes()))
    }
}

/// The query string as a map; fields are converted by the handler with errors
/// that name them.
pub struct RawQuery(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for RawQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q)
            .map_err(|e| ApiError::new("invalid_request", format!("the query string is malformed: {e}")))?;
        Ok(RawQuery(pairs.into_iter().collect()))
    }
}

impl RawQuery {
    pub fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.0
            .get(name)
            .map(|v| v.parse::<i64>().map_err(|_| ApiError::bad_request(name, format!("`{name}` must be a whole number, got `{v}`"))))
            .transpose()
    }

    pub fn timestamp(&self, name: &str) -> Result<Option<jiff::Timestamp>, ApiError> {
        self.0
            .get(name)
            .map(|v| {
                v.parse::<jiff::Timestamp>().map_err(|_| {
                    ApiError::bad_request(name, format!("`{name}` must be an RFC 3339 time such as 2025-05-26T10:00:00Z, got `{v}`"))
                })
            })
            .transpose()
    }
}
