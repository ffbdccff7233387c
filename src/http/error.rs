//! The API edge of the one error enum: Twilio's legacy error body
//! `{code, message, more_info, status}` (the helper libraries pick their exception class
//! from exactly these keys, so nothing else, no `type`/`title`, goes in), under the error's
//! status, with `Retry-After` for limits and `WWW-Authenticate` for a 401.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::Error;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self {
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
        if let Error::Invalid {
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
        if matches!(self, Error::Unauthorized) {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Twilio API\""),
            );
        }
        resp
    }
}
