//! The one error type of the HTTP layer and the table of every public error code.
//! A client sees `{"error": {"message", "code", "param"?}}`; internal causes go
//! to the log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tally_app::AppError;

/// Every error code the API can answer, with its status and meaning.
pub const CODES: &[(&str, u16, &str)] = &[
    ("invalid_request", 400, "A field is missing, has the wrong type or value, or breaks a rule; `param` names it."),
    ("invalid_json", 400, "The body is not valid JSON."),
    ("unsupported_api_version", 400, "X-API-Version is not 1.0.0 or 2.0.0."),
    ("unsupported_in_version", 400, "The endpoint is not available in the requested API version."),
    ("invalid_flow", 400, "A client session's fields do not form one of the supported flows."),
    ("flow_unavailable", 400, "The client-session flow is not available on this server yet."),
    ("plan_archived", 400, "The plan is archived and cannot be sold."),
    ("session_expired", 400, "The client session has expired."),
    ("session_completed", 400, "The client session already completed its checkout."),
    ("invalid_card_number", 400, "The card number is not a valid card number."),
    ("invalid_expiry_month", 400, "The card's expiry month is not 1-12."),
    ("invalid_expiry_year", 400, "The card's expiry year is not a usable year."),
    ("expired_card", 400, "The card has expired."),
    ("invalid_cvc", 400, "The CVC is not 3 digits (4 for American Express)."),
    ("invalid_postal_code", 400, "The postal code is too long."),
    ("invalid_holder_name", 400, "The card holder's name is too long."),
    ("payment_not_refundable", 400, "Only SETTLING or SETTLED payments can be refunded."),
    ("refund_failed", 400, "The processor refused the refund; nothing was refunded."),
    ("processor_unavailable", 400, "No payment processor serves this organization's mode."),
    ("processor_error", 400, "The processor could not be reached; try again."),
    ("authentication_failed", 401, "The Authorization header is missing, malformed, or names an unknown or revoked key."),
    ("insufficient_scope", 403, "The API key lacks the scope the endpoint needs."),
    ("resource_missing", 404, "No object with that id exists for this organization."),
    ("route_not_found", 404, "No endpoint has this path."),
    ("method_not_allowed", 405, "The endpoint does not accept this HTTP method."),
    ("idempotency_conflict", 409, "The Idempotency-Key was used with a different request."),
    ("idempotency_in_progress", 409, "A request with this Idempotency-Key is still running."),
    ("resource_exists", 409, "An object with this id or unique field already exists."),
    ("checkout_in_progress", 409, "Another payment attempt of this checkout is running."),
    ("payload_too_large", 413, "The body is over the size limit (1 MiB)."),
    ("unsupported_media_type", 415, "The body is not sent as application/json."),
    ("rate_limited", 429, "Too many requests; retry later."),
    ("internal_error", 500, "The server failed; the request may be retried."),
    ("service_unavailable", 503, "The store cannot be reached."),
];

pub fn status_of(code: &str) -> StatusCode {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .and_then(|(_, s, _)| StatusCode::from_u16(*s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

#[derive(Debug)]
pub struct ApiError {
    /// The status follows the kind of failure; `code` refines it.
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub param: Option<String>,
    /// Logged, never shown.
    pub cause: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// What went wrong, which field, and what is allowed.
    pub message: String,
    /// Stable snake_case error code (see the error table in the API reference).
    pub code: String,
    /// JSON path of the offending field, for validation failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

impl ApiError {
    /// An error whose status is the code's row of [`CODES`].
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status: status_of(code), code, message: message.into(), param: None, cause: None }
    }

    fn of(status: StatusCode, code: &'static str, message: String, param: Option<String>) -> ApiError {
        ApiError { status, code, message, param, cause: None }
    }

    pub fn with_param(mut self, param: impl Into<String>) -> ApiError {
        self.param = Some(param.into());
        self
    }

    pub fn bad_request(param: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::new("invalid_request", message).with_param(param)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new("resource_missing", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new("authentication_failed", message)
    }

    pub fn internal(cause: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal_error",
            message: "the server failed to handle this request; it is safe to retry".into(),
            param: None,
            cause: Some(cause.into()),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody { error: ErrorDetail { message: self.message.clone(), code: self.code.to_string(), param: self.param.clone() } }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        match e {
            AppError::Invalid { code, param, message } => ApiError::of(StatusCode::BAD_REQUEST, code, message, param),
            AppError::NotFound { param, message } => ApiError::of(StatusCode::NOT_FOUND, "resource_missing", message, param),
            AppError::Conflict { code, message } => ApiError::of(StatusCode::CONFLICT, code, message, None),
            AppError::Forbidden { message } => ApiError::of(StatusCode::FORBIDDEN, "insufficient_scope", message, None),
            AppError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let Some(cause) = &self.cause {
            tracing::error!(code = self.code, cause = %cause, "request failed");
        }
        (status, axum::Json(self.body())).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_with_valid_statuses() {
        let mut seen = std::collections::HashSet::new();
        for (code, status, meaning) in CODES {
            assert!(seen.insert(code), "{code} listed twice");
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
            assert!(StatusCode::from_u16(*status).is_ok() && *status >= 400, "{code}");
            assert!(!meaning.is_empty());
            assert_ne!(*status, 422, "PayNext uses 400, never 422");
        }
    }

    /// Every `"code"` the use cases and the card checks can produce is documented
    /// in the table with the status the HTTP layer gives its kind of error.
    #[test]
    fn every_code_in_the_sources_is_in_the_table() {
        let sources = [
            include_str!("../../tally-app/src/access.rs"),
            include_str!("../../tally-app/src/checkout.rs"),
            include_str!("../../tally-app/src/customers.rs"),
            include_str!("../../tally-app/src/idempotency.rs"),
            include_str!("../../tally-app/src/payments.rs"),
            include_str!("../../tally-app/src/plans.rs"),
            include_str!("../../tally-app/src/rates.rs"),
            include_str!("../../tally-app/src/sessions.rs"),
            include_str!("../../tally-pay/src/card.rs"),
            include_str!("layers.rs"),
            include_str!("extract.rs"),
            include_str!("routes/checkout.rs"),
        ];
        let mut found = 0;
        for src in sources {
            // Codes appear as `rule("x"`, `code: "x"`, `ApiError::new("x"` and
            // `code: "x",` in the card checks.
            for (i, _) in src.match_indices('"') {
                let rest = &src[i + 1..];
                let Some(end) = rest.find('"') else { continue };
                let word = &rest[..end];
                let before = src[..i].trim_end();
                let is_code = before.ends_with("rule(")
                    || before.ends_with("code:")
                    || before.ends_with("ApiError::new(")
                    || before.ends_with("code =");
                if is_code && !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    found += 1;
                    assert!(CODES.iter().any(|(c, _, _)| *c == word), "`{word}` is produced but missing from CODES");
                }
            }
        }
        assert!(found > 20, "the scan found only {found} codes: it is not reading the sources");
    }
}
