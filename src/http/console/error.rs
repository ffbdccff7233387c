//! What a console handler can fail with, rendered as a page (never Twilio's JSON body).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::layout;
use crate::error::Error;

#[derive(Debug)]
pub enum ConsoleError {
    /// No session, or the wrong kind: go to the sign-in page.
    SignIn,
    /// Missing, or another account's: the same answer, so nothing is confirmed.
    NotFound,
    /// The form's CSRF token is not this session's.
    Csrf,
    /// A form the console itself cannot use (400).
    BadRequest(String),
    /// A service refused: shown with its message under its own status (400 invalid, 403
    /// not allowed, 409 conflict, 429 too many attempts with `Retry-After`, …).
    Refused(Error),
    Internal(anyhow::Error),
}

impl From<Error> for ConsoleError {
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound(_) | Error::Unauthorized => ConsoleError::NotFound,
            Error::Internal(e) => ConsoleError::Internal(e),
            other => ConsoleError::Refused(other),
        }
    }
}

impl From<crate::store::StoreError> for ConsoleError {
    fn from(e: crate::store::StoreError) -> Self {
        Error::from(e).into()
    }
}

pub type ConsoleResult<T> = Result<T, ConsoleError>;

fn message(status: StatusCode, title: &str, text: &str) -> Response {
    let body = html! {
        h1 { (title) }
        p { (text) }
        p { a href="/console" { "Back to the console" } }
    };
    (status, layout::bare(title, body)).into_response()
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::SignIn => Redirect::to("/console/sign-in").into_response(),
            ConsoleError::NotFound => message(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here, or it belongs to another account.",
            ),
            ConsoleError::Csrf => message(
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form was not issued for your current session. Go back, reload the page and try again.",
            ),
            ConsoleError::BadRequest(m) => {
                message(StatusCode::BAD_REQUEST, "That did not work", &m)
            }
            ConsoleError::Refused(e) => {
                let mut resp = message(e.status(), "That did not work", &e.to_string());
                if let Some(secs) = e.retry_after() {
                    resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
                }
                resp
            }
            ConsoleError::Internal(e) => {
                tracing::error!(error = ?e, "console internal error");
                message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The server failed to handle this request. Please try again.",
                )
            }
        }
    }
}
