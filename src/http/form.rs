//! Twilio's request parameters: PascalCase form fields in the body (POST) and query
//! string (GET). Both `+` and `%20` encode spaces; repeated keys are kept in order.

use axum::body::{Body, Bytes};
use axum::extract::FromRequest;
use axum::http::{Method, Request};

use crate::error::Error;

/// Largest form body we read (KYC attributes are small).
pub const MAX_BODY: usize = 1 << 20;

/// Where the request inspector finds the form body a handler read: the inspector never
/// reads a body itself, so nothing is read before the caller is authenticated.
#[derive(Clone, Default)]
pub struct RawBody(pub std::sync::Arc<std::sync::OnceLock<Bytes>>);

/// The parameters, and the request's paging scope (`<account> <path>`), which page tokens
/// are bound to.
#[derive(Debug, Default)]
pub struct Params(pub Vec<(String, String)>, pub String);

impl Params {
    /// The parameter's value; of a repeated key the first (everywhere in this server).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn owned(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_string)
    }

    /// A required parameter: absent or empty is Twilio's 20001.
    pub fn required(&self, key: &'static str) -> Result<&str, Error> {
        match self.get(key) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(Error::MissingParameter(key)),
        }
    }
}

/// Reading the body failed: too large, or not received in time.
pub fn body_error(e: axum::Error) -> Error {
    let inner = e.into_inner();
    let too_large = inner
        .downcast_ref::<http_body_util::LengthLimitError>()
        .is_some()
        || inner.to_string().contains("length limit");
    if too_large {
        Error::PayloadTooLarge
    } else {
        Error::Limit {
            status: axum::http::StatusCode::REQUEST_TIMEOUT,
            code: 20408,
            message: "The request body was not received in time".into(),
            retry_after: None,
        }
    }
}

/// Most parameters one request may carry: Twilio's forms have a few dozen at most, and
/// each parsed pair costs allocations (a 1 MiB body of `a&a&…` would be half a million).
pub const MAX_PARAMS: usize = 1000;

fn decode(bytes: &[u8]) -> Result<Vec<(String, String)>, Error> {
    let pairs = bytes.iter().filter(|&&b| b == b'&').count() + 1;
    if pairs > MAX_PARAMS {
        return Err(Error::invalid(
            20001,
            format!("The request has {pairs} parameters; the limit is {MAX_PARAMS}"),
        ));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).map_err(|_| {
        Error::invalid(
            20001,
            "The request parameters are not valid application/x-www-form-urlencoded data",
        )
    })?;
    // No text field anywhere holds a NUL, and PostgreSQL cannot store one.
    if let Some((k, _)) = pairs
        .iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err(Error::invalid(
            20001,
            format!(
                "Parameter {} contains a NUL character (%00)",
                k.replace('\0', "")
            ),
        ));
    }
    Ok(pairs)
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = Error;

    async fn from_request(req: Request<Body>, _: &S) -> Result<Self, Self::Rejection> {
        let mut params = decode(req.uri().query().unwrap_or("").as_bytes())?;
        let caller = req.extensions().get::<super::auth::Caller>();
        // The full path: a nested router sees only its own part of the URI.
        let path = req
            .extensions()
            .get::<axum::extract::OriginalUri>()
            .map(|u| u.0.path().to_string())
            .unwrap_or_else(|| req.uri().path().to_string());
        let scope = format!(
            "{} {path}",
            caller.map(|c| c.account_sid.as_str()).unwrap_or("")
        );
        if req.method() == Method::POST {
            let slot = req.extensions().get::<RawBody>().cloned();
            let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY)
                .await
                .map_err(body_error)?;
            if let Some(slot) = slot {
                let _ = slot.0.set(bytes.clone());
            }
            // Body values win over query values of the same name.
            let mut body = decode(&bytes)?;
            body.append(&mut params);
            params = body;
        }
        Ok(Params(params, scope))
    }
}
