//! Path parameters whose rejection (e.g. invalid UTF-8 in a percent-escape) is Twilio's
//! 404 body, not axum's plain-text answer.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::Error;

pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // A NUL in a path segment names nothing (and PostgreSQL cannot compare it).
        let nul = parts.uri.path().contains("%00");
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) if !nul => Ok(Path(v)),
            _ => {
                // Nested routers see a stripped URI; the message names the full one.
                let uri = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map(|o| o.0.clone())
                    .unwrap_or_else(|| parts.uri.clone());
                let path = uri.path();
                Err(Error::NotFound(
                    path.strip_prefix("/v1").unwrap_or(path).to_string(),
                ))
            }
        }
    }
}
