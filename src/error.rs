//! The one error type handlers return. It renders Twilio's legacy error body
//! `{code, message, more_info, status}`; the helper libraries pick their exception
//! class from exactly these keys, so nothing else (no `type`/`title`) goes in.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Twilio's 401 body says "Authenticate" (twilio-cli keys its help text on that word).
    #[error("Authenticate")]
    Unauthorized,
    #[error("The requested resource {0} was not found")]
    NotFound(String),
    #[error("Method {method} is not allowed on {path}")]
    MethodNotAllowed { method: String, path: String },
    #[error("Missing required parameter {0} in the post body")]
    MissingParameter(&'static str),
    /// A 400 with a specific Twilio code and a message saying what to fix.
    #[error("{message}")]
    Invalid {
        code: u32,
        message: String,
        details: Option<serde_json::Value>,
    },
    /// Authenticated, but the account may not act (suspended or closed).
    #[error("{message}")]
    Forbidden { code: u32, message: String },
    /// The resource exists but is not in a state that allows the change.
    #[error("{message}")]
    Conflict { code: u32, message: String },
    #[error("The request body is too large")]
    PayloadTooLarge,
    /// A protective limit: URL or headers too long, too many requests, overloaded,
    /// body too slow. Carries its HTTP status and Twilio-style code.
    #[error("{message}")]
    Limit {
        status: StatusCode,
        code: u32,
        message: String,
        retry_after: Option<u64>,
    },
    #[error("Internal server error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn invalid(code: u32, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn conflict(code: u32, message: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::MissingParameter(_) | ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Limit { status, .. } => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> u32 {
        match self {
            ApiError::Unauthorized => 20003,
            ApiError::NotFound(_) => 20404,
            ApiError::MethodNotAllowed { .. } => 20004,
            ApiError::MissingParameter(_) => 20001,
            ApiError::Invalid { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::Forbidden { code, .. } => *code,
            ApiError::PayloadTooLarge => 20413,
            ApiError::Limit { code, .. } => *code,
            ApiError::Internal(_) => 20500,
        }
    }
}

impl ApiError {
    /// Seconds to wait before trying again, for a limit that says.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Limit { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let status = self.status();
        let code = self.code();
        let mut body = json!({
            "code": code,
            "message": self.to_string(),
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status.as_u16(),
        });
        if let ApiError::Invalid {
            details: Some(d), ..
        } = &self
        {
            body["details"] = d.clone();
        }
        let mut resp = (status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after() {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if matches!(self, ApiError::Unauthorized) {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Twilio API\""),
            );
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
