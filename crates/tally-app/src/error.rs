//! The errors use cases return. Each names a stable snake_case `code`; the HTTP
//! layer maps codes to statuses in its one table (`tally_http::error::CODES`).

use tally_core::validate::FieldError;
use tally_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input breaks a rule: 400 `code` with the offending field in `param`.
    #[error("{message}")]
    Invalid { code: &'static str, param: Option<String>, message: String },
    /// A referenced object does not exist (or belongs to another organization).
    #[error("{message}")]
    NotFound { param: Option<String>, message: String },
    /// The request conflicts with the state of an object (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The key may not do this (403).
    #[error("{message}")]
    Forbidden { message: String },
    /// A failure that is not the client's fault (500); the cause is logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid { code: "invalid_request", param: Some(param.into()), message: message.into() }
    }

    /// A business rule, with its own code.
    pub fn rule(code: &'static str, param: Option<&str>, message: impl Into<String>) -> AppError {
        AppError::Invalid { code, param: param.map(str::to_string), message: message.into() }
    }

    /// `what` with `id` does not exist; `param` names the body field that held it.
    pub fn not_found(what: &str, id: &str, param: Option<&str>) -> AppError {
        AppError::NotFound { param: param.map(str::to_string), message: format!("no {what} with id `{id}`") }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> AppError {
        let message = format!("`{}` {}", e.param, e.message);
        AppError::Invalid { code: "invalid_request", param: Some(e.param), message }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        AppError::Internal(e.to_string())
    }
}
