//! The one error enum: what `service/` returns (a refusal with Twilio's error code and a
//! message saying what to fix, or an internal failure), and what the wire adds for what
//! only it can refuse (a wrong method, a body too large, a protective limit). Each edge
//! renders it with the same [`Error::status`]: Twilio's JSON body at the API
//! (`http/error.rs`), a page in the console (`http/console/error.rs`).

use axum::http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum Error {
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

impl Error {
    pub fn invalid(code: u32, message: impl Into<String>) -> Self {
        Error::Invalid {
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn conflict(code: u32, message: impl Into<String>) -> Self {
        Error::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Error::MissingParameter(_) | Error::Invalid { .. } => StatusCode::BAD_REQUEST,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::Forbidden { .. } => StatusCode::FORBIDDEN,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Limit { status, .. } => *status,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> u32 {
        match self {
            Error::Unauthorized => 20003,
            Error::NotFound(_) => 20404,
            Error::MethodNotAllowed { .. } => 20004,
            Error::MissingParameter(_) => 20001,
            Error::Invalid { code, .. }
            | Error::Conflict { code, .. }
            | Error::Forbidden { code, .. } => *code,
            Error::PayloadTooLarge => 20413,
            Error::Limit { code, .. } => *code,
            Error::Internal(_) => 20500,
        }
    }
}

impl Error {
    /// Seconds to wait before trying again, for a limit that says.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::Limit { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::Internal(e)
    }
}

/// What `service/` (and the wire, for what only it can refuse) returns.
pub type Result<T, E = Error> = std::result::Result<T, E>;
